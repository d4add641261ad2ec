"""The address of the client behind a request — the one rule for the login lock-out, the audit
log and anything else that counts or records clients.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only from a
trusted proxy (``settings.TRUSTED_PROXIES``, from ``TAMDESK_TRUSTED_PROXIES``): the client is
then the right-most address in the header that is not itself a trusted proxy. Without trusted
proxies, or for a request that does not come from one, the client is ``REMOTE_ADDR``.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TAMDESK_TRUSTED_PROXIES: {entry!r} is not an address or a network"
            ) from None
    return tuple(networks)


def parse_address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("["):  # "[2001:db8::1]:443"
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # "203.0.113.7:443"
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def is_trusted_proxy(address) -> bool:
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    return address is not None and any(
        address in network for network in networks if network.version == address.version
    )


def client_address(request: HttpRequest) -> str:
    """The client's IP address as a string (empty when the request carries none)."""
    meta = getattr(request, "META", {})
    remote = meta.get("REMOTE_ADDR", "")
    if not is_trusted_proxy(parse_address(remote)):
        return remote
    forwarded = [hop for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(forwarded):
        address = parse_address(hop)
        if address is None:
            break  # a malformed hop: trust nothing before it
        if not is_trusted_proxy(address):
            return str(address)
    return remote
