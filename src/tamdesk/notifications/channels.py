"""The senders of the e-mail and webhook channels. Each raises on failure; the outbox records
the error and retries."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
import time

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.encoding import force_bytes

from tamdesk import __version__
from tamdesk.notifications import destinations
from tamdesk.notifications.catalog import EVENT_TYPES
from tamdesk.notifications.choices import WebhookFormat
from tamdesk.notifications.models import Notification

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Tamdesk-Signature"
TIMESTAMP_HEADER = "X-Tamdesk-Timestamp"


class DeliveryError(Exception):
    """The receiving side refused or failed; the message says how."""


def absolute_url(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.BASE_URL}{path}"


def send_email(notification: Notification) -> None:
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.address],
        headers={
            # Stable across retries: a receiver that got the message already can tell.
            "Message-ID": f"<{notification.uuid}@tamdesk>",
            "X-Tamdesk-Event": notification.event_type,
            "Auto-Submitted": "auto-generated",
        },
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    kind = EVENT_TYPES.get(notification.event_type)
    if kind is not None and kind.attachments is not None:
        for name, content, mimetype in kind.attachments(notification):
            message.attach(name, content, mimetype)
    sent = message.send(fail_silently=False)
    if sent != 1:
        raise DeliveryError("the mail server did not accept the message")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``"<timestamp>.<body>"`` — what a receiver checks."""
    digest = hmac.new(force_bytes(secret), force_bytes(timestamp) + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def webhook_body(notification: Notification) -> dict:
    url = absolute_url(notification.url)
    if notification.webhook.format == WebhookFormat.SLACK:
        text = f"*{notification.subject}*"
        if notification.body_text:
            text += f"\n{notification.body_text.strip()}"
        if url:
            text += f"\n<{url}>"
        return {"text": text}
    return {
        "id": str(notification.uuid),
        "event": notification.event_type,
        "event_key": notification.event_key,
        "created_at": notification.created_at.isoformat(),
        "urgent": notification.urgent,
        "subject": notification.subject,
        "text": notification.body_text,
        "url": url,
        "data": notification.payload,
    }


def send_webhook(notification: Notification) -> None:
    """POST the signed body to the subscription's URL, connecting to the address that was
    checked (``destinations.pin``) and following no redirect. The error raised says only what a
    person needs (the HTTP status, "connection error"): never the far side's internals, so
    ``last_error`` cannot be used to scan ports or read internal pages."""
    subscription = notification.webhook
    body = json.dumps(webhook_body(notification), ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"tamdesk/{__version__}",
        "X-Tamdesk-Event": notification.event_type,
        "X-Tamdesk-Delivery": str(notification.uuid),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(subscription.secret, timestamp, body),
    }
    try:
        destination = destinations.pin(subscription.url)
        status = _post(destination, body, headers)
    except destinations.DestinationForbidden as exc:
        log.warning("webhook %s: destination refused: %s", subscription.pk, subscription.url)
        raise DeliveryError("destination not allowed") from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:
        log.warning("webhook %s: %s: %s", subscription.pk, type(exc).__name__, exc)
        raise DeliveryError("connection error") from exc
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Sends ``Host: <name>`` but connects to the one checked address."""

    def __init__(self, destination: destinations.Destination, timeout: float):
        super().__init__(destination.host, destination.port, timeout=timeout)
        self.address = destination.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address, with the certificate verified for the host name."""

    def __init__(self, destination: destinations.Destination, timeout: float):
        super().__init__(
            destination.host,
            destination.port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
        self.address = destination.address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _post(destination: destinations.Destination, body: bytes, headers: dict[str, str]) -> int:
    """One POST, no redirects followed (a 3xx is a failed delivery); returns the status."""
    connection_class = (
        _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    )
    connection = connection_class(destination, timeout=settings.WEBHOOK_TIMEOUT)
    try:
        connection.request("POST", destination.target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)  # the answer is not used: read a little, never all of it
        return response.status
    finally:
        connection.close()
