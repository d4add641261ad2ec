"""``tamdesk notifications send-test --wait 0`` queues and returns: 0 means do not wait."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tamdesk.notifications.models import Notification


@pytest.mark.django_db
def test_wait_zero_queues_and_does_not_wait():
    # Inside the test's transaction nothing is delivered: the message stays pending.
    out = StringIO()
    call_command("notifications", "send-test", "--to", "ops@example.com", "--wait", "0", stdout=out)
    assert "Queued test e-mail" in out.getvalue()
    assert "Not waiting for the delivery" in out.getvalue()
    assert Notification.objects.get().status == "pending"


@pytest.mark.django_db
def test_a_negative_wait_is_refused_before_queueing():
    with pytest.raises(CommandError, match="--wait must be 0"):
        call_command("notifications", "send-test", "--to", "ops@example.com", "--wait", "-1")
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_message_still_pending_after_the_wait_fails():
    with pytest.raises(CommandError, match=r"still pending after 0\.3 s"):
        call_command("notifications", "send-test", "--to", "ops@example.com", "--wait", "0.3")
