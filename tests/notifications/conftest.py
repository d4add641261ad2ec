"""Real far ends for the delivery tests: an SMTP server (aiosmtpd) and a webhook receiver
(``http.server``) on loopback, each able to fail on demand and recover; ``smtp_settings`` points
Django's SMTP backend at the SMTP server."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from tamdesk.notifications import services
from tamdesk.notifications.catalog import EventType, register_event_type
from tamdesk.notifications.choices import Channel
from tamdesk.notifications.models import Notification

#: Event types of the tests, on the test message's templates (whose footer needs no URL).
PLAIN = register_event_type(
    EventType(
        code="tests.plain",
        label="Plain test event",
        template="notifications/email/test",
        default_channels=frozenset({Channel.IN_APP, Channel.EMAIL}),
    )
)
URGENT = register_event_type(
    EventType(
        code="tests.urgent",
        label="Urgent test event",
        template="notifications/email/test",
        default_channels=frozenset({Channel.IN_APP, Channel.EMAIL}),
        urgent=True,
    )
)
OTHER = register_event_type(
    EventType(
        code="tests.other",
        label="Other test event",
        template="notifications/email/test",
        default_channels=frozenset({Channel.EMAIL}),
        urgent=True,
    )
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- SMTP ----------------------------------------------------------------------------------


class MailServer:
    """An SMTP server on 127.0.0.1 that keeps what it receives. ``refusing = True`` answers
    every message with ``451`` (try later); ``stop()``/``start()`` take it down and up again
    on the same port. A message is recorded before the server answers 250, so once the sender
    returns it is there: no waiting needed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refusing = False
        self.refused = 0
        self.port = free_port()
        self._controller: Controller | None = None
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._lock:
            if self.refusing:
                self.refused += 1
                return "451 4.3.0 try later"
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.messages.append(
                email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            )
        return "250 OK"

    def start(self) -> None:
        for _attempt in range(20):
            controller = Controller(self, hostname="127.0.0.1", port=self.port)
            try:
                controller.start()
            except (OSError, RuntimeError):
                # The port is still held after stop() (or was taken): try again shortly.
                time.sleep(0.05)
                continue
            self._controller = controller
            return
        pytest.fail(f"could not start the SMTP server on port {self.port}")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server():
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    """Django sends through the real SMTP backend to ``smtp_server``."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return settings


# --- webhooks ------------------------------------------------------------------------------


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    answered: int

    def json(self):
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """Records every POST; answers ``failing_status`` to the next ``failures`` ones, then 200."""

    port: int = 0
    requests: list[ReceivedRequest] = field(default_factory=list)
    failures: int = 0
    failing_status: int = 500
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def fail_next(self, times: int, *, status: int = 500) -> None:
        with self.lock:
            self.failures, self.failing_status = times, status

    @property
    def successes(self) -> list[ReceivedRequest]:
        return [r for r in self.requests if 200 <= r.answered < 300]


def _handler_for(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with receiver.lock:
                if receiver.failures > 0:
                    receiver.failures -= 1
                    status = receiver.failing_status
                else:
                    status = 200
                receiver.requests.append(
                    ReceivedRequest(
                        self.path, {k.lower(): v for k, v in self.headers.items()}, body, status
                    )
                )
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format, *args) -> None:
            pass

    return Handler


@pytest.fixture
def webhook_receiver(settings):
    # The receiver is on loopback: allowed on purpose, as an internal destination would be.
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    receiver = WebhookReceiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(receiver))
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def notify(django_capture_on_commit_callbacks):
    """``notify`` in a transaction that commits (so delivery is enqueued and, in the tests'
    immediate mode, done) — returns the rows of the given channel."""

    def run(channel: str = Channel.EMAIL, **kwargs) -> list:
        kwargs.setdefault("event_type", URGENT.code)
        kwargs.setdefault("context", {})
        kwargs.setdefault("recipients", [])
        with django_capture_on_commit_callbacks(execute=True):
            rows = services.notify(**kwargs)
        return list(Notification.objects.filter(pk__in=[r.pk for r in rows], channel=channel))

    return run
