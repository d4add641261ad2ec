"""Webhooks reach only public addresses unless allow-listed: refused on subscribe (page and API),
checked again on the resolved address at delivery, no redirects, errors that reveal nothing."""

from __future__ import annotations

import ipaddress
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from tamdesk.notifications import channels, destinations
from tamdesk.notifications.choices import Channel, NotificationStatus
from tamdesk.notifications.models import Notification, WebhookSubscription
from tests.conftest import api_as
from tests.notifications.factories import NotificationFactory, WebhookSubscriptionFactory

pytestmark = pytest.mark.django_db

FORBIDDEN_URLS = [
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:5432/",
    "http://[::1]/hook",
    "http://localhost/hook",
    "http://10.0.0.1/hook",
    "http://192.168.1.10/hook",
    "http://172.16.0.5/hook",
    "http://100.64.0.1/hook",
    "http://0.0.0.0:8000/",
    "http://224.0.0.1/",
    "http://[fe80::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[::ffff:7f00:1]/",
]


@pytest.mark.parametrize("url", FORBIDDEN_URLS)
def test_the_page_refuses_internal_destinations(client, users, url):
    client.force_login(users.administrator)

    response = client.post(
        reverse("notifications:webhook_create"),
        {"name": "Probe", "url": url, "format": "json", "is_active": "on"},
    )

    assert response.status_code == 200
    [error] = response.context["form"].errors.as_data()["url"]
    assert error.code == "webhook_destination_forbidden"
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("url", ["http://2130706433/", "http://0x7f.1/", "http://017700000001/"])
def test_numeric_spellings_of_loopback_are_refused(users, url):
    response = api_as(users.administrator).post(
        "/api/v1/webhook-subscriptions/", {"name": "Probe", "url": url}, format="json"
    )

    assert response.status_code == 400
    with pytest.raises(destinations.DestinationForbidden):
        destinations.check_url(url)  # if the URL syntax let it through, the address would not
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("url", FORBIDDEN_URLS)
def test_the_api_refuses_internal_destinations(users, url):
    response = api_as(users.administrator).post(
        "/api/v1/webhook-subscriptions/", {"name": "Probe", "url": url}, format="json"
    )

    assert response.status_code == 400
    assert response.data["code"] == "webhook_destination_forbidden"
    assert list(response.data["errors"]) == ["url"]
    assert not WebhookSubscription.objects.exists()


def test_an_edit_to_an_internal_destination_is_refused(users):
    subscription = WebhookSubscriptionFactory(url="https://93.184.215.14/hook")

    response = api_as(users.administrator).patch(
        f"/api/v1/webhook-subscriptions/{subscription.pk}/",
        {"url": "http://127.0.0.1:6379/"},
        format="json",
    )

    assert response.status_code == 400
    subscription.refresh_from_db()
    assert subscription.url == "https://93.184.215.14/hook"


def test_public_and_not_yet_resolvable_destinations_are_accepted(users):
    api = api_as(users.administrator)
    for number, url in enumerate(["https://93.184.215.14/hook", "https://hooks.example.com/x"]):
        response = api.post(
            "/api/v1/webhook-subscriptions/", {"name": f"W{number}", "url": url}, format="json"
        )
        assert response.status_code == 201, response.data


@pytest.mark.parametrize(
    "allowed", [["127.0.0.1"], ["127.0.0.0/8"], ["localhost"], ["LOCALHOST", "10.0.0.0/8"]]
)
def test_the_allow_list_admits_internal_destinations(users, settings, allowed):
    settings.WEBHOOK_ALLOWED_HOSTS = allowed

    response = api_as(users.administrator).post(
        "/api/v1/webhook-subscriptions/",
        {"name": "Tickets", "url": "http://localhost:8080/in"},
        format="json",
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2001:4860:4860::8888", True),
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("10.1.2.3", False),
        ("::1", False),
        ("fc00::1", False),
        ("ff0e::1", False),
        ("224.0.1.1", False),
        ("240.0.0.1", False),
        ("2002:7f00:1::", False),  # 6to4 around 127.0.0.1
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", False),  # Teredo around 127.0.0.1
    ],
)
def test_is_public(address, public):
    assert destinations.is_public(ipaddress.ip_address(address)) is public


# --- at delivery ---------------------------------------------------------------------------


def _resolving_to(monkeypatch, address: str) -> None:
    """The receiving name resolves to ``address`` from now on (a DNS rebinding)."""

    def fake_getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(destinations.socket, "getaddrinfo", fake_getaddrinfo)


def test_delivery_checks_the_address_the_name_resolves_to_then(
    webhook_receiver, notify, monkeypatch, settings
):
    # Subscribed while the name was public; it now resolves to loopback, which is not allowed.
    WebhookSubscriptionFactory(url=f"http://hooks.example.com:{webhook_receiver.port}/hook")
    settings.WEBHOOK_ALLOWED_HOSTS = []
    _resolving_to(monkeypatch, "127.0.0.1")

    [row] = notify(Channel.WEBHOOK, event_key="e:1")

    row.refresh_from_db()
    assert (row.status, row.last_error) == (
        NotificationStatus.FAILED,
        "DeliveryError: destination not allowed",
    )
    assert webhook_receiver.requests == []


def test_delivery_connects_to_the_checked_address_with_the_name_as_host(
    webhook_receiver, notify, monkeypatch, settings
):
    settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.internal.example"]
    WebhookSubscriptionFactory(url=f"http://hooks.internal.example:{webhook_receiver.port}/hook")
    _resolving_to(monkeypatch, "127.0.0.1")

    [row] = notify(Channel.WEBHOOK, event_key="e:1")

    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    [request] = webhook_receiver.requests
    assert request.headers["host"] == f"hooks.internal.example:{webhook_receiver.port}"


@pytest.fixture
def redirecting_receiver(webhook_receiver):
    """Answers every POST with a 307 to the webhook receiver (same address, allowed)."""
    target = webhook_receiver.url

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(307)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_a_redirect_is_not_followed(redirecting_receiver, webhook_receiver, notify):
    WebhookSubscriptionFactory(url=redirecting_receiver)

    [row] = notify(Channel.WEBHOOK, event_key="e:1")

    row.refresh_from_db()
    assert (row.status, row.last_error) == (NotificationStatus.FAILED, "DeliveryError: HTTP 307")
    assert webhook_receiver.requests == []  # the signed body went nowhere else


def test_a_subscription_saved_before_the_rule_is_refused_at_delivery(notify, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    WebhookSubscriptionFactory(url="http://127.0.0.1:5432/")

    [row] = notify(Channel.WEBHOOK, event_key="e:1")

    row.refresh_from_db()
    assert row.last_error == "DeliveryError: destination not allowed"
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 0


def test_connection_errors_say_nothing_of_the_far_side(monkeypatch, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.example.com"]
    subscription = WebhookSubscriptionFactory(url="https://hooks.example.com/x")

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    _resolving_to(monkeypatch, "127.0.0.1")
    monkeypatch.setattr(channels.socket, "create_connection", refuse)
    row = NotificationFactory(channel=Channel.WEBHOOK, webhook=subscription)

    with pytest.raises(channels.DeliveryError) as caught:
        channels.send_webhook(row)
    assert str(caught.value) == "connection error"
