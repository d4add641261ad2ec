"""No lost updates through the pages: every edit form carries the version it started from; a
save after someone else changed the record is refused, the form comes back with their changes
listed (old → new) and the user's input kept, and nothing is written; saving again applies the
user's values. And every edit page of the URL conf uses the mechanism, so a new one cannot skip
it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tamdesk.calendars.models import CalendarException, WorkingInterval
from tamdesk.calendars.services import weekday_field
from tamdesk.changes.models import ChangeRequest, DepartmentTask
from tamdesk.core import ui
from tamdesk.core.forms import VERSION_FIELD, VersionedFormMixin
from tamdesk.directory.models import (
    AccountTeamAssignment,
    Client,
    Component,
    Contact,
    Department,
    Engineer,
)
from tamdesk.notifications.models import WebhookSubscription
from tamdesk.sla import services as sla_services
from tamdesk.sla.imports import inbound
from tamdesk.sla.models import Incident, IncidentSource, OLATarget, SLAPolicy
from tests.calendars.factories import CalendarExceptionFactory, CalendarFactory
from tests.changes.factories import change as new_change
from tests.changes.factories import task as new_task
from tests.directory.factories import ComponentFactory, ContactFactory
from tests.sla.factories import HOUR
from tests.sla.factories import incident as new_incident
from tests.sla.factories import policy as new_policy

pytestmark = pytest.mark.django_db
User = get_user_model()
TOKEN = re.compile(rf'name="{VERSION_FIELD}" value="([^"]+)"')


def posted(form: forms.BaseForm, html: str) -> dict:
    """What the browser posts for the form as shown: every field's value and the version."""
    data = {VERSION_FIELD: TOKEN.search(html).group(1)}
    for field in form:
        value = field.value()
        if isinstance(field.field, forms.BooleanField):
            if value:
                data[field.html_name] = "on"
            continue
        formatted = field.field.widget.format_value(value)
        if formatted not in (None, []):
            data[field.html_name] = formatted
    return data


@dataclass
class Case:
    url_name: str
    make: Callable[[SimpleNamespace], Any]  # the record edited
    theirs: Callable[[Any], None]  # another writer's change, made meanwhile
    change_shown: str  # how their change is listed: "label: “old” → “new”"
    mine: dict  # the user's own change in the form
    stored: Callable[[Any], Any]  # the user's field as stored

    def __str__(self) -> str:
        return self.url_name


def _set(model, **values) -> Callable[[Any], None]:
    return lambda obj: model.objects.filter(pk=obj.pk).update(**values)


CASES = [
    Case(
        "directory:client_update",
        lambda w: w.client,
        _set(Client, tier="premium"),
        "Tier: “Standard” → “Premium”",
        {"notes": "mine"},
        lambda obj: Client.objects.get(pk=obj.pk).notes,
    ),
    Case(
        "directory:contact_update",
        lambda w: ContactFactory(client=w.client, name="Jane"),
        _set(Contact, phone="+7 495 000"),
        "Phone: “—” → “+7 495 000”",
        {"notes": "mine"},
        lambda obj: Contact.objects.get(pk=obj.pk).notes,
    ),
    Case(
        "directory:component_update",
        lambda w: ComponentFactory(client=w.client, department=w.department, name="fw"),
        _set(Component, description="theirs"),
        "Description: “—” → “theirs”",
        {"identifiers": "mine"},
        lambda obj: Component.objects.get(pk=obj.pk).identifiers,
    ),
    Case(
        "directory:department_update",
        lambda w: w.department,
        _set(Department, description="theirs"),
        "Description: “—” → “theirs”",
        {"queue_email": "mine@example.com"},
        lambda obj: Department.objects.get(pk=obj.pk).queue_email,
    ),
    Case(
        "directory:engineer_update",
        lambda w: w.users.engineer.engineer,
        _set(Engineer, position="Lead"),
        "Position: “Engineer” → “Lead”",
        {"first_name": "Mine"},
        lambda obj: User.objects.get(pk=obj.user_id).first_name,
    ),
    Case(
        "directory:user_update",
        lambda w: w.users.service_manager,
        lambda obj: User.objects.filter(pk=obj.pk).update(email="theirs@example.com"),
        "E-mail: “service_manager@example.com” → “theirs@example.com”",
        {"first_name": "Mine"},
        lambda obj: User.objects.get(pk=obj.pk).first_name,
    ),
    Case(
        "directory:assignment_update",
        lambda w: w.client.account_assignments.get(role="tam"),
        _set(AccountTeamAssignment, end_on=dt.date(2030, 6, 30)),
        "End date: ",
        {"end_on": "2029-12-31"},
        lambda obj: str(AccountTeamAssignment.objects.get(pk=obj.pk).end_on),
    ),
    Case(
        "calendars:calendar_update",
        lambda w: CalendarFactory(name="Office"),
        lambda obj: type(obj).objects.filter(pk=obj.pk).update(description="theirs"),
        "Description: “—” → “theirs”",
        {"name": "Mine"},
        lambda obj: type(obj).objects.get(pk=obj.pk).name,
    ),
    Case(
        "calendars:calendar_hours",
        lambda w: CalendarFactory(name="Office"),
        lambda obj: WorkingInterval.objects.filter(calendar=obj, weekday=0).delete(),
        "Monday: “09:00-13:00, 14:00-18:00” → “—”",
        {weekday_field(1): "10:00-12:00"},
        lambda obj: list(
            WorkingInterval.objects.filter(calendar=obj, weekday=1).values_list(
                "start_minute", "end_minute"
            )
        ),
    ),
    Case(
        "calendars:exception_update",
        lambda w: CalendarExceptionFactory(name="Day off"),
        _set(CalendarException, name="Theirs"),
        "Name: “Day off” → “Theirs”",
        {"date": "2025-12-30"},
        lambda obj: CalendarException.objects.get(pk=obj.pk).date.isoformat(),
    ),
    Case(
        "sla:incident_update",
        lambda w: new_incident(w.client, by=w.users.tam),
        _set(Incident, description="theirs"),
        "Description: “—” → “theirs”",
        {"title": "Mine"},
        lambda obj: Incident.objects.get(pk=obj.pk).title,
    ),
    Case(
        "sla:policy_update",
        lambda w: new_policy(tier="standard", by=w.users.admin)[0],
        _set(SLAPolicy, description="theirs"),
        "Description: “—” → “theirs”",
        {"name": "Mine"},
        lambda obj: SLAPolicy.objects.get(pk=obj.pk).name,
    ),
    Case(
        "sla:ola_update",
        lambda w: OLATarget.objects.create(
            department=w.department, priority="p1", target_seconds=HOUR
        ),
        _set(OLATarget, note="theirs"),
        "Note: “—” → “theirs”",
        {"target_seconds": "2:00"},
        lambda obj: OLATarget.objects.get(pk=obj.pk).target_seconds,
    ),
    Case(
        "changes:change_update",
        lambda w: new_change(w.client, by=w.users.tam),
        _set(ChangeRequest, risk_notes="theirs"),
        "Risk notes: “—” → “theirs”",
        {"title": "Mine"},
        lambda obj: ChangeRequest.objects.get(pk=obj.pk).title,
    ),
    Case(
        "changes:task_update",
        lambda w: new_task(new_change(w.client, by=w.users.tam), w.department, by=w.users.tam),
        _set(DepartmentTask, estimate_hours=Decimal("8")),
        "Estimate, working hours: “4.00” → “8.00”",
        {"title": "Mine"},
        lambda obj: DepartmentTask.objects.get(pk=obj.pk).title,
    ),
    Case(
        "notifications:webhook_update",
        lambda w: WebhookSubscription.objects.create(name="CRM", url="https://crm.example/in"),
        _set(WebhookSubscription, name="Theirs"),
        "Name: “CRM” → “Theirs”",
        {"format": "slack"},
        lambda obj: WebhookSubscription.objects.get(pk=obj.pk).format,
    ),
    Case(
        "sla:source_update",
        lambda w: live_source(w.users.service_manager),
        _set(IncidentSource, name="Theirs"),
        "Name: “ServiceNow” → “Theirs”",
        {"time_zone": "Europe/Berlin"},
        lambda obj: IncidentSource.objects.get(pk=obj.pk).time_zone,
    ),
]


def live_source(by) -> IncidentSource:
    source = IncidentSource(name="ServiceNow", preset="servicenow", time_zone="Europe/Moscow")
    inbound.create_source(source, by=by)
    return source


@pytest.fixture
def world(users, tam_client, department):
    return SimpleNamespace(users=users, client=tam_client, department=department)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_stale_save_is_refused_with_the_changes_shown(client, world, case):
    obj = case.make(world)
    url = reverse(case.url_name, args=[obj.pk])
    client.force_login(world.users.admin)
    page = client.get(url)
    assert page.status_code == 200
    data = posted(page.context["form"], page.content.decode())
    case.theirs(obj)
    before = case.stored(obj)
    data.update(case.mine)

    response = client.post(url, data)

    assert response.status_code == 200, "a stale save must not be saved"
    html = response.content.decode()
    assert "Someone else changed this record after you opened it" in html
    assert case.change_shown in html
    assert case.stored(obj) == before, "nothing is written"
    form = response.context["form"]
    for name, value in case.mine.items():
        assert form[name].value() == value, "the user's input is kept"

    again = client.post(url, {**data, VERSION_FIELD: TOKEN.search(html).group(1)})

    assert again.status_code == 302, "saving again applies the user's values"
    assert case.stored(obj) != before


@pytest.mark.parametrize("case", CASES[:3], ids=str)
def test_a_save_without_someone_else_in_between_goes_through(client, world, case):
    obj = case.make(world)
    url = reverse(case.url_name, args=[obj.pk])
    client.force_login(world.users.admin)
    page = client.get(url)
    data = {**posted(page.context["form"], page.content.decode()), **case.mine}

    assert client.post(url, data).status_code == 302
    assert case.stored(obj) == next(iter(case.mine.values()))


def test_a_form_save_writes_only_the_fields_the_user_changed(client, world):
    url = reverse("directory:client_update", args=[world.client.pk])
    client.force_login(world.users.admin)
    page = client.get(url)
    data = {**posted(page.context["form"], page.content.decode()), "notes": "mine"}

    with CaptureQueriesContext(connection) as queries:
        assert client.post(url, data).status_code == 302

    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "directory_client"')]
    assert len(updates) == 1
    assert '"notes"' in updates[0] and '"updated_at"' in updates[0]
    assert '"tier"' not in updates[0] and '"name"' not in updates[0]


def test_a_new_policy_version_started_from_older_terms_is_refused(client, world):
    """Versions are append-only, but a new version starts from the terms in force: if someone
    adds a version meanwhile, saving would silently drop their terms."""
    policy, _version = new_policy(tier="standard", by=world.users.admin)
    url = reverse("sla:policy_version_create", args=[policy.pk])
    client.force_login(world.users.admin)
    page = client.get(url)
    data = posted(page.context["form"], page.content.decode())
    data.update(note="mine")
    sla_services.add_policy_version(
        policy,
        valid_from=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
        calendar=None,
        targets={"p1": (HOUR // 4, 4 * HOUR)},
        warning_thresholds=[50, 75],
        reaction_pause_statuses=["waiting_client"],
        resolution_pause_statuses=["waiting_client"],
        by=world.users.admin,
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Someone else changed this record after you opened it" in response.content.decode()
    assert policy.versions.count() == 2


# --- every edit page uses the mechanism --------------------------------------------------------

#: Pages that post but edit no field of a record a person fills in, with the reason.
NOT_EDITS = {
    "set_language": "the visitor's language",
    "login": "signs in",
    "logout": "signs out",
    "password_change": "the user's own password, checked against the old one",
    "calendars:calendar_import_holidays": "adds holidays; dates entered by hand are kept",
    "notifications:inbox_read_all": "the reader's own read flags",
    "notifications:notification_open": "the reader's own read flag",
    "notifications:notification_read": "the reader's own read flag",
    "notifications:notification_unread": "the reader's own read flag",
    "notifications:preferences": "the user's own preferences",
    "notifications:outbox_retry": "an action on a delivery, allowed from its current status",
    "notifications:outbox_retry_dead": "an action on deliveries, allowed from their status",
    "notifications:webhook_regenerate_secret": "replaces the secret; no field is typed in",
    "sla:source_rotate_token": "replaces the token; no field is typed in",
    "sla:incident_event_create": "appends an event, checked against the timeline under lock",
    "sla:import_start": "starts an import, checked against its status under lock",
    "sla:import_cancel": "drops an import not started, checked against its status under lock",
    "sla:import_resume": "resumes a failed import, checked against its status under lock",
    "sla:monthly_report_approve": "a status change, checked against the current status under lock",
    "sla:monthly_report_resend": "sends a sent report again; no field is typed in",
    "changes:change_transition": "a status change, checked against the current status",
    "changes:task_action": "a status change, checked against the current status",
    "changes:status_update": "sends a status update to the client",
    "changes:comment_create": "appends a comment",
    "changes:change_create_from_playbook": "creates a change",
    "changes:task_create": "creates a task",
    "changes:dependency_create": "creates a dependency",
    "changes:dependency_delete": "deletes a dependency",
    "core:api_tokens": "creates the user's own API token",
    "core:api_token_revoke": "revokes the user's own API token",
}
#: Read-only pages and creating or deleting pages, by the suffix of their URL name.
NOT_EDIT_SUFFIXES = ("_list", "_detail", "_create", "_delete", "_index", "_clocks", "_done")
READ_ONLY = {
    "sla:report",
    "sla:import_rejects",
    "sla:monthly_report_pdf",
    "api-schema",
    "api-docs",
    "healthz",
    "home",
    "jobs",
    "changes:board",
    "changes:department_queue",
    "notifications:inbox",
    "notifications:bell",
    "notifications:outbox",
}


def _pages():
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("api/"):
                    continue
                inner = pattern.namespace or namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, getattr(pattern.callback, "view_class", None)

    return list(walk(get_resolver().url_patterns))


def test_the_walk_finds_the_edit_pages():
    names = {name for name, _view in _pages()}
    assert {case.url_name for case in CASES} | {"sla:policy_version_create"} <= names


@pytest.mark.parametrize(("name", "view"), _pages(), ids=[name for name, _ in _pages()])
def test_every_edit_page_refuses_a_stale_save(name, view):
    if name in NOT_EDITS or name in READ_ONLY:
        return
    if view is not None and issubclass(view, ui.VersionedEditMixin):
        assert issubclass(view.form_class, VersionedFormMixin), (
            f"{name}: {view.form_class.__name__} must use core.forms.VersionedFormMixin"
        )
        return
    assert name.endswith(NOT_EDIT_SUFFIXES), (
        f"{name} is not classified: an edit page uses ui.VersionedEditMixin with a "
        "VersionedFormMixin form; a page that edits nothing is listed in NOT_EDITS or READ_ONLY"
    )
    assert view is None or not issubclass(view, ui.ObjectUpdateView), name
