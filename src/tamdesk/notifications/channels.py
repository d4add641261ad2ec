"""The senders of the e-mail and webhook channels. Each raises on failure; the outbox records
the error and retries."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.encoding import force_bytes

from tamdesk import __version__
from tamdesk.notifications.choices import WebhookFormat
from tamdesk.notifications.models import Notification

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
    subscription = notification.webhook
    body = json.dumps(webhook_body(notification), ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310  (the URL is validated as http(s))
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"tamdesk/{__version__}",
            "X-Tamdesk-Event": notification.event_type,
            "X-Tamdesk-Delivery": str(notification.uuid),
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(subscription.secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from exc
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}")
