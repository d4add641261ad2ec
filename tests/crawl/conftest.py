"""The demo organisation, loaded once for the whole crawl, with data in every state the pages
show: unread notifications for every demo account, breached and paused incidents, late and
cancelled changes, dead and failed notifications in the outbox, a webhook, job runs."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from tamdesk.calendars.models import Calendar, CalendarException
from tamdesk.changes.choices import ChangeStatus, ScheduleStatus, TaskStatus
from tamdesk.changes.graph import wrap_title
from tamdesk.changes.models import ChangeRequest, DepartmentTask
from tamdesk.core import tokens
from tamdesk.core.models import JobRunOutcome
from tamdesk.demo.data import FIXED_PEOPLE
from tamdesk.demo.generator import build_plan
from tamdesk.demo.loader import load_demo
from tamdesk.directory.choices import ContactKind
from tamdesk.directory.models import Client, Component, Contact, Department
from tamdesk.notifications.choices import Channel, NotificationStatus
from tamdesk.notifications.models import Notification
from tamdesk.sla import monthly
from tamdesk.sla.choices import ClockState, InboundDeliveryStatus, MonthlyReportStatus
from tamdesk.sla.imports import inbound
from tamdesk.sla.models import (
    InboundDelivery,
    Incident,
    IncidentClock,
    IncidentImport,
    IncidentSource,
    MonthlyReport,
    OLATarget,
)
from tests.notifications.factories import (
    JobRunFactory,
    NotificationFactory,
    WebhookSubscriptionFactory,
)

#: The demo accounts, one per role (``admin`` is the superuser).
DEMO_ACCOUNTS = tuple(person.username for person in FIXED_PEOPLE)


def _live_source(by) -> None:
    """A live incident source with a delivery in every status."""
    source = IncidentSource(name="Crawl helpdesk", preset="servicenow", time_zone="Europe/Moscow")
    inbound.create_source(source, by=by)
    now = timezone.now()
    for number, status in enumerate(InboundDeliveryStatus.values):
        InboundDelivery.objects.create(
            source=source,
            event_id=f"INC9:{number}",
            external_id="INC9",
            sequence=number,
            payload={"number": "INC9"},
            received_at=now,
            status=status,
            reason="Crawl: refused" if status == "rejected" else "",
        )


def _add_what_the_demo_lacks(users) -> None:
    """States the demo does not reach by itself: an unread notification for everyone (the bell
    in Russian), the outbox's dead and failed rows, a webhook, the jobs page's runs, an API token
    for everyone, an OLA target."""
    for user in users:
        NotificationFactory.create_batch(2, recipient_user=user, subject="Crawl: unread")
        NotificationFactory(recipient_user=user, channel=Channel.EMAIL, subject="Crawl: e-mail")
    NotificationFactory(
        recipient_user=users[0],
        channel=Channel.EMAIL,
        status=NotificationStatus.DEAD,
        attempts=5,
        last_error="Connection refused",
    )
    NotificationFactory(
        recipient_user=users[0],
        channel=Channel.EMAIL,
        status=NotificationStatus.FAILED,
        attempts=1,
        last_error="Timed out",
    )
    WebhookSubscriptionFactory(name="Crawl webhook")
    _live_source(users[0])
    JobRunFactory()
    JobRunFactory(outcome=JobRunOutcome.FAILED, detail="ValueError: crawl")
    for user in users:  # the API tokens page lists one
        tokens.create_token(user, name="Crawl token", by=user)
    _add_imports(users)
    # The departments' internal targets (OLA) are the service manager's to set, not demo data.
    OLATarget.objects.create(
        department=Department.objects.order_by("pk").first(),
        priority="p1",
        target_seconds=4 * 3600,
    )
    _add_monthly_reports(users)


def _add_imports(users) -> None:
    """An incident import in each state: waiting for its start (a file to preview), running,
    failed, done with rejects and a disagreement."""
    import tempfile
    from pathlib import Path

    from tamdesk.core.roles import Role
    from tests.sla.imports.upload_support import MAPPING, csv_bytes, rows

    tam = next(u for u in users if u.groups.filter(name=Role.TAM.value).exists())
    folder = Path(tempfile.mkdtemp(prefix="crawl-imports-"))
    (folder / "tickets.csv").write_bytes(csv_bytes(rows(client=Client.objects.first().name)))
    (folder / "mapping.toml").write_bytes(MAPPING)
    common = {"created_by": tam, "preset": "generic", "file_name": "tickets.csv"}
    options = {"path": str(folder / "tickets.csv"), "mapping": str(folder / "mapping.toml")}
    IncidentImport.objects.create(**common, options={**options, "awaiting_start": True})
    IncidentImport.objects.create(
        **common, options=options, status="running", incidents_total=40, incidents_done=10
    )
    IncidentImport.objects.create(
        **common, options=options, status="failed", error="OSError: crawl"
    )
    incident = Incident.objects.order_by("pk").first()
    reject = {"line": 3, "column": "client", "reason": "No client", "external_id": "T-3"}
    disagreement = {
        "incident_id": incident.pk,
        "external_id": "T-1",
        "clock": "resolution",
        "source": "met",
        "tamdesk": "breached",
        "url": incident.get_absolute_url(),
    }
    outcome = {"rows": 4, "incidents": 3, "created": 2, "rejected": 1, "rejects_total": 1}
    outcome |= {"rejects": [reject], "disagreements_total": 1, "disagreements": [disagreement]}
    IncidentImport.objects.create(
        **common,
        options=options,
        status="done",
        incidents_total=3,
        incidents_done=3,
        outcome=outcome,
    )


def _add_monthly_reports(users) -> None:
    """A draft (last month) and a sent report (the month before) of the TAM's first client,
    unless the demo made them already."""
    tam = next(user for user in users if user.username == "tam")
    client = Client.objects.filter(account_assignments__user=tam).order_by("pk").first()
    last = monthly.add_months(timezone.localdate().replace(day=1), -1)
    if not MonthlyReport.objects.filter(client=client, month=last).exists():
        monthly.generate_report(client=client, month=last)
    before = monthly.add_months(last, -1)
    if not MonthlyReport.objects.filter(client=client, month=before).exists():
        if not monthly.decision_makers(client):
            Contact.objects.create(
                client=client,
                name="Crawl Director",
                email="director@crawl.example",
                kind=ContactKind.DECISION_MAKER,
            )
        report = monthly.generate_report(client=client, month=before)
        monthly.approve_and_send(report, by=tam)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once per module (with its change requests), rolled back afterwards;
    every test runs in a savepoint of it."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=hashers):
            # A small imported history (a couple of incidents a month): its incidents' pages are
            # crawled one by one, and the SLA report has months to show.
            load_demo(build_plan(), password="crawl-password-42", history_incidents=12)
        users = list(get_user_model().objects.filter(username__in=DEMO_ACCOUNTS))
        _add_what_the_demo_lacks(users)
        _assert_every_state(users)
        yield SimpleNamespace(
            users={user.username: user for user in users}, data_texts=_data_texts()
        )
        transaction.set_rollback(True)


def _data_texts() -> frozenset[str]:
    """Names the demo's records were given (in English, like "Backup", the department): shown as
    they are in any language, so never "untranslated"."""
    names = [
        *Department.objects.values_list("name", flat=True),
        *get_user_model().objects.values_list("username", flat=True),
        *Client.objects.values_list("name", flat=True),
        *Calendar.objects.values_list("name", flat=True),
        *CalendarException.objects.values_list("name", flat=True),
        *Component.objects.values_list("name", flat=True),
    ]
    # The dependency graph wraps a task's title over two lines (a line may be a catalogue text:
    # "Operating system" of "Operating system: install, harden and …").
    for title in DepartmentTask.objects.values_list("title", flat=True):
        names += [title, *wrap_title(title)]
    return frozenset(" ".join(name.split()) for name in names)


def _assert_every_state(users) -> None:
    """The crawl is only as good as its data: fail loudly when the demo stops covering a state."""
    assert len(users) == len(DEMO_ACCOUNTS)
    for user in users:
        assert Notification.objects.inbox(user).unread().exists(), user.username
    assert set(ChangeRequest.objects.values_list("status", flat=True)) == set(ChangeStatus.values)
    schedules = set(ChangeRequest.objects.open().values_list("schedule_status", flat=True))
    assert schedules == set(ScheduleStatus.values)
    tasks = set(DepartmentTask.objects.values_list("status", flat=True))
    assert {TaskStatus.DONE, TaskStatus.IN_PROGRESS, TaskStatus.CANCELLED} <= tasks, tasks
    clocks = set(IncidentClock.objects.values_list("state", flat=True))
    assert {ClockState.BREACHED, ClockState.PAUSED, ClockState.RUNNING} <= clocks, clocks
    reports = set(MonthlyReport.objects.values_list("status", flat=True))
    assert reports == set(MonthlyReportStatus.values), reports
    outbox = set(Notification.objects.values_list("status", flat=True))
    assert {NotificationStatus.DEAD, NotificationStatus.FAILED} <= outbox
