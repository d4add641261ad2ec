"""``tamdesk notifications``: ``send-test`` (a test e-mail through the outbox and the worker),
``sweep`` (deliver what is due now, without waiting for the worker's minute) and ``status``."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from tamdesk.core.exceptions import DomainError
from tamdesk.notifications import services
from tamdesk.notifications.models import Notification


class Command(BaseCommand):
    help = "Notifications: send a test e-mail, deliver what is due, show the outbox counts."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        test = actions.add_parser(
            "send-test",
            help="Queue a test e-mail and wait for a worker to deliver it.",
            description="Queue a test e-mail through the outbox, wait for the background "
            "worker to deliver it and print its delivery status.",
        )
        test.add_argument("--to", required=True, help="The address to send to.")
        test.add_argument(
            "--wait",
            type=float,
            default=60,
            help="Seconds to wait for the delivery (default 60; 0: do not wait).",
        )
        actions.add_parser("sweep", help="Deliver every notification that is due, now.")
        actions.add_parser("status", help="Count the notifications by channel and status.")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, action.replace("-", "_"))(**options)

    def send_test(self, *, to: str, wait: float, **_options) -> None:
        if wait < 0:
            raise CommandError("--wait must be 0 (do not wait) or more seconds.")
        try:
            notification = services.send_test_email(to=to)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Queued test e-mail #{notification.pk} to {to}.")
        if wait == 0:
            self.stdout.write(
                "Not waiting for the delivery (--wait 0): a worker sends it; "
                "`tamdesk notifications status` shows how it went."
            )
            return
        deadline = time.monotonic() + wait
        while True:
            notification.refresh_from_db()
            if notification.status != "pending" or time.monotonic() >= deadline:
                break
            time.sleep(0.2)
        status = notification.status
        if status == "sent":
            self.stdout.write(
                self.style.SUCCESS(f"sent at {notification.sent_at:%Y-%m-%d %H:%M:%S %Z}")
            )
            return
        if status == "pending":
            raise CommandError(
                f"still pending after {wait:g} s: is a worker running (`tamdesk worker`, or "
                "`tamdesk serve`)? The message stays queued and goes out when one runs."
            )
        raise CommandError(
            f"{status} after {notification.attempts} attempt(s): {notification.last_error}"
            + (" — the worker retries it." if status == "failed" else "")
        )

    def sweep(self, **_options) -> None:
        from tamdesk.notifications.tasks import sweep_outbox

        self.stdout.write(str(sweep_outbox.call_local()))

    def status(self, **_options) -> None:
        rows = (
            Notification.objects.values("channel", "status")
            .annotate(n=Count("id"))
            .order_by("channel", "status")
        )
        for row in rows:
            self.stdout.write(f"{row['channel']:8} {row['status']:8} {row['n']}")
        if not rows:
            self.stdout.write("The outbox is empty.")
