"""Row-level read scoping (``tamdesk.core.scoping``): the read side of the permission matrix.

One small world, then for every role: the number of rows each API list and each generic list
page shows, and for records of every kind whether their detail is read (200) or unknown (404).
The policy is in docs/architecture.md ("Who reads what"). Also: every page and viewset of the
URL conf gets its rows through ``scoping.restrict``, and a model without ``visible_to`` cannot be
served.

The world (``department`` is "network", whose engineers are tam, other_tam, engineer and lead):

- Acme (``A``): account team tam (TAM) and architect. A contact, a component, an incident in no
  department, a change with one task in vmware, its own SLA policy.
- Globex (``B``): account team other_tam. A contact, a component, a change with a network task
  and a vmware task (the network people read the whole change) linked by a dependency.
- Initech (``C``): nobody's account. A contact, a component, an incident in network, its own SLA
  policy.
- Umbrella (``D``): nobody's account. A contact, a component, an incident in vmware assigned to
  the architect, a change with a vmware task.
- A tier policy, two departments, one playbook (and the four the migrations ship), one calendar
  with one exception; one in-app notification for tam.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tamdesk.calendars.models import Calendar, CalendarException
from tamdesk.changes.models import ChangeTemplate
from tamdesk.config.api_urls import router
from tamdesk.core import scoping, ui
from tamdesk.directory.models import Client, Competency, Contact
from tamdesk.notifications.models import Notification
from tamdesk.sla import monthly
from tamdesk.sla.imports import inbound
from tamdesk.sla.models import Incident, IncidentImport, IncidentSource, OLATarget, SLAPolicy
from tests.changes.factories import (
    ChangeRequestFactory,
    DepartmentTaskFactory,
    TaskDependencyFactory,
)
from tests.directory.factories import (
    AssignmentFactory,
    ClientFactory,
    ComponentFactory,
    ContactFactory,
    DepartmentFactory,
)
from tests.sla.factories import incident, policy
from tests.support import ROLES, api_for

pytestmark = pytest.mark.django_db

#: The roles that read everything.
EVERYTHING = {"admin", "administrator", "service_manager", "programme_lead"}
#: The network department's people (tam and other_tam are engineers there too).
NETWORK = {"tam", "other_tam", "engineer", "lead"}

# Readers of each client's records (client, components, account team, incidents and changes of
# theirs are narrower, below).
READS_A = EVERYTHING | {"tam", "architect"}
READS_B = EVERYTHING | NETWORK  # other_tam: account team; network: a task of theirs
READS_C = EVERYTHING | NETWORK  # network: an incident of theirs
READS_D = EVERYTHING | {"architect"}  # an incident assigned to her
EVERY_ROLE = set(ROLES) - {"norole"}


@pytest.fixture
def world(users, department):
    vmware = DepartmentFactory(code="vmware", name="VMware")
    a = ClientFactory(name="Acme", code="A")
    b = ClientFactory(name="Globex", code="B")
    c = ClientFactory(name="Initech", code="C")
    d = ClientFactory(name="Umbrella", code="D")
    AssignmentFactory(client=a, user=users.tam, role="tam")
    AssignmentFactory(client=a, user=users.architect, role="architect")
    assignment_b = AssignmentFactory(client=b, user=users.other_tam, role="tam")
    AssignmentFactory(  # ended: other_tam reads Acme no longer
        client=a,
        user=users.other_tam,
        role="backup_tam",
        start_on=dt.date(2024, 1, 1),
        end_on=dt.date(2024, 12, 31),
    )
    contacts = {
        key: ContactFactory(client=client) for key, client in zip("ABCD", (a, b, c, d), strict=True)
    }
    components = {
        key: ComponentFactory(client=client, department=department)
        for key, client in zip("ABCD", (a, b, c, d), strict=True)
    }
    own_a, _ = policy(client=a)
    own_c, _ = policy(client=c)
    tier, _ = policy(tier="premium")
    OLATarget.objects.create(department=department, priority="p1", target_seconds=3600)
    incidents = {
        "A": incident(a, by=users.admin, title="Acme down"),
        "C": incident(c, by=users.admin, title="Initech slow", department=department),
        "D": incident(d, by=users.admin, title="Umbrella VMs", department=vmware),
    }
    Incident.objects.filter(pk=incidents["D"].pk).update(assignee=users.architect)
    change_a = ChangeRequestFactory(client=a, owner=users.admin)
    change_b = ChangeRequestFactory(client=b, owner=users.admin)
    change_d = ChangeRequestFactory(client=d, owner=users.admin)
    DepartmentTaskFactory(change=change_a, department=vmware)
    network_b = DepartmentTaskFactory(change=change_b, department=department)
    vmware_b = DepartmentTaskFactory(change=change_b, department=vmware)
    DepartmentTaskFactory(change=change_d, department=vmware)
    link_b = TaskDependencyFactory(predecessor=network_b, successor=vmware_b)
    playbook = ChangeTemplate.objects.create(code="small-web", name="Small web")
    calendar = Calendar.objects.create(name="Office")
    inbound.create_source(IncidentSource(name="Live", preset="servicenow"), by=users.admin)
    CalendarException.objects.create(calendar=calendar, date=dt.date(2026, 12, 31), kind="closed")
    last_month = monthly.add_months(timezone.localdate().replace(day=1), -1)
    monthly_reports = {
        key: monthly.generate_report(client=client, month=last_month)
        for key, client in (("A", a), ("C", c))
    }
    Notification.objects.all().delete()  # the services' own: not part of this world
    Notification.objects.create(
        event_type="test",
        event_key="test:1",
        dedup_key="test:1:tam",
        channel="in_app",
        recipient_user=users.tam,
        subject="Hello",
        status="sent",
    )
    # An import the TAM started (the administrators and service managers read it too).
    IncidentImport.objects.create(created_by=users.tam, preset="generic", file_name="tam.csv")
    return SimpleNamespace(
        users=users,
        clients={"A": a, "B": b, "C": c, "D": d},
        contacts=contacts,
        components=components,
        assignment_b=assignment_b,
        incidents=incidents,
        changes={"A": change_a, "B": change_b, "D": change_d},
        vmware_b=vmware_b,
        link_b=link_b,
        policies={"A": own_a, "C": own_c, "tier": tier},
        department=department,
        engineer=users.engineer.engineer,
        playbook=playbook,
        calendar=calendar,
        monthly_reports=monthly_reports,
    )


# --- the lists: rows seen per role -----------------------------------------------------------

#: Column order of the tables below.
COLUMNS = (
    "admin",
    "administrator",
    "service_manager",
    "programme_lead",
    "tam",
    "other_tam",
    "engineer",
    "lead",
    "architect",
)
#: Rows each role sees in each API list (``/api/v1/<path>/``), in the order of ``COLUMNS``;
#: None: refused (403). A user without a role is refused every list but their own inbox and
#: tokens.
# fmt: off
API_LISTS = {
    #                             adm adm-r    SM    PL   tam o-tam   eng  lead  arch
    "departments":              (   2,    2,    2,    2,    2,    2,    2,    2,    2),
    "engineers":                (   4,    4,    4,    4,    4,    4,    4,    4,    4),
    "clients":                  (   4,    4,    4,    4,    3,    2,    2,    2,    2),
    "contacts":                 (   4,    4,    4,    4,    1,    1,    0,    0,    1),
    "account-team-assignments": (   4,    4,    4,    4,    4,    1,    1,    1,    3),
    "components":               (   4,    4,    4,    4,    3,    2,    2,    2,    2),
    "calendars":                (   1,    1,    1,    1,    1,    1,    1,    1,    1),
    "calendar-exceptions":      (   1,    1,    1,    1,    1,    1,    1,    1,    1),
    "sla-policies":             (   3,    3,    3,    3,    3,    2,    2,    2,    2),
    "incidents":                (   3,    3,    3,    3,    2,    1,    1,    1,    2),
    "changes":                  (   3,    3,    3,    3,    2,    1,    1,    1,    1),
    "change-tasks":             (   4,    4,    4,    4,    3,    2,    2,    2,    1),
    "task-dependencies":        (   1,    1,    1,    1,    1,    1,    1,    1,    0),
    "change-templates":         (   5,    5,    5,    5,    5,    5,    5,    5,    5),
    "notifications":            (   0,    0,    0,    0,    1,    0,    0,    0,    0),
    "auth/tokens":              (   0,    0,    0,    0,    0,    0,    0,    0,    0),
    "outbox":                   (   1,    1, None, None, None, None, None, None, None),
    "webhook-subscriptions":    (   0,    0, None, None, None, None, None, None, None),
    "job-runs":                 (   0,    0, None, None, None, None, None, None, None),
    "incident-imports":         (   1,    1,    1,    0,    1,    0,    0,    0,    0),
}
# fmt: on
#: The same for the generic list pages (``ui.ObjectListView``) and the change board.
# fmt: off
PAGE_LISTS = {
    #                               adm adm-r    SM    PL   tam o-tam   eng  lead  arch
    "directory:department_list":  (   2,    2,    2,    2,    2,    2,    2,    2,    2),
    "directory:engineer_list":    (   4,    4,    4,    4,    4,    4,    4,    4,    4),
    "directory:client_list":      (   4,    4,    4,    4,    3,    2,    2,    2,    2),
    "directory:contact_list":     (   4,    4,    4,    4,    1,    1,    0,    0,    1),
    "directory:assignment_list":  (   4,    4,    4,    4,    4,    1,    1,    1,    3),
    "directory:component_list":   (   4,    4,    4,    4,    3,    2,    2,    2,    2),
    "directory:user_list":        (  10,   10, None, None, None, None, None, None, None),
    "calendars:calendar_list":    (   1,    1,    1,    1,    1,    1,    1,    1,    1),
    "calendars:exception_list":   (   1,    1,    1,    1,    1,    1,    1,    1,    1),
    "sla:policy_list":            (   3,    3,    3,    3,    3,    2,    2,    2,    2),
    "sla:incident_list":          (   3,    3,    3,    3,    2,    1,    1,    1,    2),
    "sla:source_list":            (   1,    1,    1, None, None, None, None, None, None),
    "sla:ola_list":               (   1,    1,    1, None, None, None, None,    1, None),
    "sla:monthly_report_list":    (   2,    2,    2,    2,    1,    0,    0,    0,    1),
    "changes:change_list":        (   3,    3,    3,    3,    2,    1,    1,    1,    1),
    "changes:board":              (   3,    3,    3,    3,    2,    1,    1,    1,    1),
    "notifications:outbox":       (   1,    1, None, None, None, None, None, None, None),
    "notifications:webhook_list": (   0,    0, None, None, None, None, None, None, None),
    "sla:import_list":            (   1,    1,    1,    0,    1,    0,    0,    0,    0),
}
# fmt: on
OWN_LISTS = {"notifications", "auth/tokens"}


def expected_rows(table: dict, name: str, role: str) -> int | None:
    return table[name][COLUMNS.index(role)]


def test_the_tables_cover_every_api_list_and_every_generic_list_page():
    assert set(API_LISTS) == {prefix for prefix, _viewset, _basename in router.registry}
    list_pages = {
        name for name, view_class in named_views() if issubclass(view_class, ui.ObjectListView)
    }
    assert list_pages <= set(PAGE_LISTS)


def board_rows(response) -> int:
    return sum(len(column.cards) for column in response.context["columns"])


@pytest.mark.parametrize("role", ROLES)
def test_api_lists_show_the_rows_the_role_reads(world, role):
    api = api_for(world.users, role)
    seen, expected = {}, {}
    for path in API_LISTS:
        response = api.get(f"/api/v1/{path}/")
        if role == "norole":
            expected[path] = 0 if path in OWN_LISTS else None
        else:
            expected[path] = expected_rows(API_LISTS, path, role)
        seen[path] = response.data["count"] if response.status_code == 200 else None
        if seen[path] is None:
            assert response.status_code == 403, (path, response.status_code)
    assert seen == expected


@pytest.mark.parametrize("role", ROLES)
def test_list_pages_show_the_rows_the_role_reads(client, world, role):
    client.force_login(getattr(world.users, role))
    seen, expected = {}, {}
    for name in PAGE_LISTS:
        response = client.get(reverse(name))
        expected[name] = None if role == "norole" else expected_rows(PAGE_LISTS, name, role)
        if response.status_code != 200:
            assert response.status_code == 403, (name, response.status_code)
            seen[name] = None
        elif name == "changes:board":
            seen[name] = board_rows(response)
        else:
            seen[name] = response.context["page_obj"].paginator.count
    assert seen == expected


# --- the details: read (200) or unknown (404) --------------------------------------------------


def details(w) -> list[tuple[str, str | None, object, set[str]]]:
    """(API path, page URL name or None, record, who reads it)."""
    return [
        ("clients", "directory:client_detail", w.clients["A"], READS_A),
        ("clients", "directory:client_detail", w.clients["B"], READS_B),
        ("clients", "directory:client_detail", w.clients["C"], READS_C),
        ("clients", "directory:client_detail", w.clients["D"], READS_D),
        # Contacts: the account team's only, never the departments working on the client.
        ("contacts", "directory:contact_detail", w.contacts["A"], READS_A),
        ("contacts", "directory:contact_detail", w.contacts["B"], EVERYTHING | {"other_tam"}),
        ("contacts", "directory:contact_detail", w.contacts["C"], EVERYTHING),
        ("contacts", "directory:contact_detail", w.contacts["D"], EVERYTHING),
        ("components", "directory:component_detail", w.components["C"], READS_C),
        ("components", "directory:component_detail", w.components["D"], READS_D),
        ("account-team-assignments", "directory:assignment_detail", w.assignment_b, READS_B),
        ("incidents", "sla:incident_detail", w.incidents["A"], READS_A),
        ("incidents", "sla:incident_detail", w.incidents["C"], READS_C),
        ("incidents", "sla:incident_detail", w.incidents["D"], READS_D),
        ("sla-policies", "sla:policy_detail", w.policies["A"], READS_A),
        ("sla-policies", "sla:policy_detail", w.policies["C"], READS_C),
        ("sla-policies", "sla:policy_detail", w.policies["tier"], EVERY_ROLE),
        ("changes", "changes:change_detail", w.changes["A"], READS_A),
        ("changes", "changes:change_detail", w.changes["B"], READS_B),
        ("changes", "changes:change_detail", w.changes["D"], EVERYTHING),
        # The whole plan of a change one reads: its vmware task too.
        ("change-tasks", "changes:task_update", w.vmware_b, READS_B),
        ("task-dependencies", None, w.link_b, READS_B),
        ("departments", "directory:department_detail", w.department, EVERY_ROLE),
        ("engineers", "directory:engineer_detail", w.engineer, EVERY_ROLE),
        ("calendars", "calendars:calendar_detail", w.calendar, EVERY_ROLE),
        ("change-templates", None, w.playbook, EVERY_ROLE),
        # Monthly reports: the client's account team, not the departments working on it.
        (
            None,
            "sla:monthly_report_detail",
            w.monthly_reports["A"],
            EVERYTHING | {"tam", "architect"},
        ),
        (None, "sla:monthly_report_detail", w.monthly_reports["C"], EVERYTHING),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_a_record_is_read_or_unknown(client, world, role):
    api = api_for(world.users, role)
    client.force_login(getattr(world.users, role))
    seen, expected = [], []
    for path, page, record, readers in details(world):
        status = 403 if role == "norole" else 200 if role in readers else 404
        label = f"{type(record).__name__} {record}"
        if path is not None:  # None: a record the API does not serve
            expected.append((path, label, status))
            seen.append((path, label, api.get(f"/api/v1/{path}/{record.pk}/").status_code))
        if page is None or (page == "changes:task_update" and status == 200):
            continue  # the task's edit page is for the people who edit the change
        expected.append((page, label, status))
        seen.append((page, label, client.get(reverse(page, args=[record.pk])).status_code))
    assert seen == expected


def test_writing_a_record_one_does_not_read_is_a_404_and_changes_nothing(world):
    contact = world.contacts["C"]
    response = api_for(world.users, "engineer").patch(
        f"/api/v1/contacts/{contact.pk}/", {"phone": "+1"}, format="json"
    )
    assert response.status_code == 404
    assert response.data["code"] == "not_found"
    contact.refresh_from_db()
    assert contact.phone != "+1"


def test_a_filter_offers_only_the_clients_one_reads(client, world):
    client.force_login(world.users.architect)

    response = client.get(reverse("directory:component_list"))

    choices = response.context["filter"].form.fields["client"].queryset
    assert set(choices) == {world.clients["A"], world.clients["D"]}


def test_the_engineer_sees_the_clients_of_her_department_without_their_contacts(client, world):
    client.force_login(world.users.engineer)

    content = client.get(world.clients["C"].get_absolute_url()).content.decode()

    assert "shown to its account team only" in content
    assert world.contacts["C"].name not in content


# --- one place: every page and viewset reads through scoping.restrict ---------------------------


def named_views() -> list[tuple[str, type]]:
    """(URL name, view class) of every ``ui.ModelView`` in the URL conf."""
    found = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                view_class = getattr(pattern.callback, "view_class", None)
                if view_class is not None and issubclass(view_class, ui.ModelView):
                    found.append((f"{namespace}{pattern.name}", view_class))

    walk(get_resolver().url_patterns, "")
    return found


def test_every_model_page_reads_through_restrict(users):
    request = RequestFactory().get("/")
    request.user = users.admin
    views = named_views()
    assert len(views) > 50
    for name, view_class in views:
        view = view_class()
        view.setup(request, pk=1, action="start")
        with mock.patch.object(scoping, "restrict", wraps=scoping.restrict) as restrict:
            queryset = view.get_queryset()
        assert restrict.called, name
        assert queryset.model is view.model, name


def test_every_viewset_reads_through_restrict(users):
    request = RequestFactory().get("/")
    request.user = users.admin
    for prefix, viewset, _basename in router.registry:
        view = viewset(request=request, format_kwarg=None, action="list", kwargs={})
        with mock.patch.object(scoping, "restrict", wraps=scoping.restrict) as restrict:
            view.get_queryset()
        assert restrict.called, prefix


def test_a_model_without_visible_to_cannot_be_served():
    with pytest.raises(ImproperlyConfigured, match="Competency"):
        scoping.restrict(Competency.objects.all(), None)


@pytest.mark.parametrize("model", [Client, Incident, SLAPolicy], ids=lambda model: model.__name__)
def test_nobody_without_a_role_reads_a_row(users, world, model):
    assert not model.objects.visible_to(users.norole).exists()
    assert not model.objects.visible_to(None).exists()


def test_who_opens_an_incident_reads_it_and_its_client_but_not_its_contacts(world):
    umbrella = world.clients["D"]
    opened = incident(umbrella, by=world.users.engineer, title="Seen on the dashboard")
    engineer = world.users.engineer

    assert opened in Incident.objects.visible_to(engineer)
    assert umbrella in Client.objects.visible_to(engineer)
    assert not Contact.objects.visible_to(engineer).filter(client=umbrella).exists()


def test_an_engineer_opens_an_incident_for_a_client_she_does_not_read_and_then_reads_it(
    client, world
):
    """Opening an incident is open to any client (the write rule; the API agrees): the form
    offers every client, not only the ones read (``choices_beyond_reading``)."""
    from tests.sla.test_views_incidents import open_form

    umbrella = world.clients["D"]
    client.force_login(world.users.engineer)
    assert not Client.objects.visible_to(world.users.engineer).filter(pk=umbrella.pk).exists()

    form = client.get(reverse("sla:incident_create")).context["form"]
    assert umbrella in form.fields["client"].queryset

    response = client.post(
        reverse("sla:incident_create"), open_form(umbrella, external_id="ZBX-beyond")
    )

    opened = Incident.objects.get(external_id="ZBX-beyond")
    assert response.status_code == 302
    assert response.url == opened.get_absolute_url()
    assert client.get(response.url).status_code == 200


def test_a_restricted_queryset_without_its_own_visible_to_is_a_configuration_error(users):
    with pytest.raises(ImproperlyConfigured, match="Client is served"):
        scoping.RestrictedQuerySet(model=Client).visible_to(users.tam)
