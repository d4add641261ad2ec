"""The incident pages: live clocks on the list and the incident page (time frozen), the table's
refresh, filters, a bounded number of queries, opening an incident and appending events —
refused input comes back as field errors with nothing stored."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from tamdesk.sla.models import Incident, IncidentEvent
from tamdesk.sla.services import NewEvent
from tests.directory.factories import AssignmentFactory, ClientFactory, DepartmentFactory
from tests.sla.factories import HOUR, at, incident, office_calendar, policy

pytestmark = pytest.mark.django_db
LIST = "/sla/incidents/"


@pytest.fixture
def office(db):
    return office_calendar()


@pytest.fixture
def sla(tam_client, office, users):
    """P3: reaction 4 h, resolution 24 h of office time (Mon–Fri 09–13, 14–18 Moscow);
    warnings at 50 and 75 %."""
    return policy(client=tam_client, calendar=office, by=users.administrator)


def row(content: str, pk: int) -> str:
    start = content.index(f'data-incident="{pk}"')
    return content[start : content.index("</tr>", start)]


def clock_html(content: str, kind: str) -> str:
    start = content.index(f'data-clock="{kind}"')
    return content[start : content.index("</div>\n", start)]


# --- live clocks ---------------------------------------------------------------------------


def test_list_shows_a_running_clock_with_its_time_left_and_due_time(client, users, sla):
    web = incident(sla[0].client, by=users.tam)  # Monday 09:00 Moscow, P3
    client.force_login(users.tam)  # an engineer in Europe/Moscow

    with time_machine.travel(at(1), tick=False):  # 10:00: 1 h of 4 used
        content = client.get(LIST).content.decode()

    reaction = clock_html(row(content, web.pk), "reaction")
    assert 'data-state="running"' in reaction
    assert "text-bg-success" in reaction
    assert "3:00" in reaction
    assert "2026-11-23 13:00" in reaction  # due at 13:00 Moscow, when lunch starts


def test_a_clock_past_its_first_threshold_turns_amber(client, users, sla):
    web = incident(sla[0].client, by=users.tam)
    client.force_login(users.tam)

    with time_machine.travel(at(2.5), tick=False):  # 11:30: 2.5 h of 4, past 50 %
        content = client.get(LIST).content.decode()

    reaction = clock_html(row(content, web.pk), "reaction")
    assert "text-bg-warning" in reaction and "1:30" in reaction


def test_a_breached_clock_is_red_with_its_overdue_time(client, users, sla):
    web = incident(sla[0].client, by=users.tam)
    client.force_login(users.tam)

    # Stored clocks still say "running": the page measures at render time.
    with time_machine.travel(at(6.5), tick=False):  # 15:30: 4 h by 13:00, then 14:00-15:30
        content = client.get(LIST).content.decode()

    reaction = clock_html(row(content, web.pk), "reaction")
    assert 'data-state="breached"' in reaction
    assert "text-bg-danger" in reaction
    assert "\u22121:30" in reaction  # 1:30 overdue
    assert "breached 2026-11-23 13:00" in reaction


def test_times_are_shown_in_the_viewers_time_zone(client, users, sla):
    incident(sla[0].client, by=users.tam)
    client.force_login(users.administrator)  # no engineer profile: the instance's zone, UTC

    with time_machine.travel(at(1), tick=False):
        content = client.get(LIST).content.decode()

    assert "2026-11-23 10:00" in content  # due 13:00 Moscow = 10:00 UTC
    assert "(UTC)" in content


def test_an_incident_without_a_policy_shows_no_sla(client, users, tam_client):
    web = incident(tam_client, by=users.tam)
    client.force_login(users.tam)

    with time_machine.travel(at(1), tick=False):
        content = client.get(LIST).content.decode()

    assert 'data-state="no_target"' in row(content, web.pk)
    assert "No SLA" in row(content, web.pk)


def test_incident_page_shows_both_clocks_the_timeline_and_the_policy(client, users, sla):
    web = incident(
        sla[0].client,
        by=users.tam,
        events=[NewEvent("first_response", at(0.5), note="On it")],
        now=at(0.5),
    )
    client.force_login(users.tam)

    with time_machine.travel(at(2), tick=False):
        content = client.get(web.get_absolute_url()).content.decode()

    reaction = content[content.index('data-clock="reaction"') :]
    assert 'data-state="met"' in reaction[:200]
    resolution = content[content.index('data-clock="resolution"') :]
    assert 'data-state="running"' in resolution[:200]
    assert "22:00" in resolution[:2000]  # 24 h target, 2 h used
    assert "50 %: 2026-11-24 13:00" in resolution[:4000]  # 12 working hours: Tuesday 13:00
    timeline = content[content.index('id="timeline"') :]
    assert timeline.index('data-event="opened"') < timeline.index('data-event="first_response"')
    assert "On it" in timeline
    assert sla[1].get_absolute_url() in content
    assert f'hx-get="{reverse("sla:incident_clocks", args=[web.pk])}"' in content
    assert 'hx-trigger="every 30s"' in content


def test_the_clocks_card_refreshes_alone_and_moves_on(client, users, sla, department):
    web = incident(sla[0].client, by=users.tam, department=department)  # hers to read
    client.force_login(users.engineer)
    address = reverse("sla:incident_clocks", args=[web.pk])

    with time_machine.travel(at(1), tick=False):
        before = client.get(address, HTTP_HX_REQUEST="true").content.decode()
    with time_machine.travel(at(5.5), tick=False):  # 14:30: the 4 h ran out at 13:00
        after = client.get(address, HTTP_HX_REQUEST="true").content.decode()

    assert "<html" not in before
    assert 'id="incident-clocks"' in before and 'hx-trigger="every 30s"' in before
    assert 'data-state="running"' in clock_html(before, "reaction")
    assert 'data-state="breached"' in clock_html(after, "reaction")
    # A reached warning says so in text, not in an aria-label on an <i> (not allowed there).
    assert '<span class="visually-hidden">reached</span>' in after
    assert not re.search(r"<i [^>]*aria-label", after)


# --- the list: refresh, filters, queries ---------------------------------------------------


def test_the_table_refreshes_itself_every_30_seconds_keeping_the_filters(client, users, sla):
    incident(sla[0].client, by=users.tam)
    client.force_login(users.tam)

    with time_machine.travel(at(1), tick=False):
        page = client.get(LIST + "?priority=p3").content.decode()
        fragment = client.get(LIST + "?priority=p3", HTTP_HX_REQUEST="true").content.decode()

    assert 'id="list-filter"' in page
    assert "<html" not in fragment and 'id="list-filter"' not in fragment
    poller = re.search(r'<div id="incident-refresh"[^>]*>', fragment)[0]
    assert 'hx-trigger="every 30s"' in poller
    assert 'hx-get="/sla/incidents/?priority=p3"' in poller
    assert 'hx-push-url="false"' in poller
    # It waits while the keyboard focus is in the table (tamdesk.js), not to lose the reader.
    assert 'data-pause-while-focused="#list-results"' in poller
    assert 'data-state="running"' in fragment


def _listed(client, query: str) -> set[int]:
    with time_machine.travel(at(6.5), tick=False):
        content = client.get(LIST + query).content.decode()
    return {int(pk) for pk in re.findall(r'<tr data-incident="(\d+)"', content)}


def test_filters(client, users, sla, department):
    acme = sla[0].client
    other = ClientFactory(name="Other Ltd")
    p1 = incident(acme, by=users.tam, priority="p1", title="Core switch down")
    p3 = incident(acme, by=users.tam, external_id="ZBX-42", source_system="zabbix")
    paused = incident(
        acme,
        by=users.tam,
        events=[NewEvent("status_changed", at(0.5), "waiting_client")],
        now=at(0.5),
        title="Waiting",
    )
    done = incident(
        other,
        by=users.tam,
        department=department,
        assignee=users.engineer,
        events=[NewEvent("resolved", at(0.5))],
        now=at(0.5),
    )
    client.force_login(users.tam)

    assert _listed(client, "") == {p1.pk, p3.pk, paused.pk, done.pk}
    assert _listed(client, "?priority=p1") == {p1.pk}
    assert _listed(client, f"?client={other.pk}") == {done.pk}
    assert _listed(client, f"?department={department.pk}") == {done.pk}
    assert _listed(client, f"?assignee={users.engineer.pk}") == {done.pk}
    assert _listed(client, "?status=waiting_client") == {paused.pk}
    assert _listed(client, "?clock_state=paused") == {paused.pk}
    assert _listed(client, "?is_open=false") == {done.pk}
    assert _listed(client, "?is_open=true") == {p1.pk, p3.pk, paused.pk}
    assert _listed(client, "?q=zbx-4") == {p3.pk}
    assert _listed(client, "?q=core") == {p1.pk}
    assert _listed(client, "?opened_from=2026-11-24") == set()
    assert _listed(client, "?opened_to=2026-11-23") == {p1.pk, p3.pk, paused.pk, done.pk}
    # As stored: P1's reaction (30 min) is due at 09:30, P3's at 13:00.
    assert _listed(client, "?breaching_within=100") >= {p1.pk, p3.pk}


def test_breaching_soon_and_breached_read_the_stored_clocks(client, users, sla):
    acme = sla[0].client
    with time_machine.travel(at(0.25), tick=False):
        p1 = incident(acme, by=users.tam, priority="p1", now=at(0.25))  # reaction due 09:30
        p3 = incident(acme, by=users.tam, now=at(0.25))  # reaction due 13:00
    client.force_login(users.tam)

    with time_machine.travel(at(0.25), tick=False):
        soon = client.get(LIST + "?breaching_within=1").content.decode()
    assert {int(pk) for pk in re.findall(r'<tr data-incident="(\d+)"', soon)} == {p1.pk}

    from tamdesk.sla import services

    services.alert_due(now=at(1))  # the alert job, a minute after 10:00
    assert _listed(client, "?clock_state=breached") == {p1.pk}
    assert p3.pk in _listed(client, "?clock_state=running")


def test_sorting_by_due_time(client, users, sla):
    acme = sla[0].client
    p4 = incident(acme, by=users.tam, priority="p4")
    p1 = incident(acme, by=users.tam, priority="p1")
    client.force_login(users.tam)

    with time_machine.travel(at(0.1), tick=False):
        content = client.get(LIST + "?ordering=reaction_due_at").content.decode()

    assert content.index(f'data-incident="{p1.pk}"') < content.index(f'data-incident="{p4.pk}"')


def test_list_query_count_does_not_grow_with_the_incidents(
    client, users, sla, office, django_assert_max_num_queries
):
    other_policy_client = ClientFactory(name="Beta")
    AssignmentFactory(client=other_policy_client, user=users.tam, role="tam")
    policy(client=other_policy_client, calendar=None, by=users.administrator)
    departments = [DepartmentFactory(name=f"Dept {n}") for n in range(3)]
    for number in range(30):
        incident(
            sla[0].client if number % 2 else other_policy_client,
            by=users.tam,
            title=f"Incident {number:02d}",
            priority=("p1", "p2", "p3", "p4")[number % 4],
            department=departments[number % 3],
            assignee=users.engineer,
            events=[NewEvent("comment", at(0.1), note="seen")],
            now=at(0.2),
        )
    client.force_login(users.tam)

    with time_machine.travel(at(3), tick=False), django_assert_max_num_queries(18):
        response = client.get(LIST)
    with time_machine.travel(at(3), tick=False), django_assert_max_num_queries(16):
        fragment = client.get(LIST + "?page=2", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response.content.decode().count("<tr data-incident=") == 25
    assert 'rel="next"' in response.content.decode()
    assert fragment.content.decode().count("<tr data-incident=") == 5


# --- opening an incident -------------------------------------------------------------------


def open_form(client_record, **changes) -> dict:
    data = {
        "client": client_record.pk,
        "title": "Mail relay queue growing",
        "description": "",
        "priority": "p2",
        "status": "new",
        "department": "",
        "assignee": "",
        "source_system": "zabbix",
        "external_id": "ZBX-7",
        "opened_at": "2026-11-23T09:30",
    }
    data.update(changes)
    return data


def test_open_an_incident_in_the_viewers_time_zone(client, users, sla, department):
    client.force_login(users.tam)

    with time_machine.travel(at(1), tick=False):
        response = client.post(
            reverse("sla:incident_create"),
            open_form(sla[0].client, department=department.pk, assignee=users.engineer.pk),
        )

    created = Incident.objects.get()
    assert response.status_code == 302 and response.url == created.get_absolute_url()
    assert created.opened_at == at(0.5)  # 09:30 Moscow
    assert (created.department, created.assignee) == (department, users.engineer)
    assert created.policy_version == sla[1]
    assert created.clocks.count() == 2
    assert created.events.get().by == users.tam


def test_open_without_a_time_opens_now(client, users, sla):
    client.force_login(users.tam)

    with time_machine.travel(at(1), tick=False):
        client.post(reverse("sla:incident_create"), open_form(sla[0].client, opened_at=""))

    assert Incident.objects.get().opened_at == at(1)


def test_the_client_is_preselected_from_the_address(client, users, sla):
    client.force_login(users.tam)

    content = client.get(
        reverse("sla:incident_create") + f"?client={sla[0].client.pk}"
    ).content.decode()

    assert f'<option value="{sla[0].client.pk}" selected>' in content


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"priority": "p9"}, "priority", "Select a valid choice."),
        ({"opened_at": "yesterday"}, "opened_at", "Enter a valid date/time."),
        ({"opened_at": "2026-11-23T18:00"}, "opened_at", "cannot be in the future"),
        ({"status": "resolved"}, "status", "Select a valid choice."),
    ],
)
def test_bad_input_when_opening_shows_field_errors(client, users, sla, changes, field, message):
    client.force_login(users.tam)

    with time_machine.travel(at(1), tick=False):
        response = client.post(reverse("sla:incident_create"), open_form(sla[0].client, **changes))

    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert not Incident.objects.exists()


def test_a_known_external_id_is_refused_on_its_field(client, users, sla):
    incident(sla[0].client, by=users.tam, source_system="zabbix", external_id="ZBX-7")
    client.force_login(users.tam)

    with time_machine.travel(at(1), tick=False):
        response = client.post(reverse("sla:incident_create"), open_form(sla[0].client))

    assert "already has an incident" in response.context["form"].errors["external_id"][0]
    assert Incident.objects.count() == 1


def test_onlookers_cannot_open_incidents(client, users, sla):
    client.force_login(users.architect)

    with time_machine.travel(at(1), tick=False):
        response = client.post(reverse("sla:incident_create"), open_form(sla[0].client))

    assert response.status_code == 403
    assert not Incident.objects.exists()


def test_edit_title_and_description_only(client, users, sla, department):
    web = incident(sla[0].client, by=users.tam, department=department)  # hers to read
    client.force_login(users.engineer)

    with time_machine.travel(at(1), tick=False):
        response = client.post(
            reverse("sla:incident_update", args=[web.pk]),
            {"title": "Web farm down", "description": "All nodes", "priority": "p1"},
        )

    web.refresh_from_db()
    assert response.status_code == 302
    assert (web.title, web.description, web.priority) == ("Web farm down", "All nodes", "p3")


# --- appending events ----------------------------------------------------------------------


def post_event(client, web, **data):
    return client.post(reverse("sla:incident_event_create", args=[web.pk]), data)


def test_a_status_change_is_recorded_and_pauses_the_clocks(client, users, sla, department):
    web = incident(sla[0].client, by=users.tam, department=department)  # hers to read
    client.force_login(users.engineer)

    with time_machine.travel(at(1), tick=False):
        response = post_event(client, web, kind="status_changed", status="waiting_client")
        content = client.get(web.get_absolute_url()).content.decode()

    assert response.status_code == 302 and response.url == web.get_absolute_url()
    web.refresh_from_db()
    assert web.status == "waiting_client"
    event = web.events.get(kind="status_changed")
    assert (event.from_value, event.to_value, event.at, event.by) == (
        "new",
        "waiting_client",
        at(1),
        users.engineer,
    )
    assert 'data-state="paused"' in clock_html(content, "reaction")
    assert "Recorded: Status changed." in content


def test_an_event_in_the_past_is_dated_in_the_viewers_time_zone(client, users, sla):
    web = incident(sla[0].client, by=users.tam)
    client.force_login(users.tam)

    with time_machine.travel(at(3), tick=False):
        post_event(client, web, kind="first_response", at="2026-11-23T10:15", note="Called")

    event = web.events.get(kind="first_response")
    assert (event.at, event.note) == (at(1.25), "Called")
    web.refresh_from_db()
    assert web.first_response_at == at(1.25)


def test_reassigning_sets_department_and_assignee(client, users, sla, department):
    web = incident(sla[0].client, by=users.tam, assignee=users.lead)  # hers to read
    client.force_login(users.lead)

    with time_machine.travel(at(1), tick=False):
        post_event(
            client, web, kind="reassigned", department=department.pk, assignee=users.engineer.pk
        )

    web.refresh_from_db()
    assert (web.department, web.assignee) == (department, users.engineer)


def test_an_event_before_the_last_one_is_a_field_error_and_nothing_is_stored(client, users, sla):
    web = incident(sla[0].client, by=users.tam, opened=at(1), now=at(1))
    client.force_login(users.tam)

    with time_machine.travel(at(2), tick=False):
        response = post_event(client, web, kind="comment", at="2026-11-23T09:30", note="early")

    assert response.status_code == 200
    errors = response.context["event_form"].errors
    assert "time order" in errors["at"][0]
    assert IncidentEvent.objects.filter(incident=web).count() == 1
    content = response.content.decode()
    assert 'id="at_error"' in content or 'id="id_at_error"' in content


def test_an_event_in_the_future_is_a_field_error(client, users, sla):
    web = incident(sla[0].client, by=users.tam)
    client.force_login(users.tam)

    with time_machine.travel(at(1), tick=False):
        response = post_event(client, web, kind="comment", at="2026-11-23T12:00")

    assert "future" in response.context["event_form"].errors["at"][0]
    assert web.events.count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "status_changed", "status": ""}, "status", "This field is required."),
        ({"kind": "status_changed", "status": "new"}, "status", "Select a valid choice."),
        ({"kind": "priority_changed", "priority": "p3"}, "priority", "Select a valid choice."),
        ({"kind": "reopened"}, "kind", "Select a valid choice."),
        ({"kind": "reassigned"}, "__all__", "Choose a department"),
        ({"kind": "comment", "at": "soon"}, "at", "Enter a valid date/time."),
    ],
)
def test_bad_event_input_shows_field_errors(client, users, sla, data, field, message):
    web = incident(sla[0].client, by=users.tam)
    client.force_login(users.tam)

    with time_machine.travel(at(1), tick=False):
        response = post_event(client, web, **data)

    assert response.status_code == 200
    assert message in response.context["event_form"].errors[field][0]
    assert web.events.count() == 1


def test_a_closed_incident_takes_comments_only(client, users, sla):
    web = incident(
        sla[0].client,
        by=users.tam,
        events=[NewEvent("resolved", at(0.5)), NewEvent("closed", at(0.6))],
        now=at(0.6),
    )
    client.force_login(users.tam)

    with time_machine.travel(at(1), tick=False):
        refused = post_event(client, web, kind="reopened", status="in_progress")
        accepted = post_event(client, web, kind="comment", note="Client thanked us")

    assert "kind" in refused.context["event_form"].errors
    assert accepted.status_code == 302
    assert web.events.last().note == "Client thanked us"


def test_the_timeline_shows_where_resolving_and_closing_lead(client, users, sla):
    # Given an incident taken in progress, resolved and closed
    web = incident(
        sla[0].client,
        by=users.tam,
        events=[
            NewEvent("status_changed", at(0.2), to_value="in_progress"),
            NewEvent("resolved", at(0.5)),
            NewEvent("closed", at(0.6)),
        ],
        now=at(0.6),
    )
    client.force_login(users.tam)

    with time_machine.travel(at(1), tick=False):
        response = client.get(web.get_absolute_url())

    # Then each event records and shows its transition, the arrow never points at nothing
    stored = list(web.events.order_by("seq").values_list("kind", "from_value", "to_value"))
    assert stored[1:] == [
        ("status_changed", "new", "in_progress"),
        ("resolved", "in_progress", "resolved"),
        ("closed", "resolved", "closed"),
    ]
    changes = {row["event"].kind: (row["from"], row["to"]) for row in response.context["timeline"]}
    assert changes["resolved"] == ("In progress", "Resolved")
    assert changes["closed"] == ("Resolved", "Closed")
    content = response.content.decode()
    table = content[content.index('id="timeline"') :]
    table = table[: table.index("</table>")]
    assert "In progress → Resolved" in table
    assert re.search(r"→\s*<", table) is None


def test_a_resolution_recorded_without_its_status_still_shows_it(client, users, sla):
    # Given a resolution stored before the event kept the status it leads to
    web = incident(sla[0].client, by=users.tam, events=[NewEvent("resolved", at(0.5))], now=at(0.5))
    IncidentEvent.objects.filter(incident=web, kind="resolved").update(to_value="")
    client.force_login(users.tam)

    with time_machine.travel(at(1), tick=False):
        response = client.get(web.get_absolute_url())

    changes = {row["event"].kind: (row["from"], row["to"]) for row in response.context["timeline"]}
    assert changes["resolved"] == ("New", "Resolved")


def test_changing_the_kind_swaps_the_form(client, users, sla):
    web = incident(sla[0].client, by=users.tam)
    client.force_login(users.tam)
    address = reverse("sla:incident_event_create", args=[web.pk])

    with time_machine.travel(at(1), tick=False):
        content = client.get(
            address, {"kind": "reassigned", "note": "hand over"}, HTTP_HX_REQUEST="true"
        ).content.decode()

    assert 'id="event-form"' in content[:400]
    assert "<html" not in content
    assert 'name="department"' in content and 'name="assignee"' in content
    assert 'name="status"' not in content
    assert "hand over" in content


def test_the_event_kinds_follow_the_incident(client, users, sla):
    web = incident(sla[0].client, by=users.tam, events=[NewEvent("resolved", at(0.5))], now=at(0.5))
    client.force_login(users.tam)

    with time_machine.travel(at(1), tick=False):
        form = client.get(web.get_absolute_url()).context["event_form"]

    # What the timeline allows a resolved incident (``timeline.kinds_allowed``): the API takes
    # a reassignment or a priority correction too.
    assert [value for value, _label in form.fields["kind"].choices] == [
        "reopened",
        "closed",
        "reassigned",
        "priority_changed",
        "comment",
    ]


def test_raising_the_priority_can_breach_at_once(client, users, sla):
    web = incident(sla[0].client, by=users.tam)
    client.force_login(users.tam)

    with time_machine.travel(at(1), tick=False):
        post_event(client, web, kind="priority_changed", priority="p1")
        content = client.get(web.get_absolute_url()).content.decode()

    web.refresh_from_db()
    assert web.priority == "p1"
    assert 'data-state="breached"' in clock_html(content, "reaction")  # P1: 30 min, 1 h gone
    assert web.clocks.get(kind="reaction").target_seconds == HOUR // 2
