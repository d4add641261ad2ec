"""Where a webhook may be sent: the one rule against server-side request forgery.

By default only public internet addresses are permitted — never loopback, private, link-local
(cloud metadata at 169.254.169.254), shared, reserved, unspecified or multicast ones, including
IPv4 addresses hidden inside IPv6 ones (``::ffff:127.0.0.1``, 6to4, Teredo, NAT64).
``settings.WEBHOOK_ALLOWED_HOSTS`` (``TAMDESK_WEBHOOK_ALLOWED_HOSTS``) lists host names and
addresses or networks that are deliberately allowed (an internal ticket system).

The rule is checked twice: when a subscription is saved (the URL's host, resolved if it resolves
then), and at every delivery on the address the name resolves to at that moment — and the
delivery connects to exactly that address, so a name cannot resolve to a public address for the
check and to an internal one for the connection (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tamdesk.core.exceptions import DomainError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
DEFAULT_PORTS = {"http": 80, "https": 443}


class DestinationForbidden(DomainError):
    """The webhook URL points at an address that webhooks may not reach."""

    code = "webhook_destination_forbidden"

    def __init__(self, message: str | None = None):
        super().__init__(
            str(
                message
                or _(
                    "Webhooks cannot be sent to loopback, private, link-local, reserved or "
                    "multicast addresses. An administrator can allow an internal destination "
                    "with TAMDESK_WEBHOOK_ALLOWED_HOSTS."
                )
            ),
            field="url",
        )


@dataclass(frozen=True)
class Destination:
    """A webhook URL split for the connection, pinned to one checked address."""

    scheme: str
    host: str
    port: int
    target: str  # path and query, as sent in the request line
    address: str  # the IP address to connect to


def is_public(address: IPAddress) -> bool:
    """A global unicast address, with any IPv4 address embedded in an IPv6 one public too."""
    if address.version == 6:
        embedded = [address.ipv4_mapped, address.sixtofour]
        if address.teredo:
            embedded.append(address.teredo[1])
        if address in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if any(inner is not None and not is_public(inner) for inner in embedded):
            return False
    return address.is_global and not address.is_multicast


@lru_cache(maxsize=8)
def _allow_list(entries: tuple[str, ...]) -> tuple[frozenset[str], tuple]:
    names, networks = set(), []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            names.add(entry.lower().rstrip("."))
    return frozenset(names), tuple(networks)


def is_permitted(host: str, address: IPAddress) -> bool:
    """May a webhook for ``host`` connect to ``address``?"""
    names, networks = _allow_list(tuple(settings.WEBHOOK_ALLOWED_HOSTS))
    if host.lower().rstrip(".") in names:
        return True
    if any(address in network for network in networks if network.version == address.version):
        return True
    return is_public(address)


def _split(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:
        port = None
    if scheme not in DEFAULT_PORTS or not parts.hostname or not port:
        raise DestinationForbidden(_("Enter an http:// or https:// address with a host name."))
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    return scheme, parts.hostname, port, target


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to now (raises ``OSError`` when it does not)."""
    literal = _literal(host)
    if literal is not None:
        return [literal]
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in found]
    return list(dict.fromkeys(addresses))


def check_url(url: str) -> None:
    """On subscribe: refuse a URL whose host is, or now resolves to, an address that is not
    permitted. A name that does not resolve yet passes; delivery checks it again."""
    _scheme, host, port, _target = _split(url)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        return
    if not all(is_permitted(host, address) for address in addresses):
        raise DestinationForbidden()


def pin(url: str) -> Destination:
    """At delivery: resolve once and return the address to connect to. Every address the name
    resolves to must be permitted (raises ``DestinationForbidden``); ``OSError`` when the name
    does not resolve."""
    scheme, host, port, target = _split(url)
    try:
        addresses = resolve(host, port)
    except UnicodeError as exc:
        raise OSError("the host name cannot be encoded") from exc
    if not addresses:
        raise OSError("the host name has no address")
    if not all(is_permitted(host, address) for address in addresses):
        raise DestinationForbidden()
    return Destination(scheme, host, port, target, str(addresses[0]))
