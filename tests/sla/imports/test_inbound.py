"""Live incident sources (inbound webhooks): deliveries in and out of order, held rows released
by their predecessor or by the job, idempotency by event id, the token, malformed bodies, a
refused delivery writing nothing, Jira's webhook payload and a generic mapping."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from tamdesk.core import events as domain_events
from tamdesk.core.models import EventDelivery
from tamdesk.sla.imports import inbound
from tamdesk.sla.models import (
    InboundDelivery,
    Incident,
    IncidentClock,
    IncidentEvent,
    IncidentSource,
)
from tamdesk.sla.tasks import inbound_release
from tests.sla.factories import office_calendar, policy
from tests.support import db_state

pytestmark = pytest.mark.django_db
UTC = dt.UTC
#: Monday 2026-11-23 09:00 Moscow.
T0 = dt.datetime(2026, 11, 23, 6, tzinfo=UTC)
NOW = T0 + dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sla(tam_client, users):
    return policy(client=tam_client, calendar=office_calendar(), by=users.administrator)


def make_source(users, tam_client=None, *, preset="servicenow", mapping="", **values):
    source = IncidentSource(
        name=values.pop("name", f"Live {preset}"),
        preset=preset,
        mapping=mapping,
        client=tam_client,
        time_zone=values.pop("time_zone", "Europe/Moscow"),
        **values,
    )
    key = inbound.create_source(source, by=users.service_manager)
    return source, key


@pytest.fixture
def servicenow_source(users, tam_client, sla):
    return make_source(users, tam_client)


def post(source, key, body):
    return APIClient().post(
        f"/api/v1/inbound/incidents/{source.pk}/",
        body,
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )


def sn(count: int, at: str, state: str, number: str = "INC100", **values) -> dict:
    """A ServiceNow event log row as JSON (the export's columns as keys)."""
    return {
        "number": number,
        "incident_state": state,
        "sys_mod_count": count,
        "sys_updated_at": at,
        "opened_at": "23/11/2026 09:00",
        "priority": "3 - Moderate",
        "assignment_group": "?",
        "assigned_to": "?",
        "made_sla": "true",
        "short_description": "Mail is down",
        **values,
    }


ROWS = [
    sn(0, "23/11/2026 09:00", "New"),
    sn(1, "23/11/2026 09:15", "Active"),
    sn(2, "23/11/2026 11:00", "Resolved", resolved_at="23/11/2026 11:00"),
]
EXPECTED = [
    ("opened", T0),
    ("first_response", T0 + dt.timedelta(minutes=15)),
    ("status_changed", T0 + dt.timedelta(minutes=15)),
    ("resolved", T0 + dt.timedelta(hours=2)),
]


def events(external_id="INC100"):
    incident = Incident.objects.get(source_system="servicenow", external_id=external_id)
    return [(e.kind, e.at) for e in incident.events.order_by("seq")]


def statuses(source):
    return dict(source.deliveries.values_list("event_id", "status"))


def state():
    return db_state(Incident, IncidentEvent, IncidentClock, InboundDelivery)


# --- servicenow ------------------------------------------------------------------------------


def test_deliveries_in_order_are_applied_one_by_one(servicenow_source, tam_client):
    source, key = servicenow_source
    for row in ROWS:
        response = post(source, key, row)
        assert response.status_code == 200, response.json()
        assert response.json()["deliveries"][0]["status"] == "applied"

    assert events() == EXPECTED
    incident = Incident.objects.get(external_id="INC100")
    assert (incident.client, incident.status, incident.title) == (
        tam_client,
        "resolved",
        "Mail is down",
    )
    assert set(statuses(source).values()) == {"applied"}


def test_a_list_of_rows_is_applied_in_sequence_order_whatever_the_body_order(servicenow_source):
    source, key = servicenow_source
    response = post(source, key, [ROWS[2], ROWS[0], ROWS[1]])

    assert response.status_code == 200
    assert [d["status"] for d in response.json()["deliveries"]] == ["applied"] * 3
    assert events() == EXPECTED


def test_a_row_whose_predecessor_is_missing_is_held_until_it_arrives(servicenow_source):
    source, key = servicenow_source
    post(source, key, ROWS[0])

    response = post(source, key, ROWS[2])
    assert response.status_code == 202
    assert response.json()["deliveries"] == [
        {"event_id": "INC100:2", "external_id": "INC100", "status": "held", "reason": ""}
    ]
    assert events() == EXPECTED[:1]

    response = post(source, key, ROWS[1])
    assert response.status_code == 200
    assert response.json()["deliveries"][0]["status"] == "applied"
    assert statuses(source) == {"INC100:0": "applied", "INC100:1": "applied", "INC100:2": "applied"}
    assert events() == EXPECTED


def test_an_update_of_an_unknown_incident_waits_for_its_creation(servicenow_source):
    source, key = servicenow_source
    assert post(source, key, ROWS[1]).status_code == 202
    assert not Incident.objects.exists()

    post(source, key, ROWS[0])

    assert events() == EXPECTED[:3]


def test_the_job_applies_rows_held_longer_than_the_timeout_in_order(
    servicenow_source, frozen, settings
):
    settings.INBOUND_HOLD_SECONDS = 300
    source, key = servicenow_source
    post(source, key, [ROWS[0], ROWS[2]])  # 1 never comes

    assert inbound.release_due() == 0  # not yet: held for less than the timeout
    frozen.shift(dt.timedelta(seconds=299))
    inbound_release.call_local()
    assert statuses(source)["INC100:2"] == "held"

    frozen.shift(dt.timedelta(seconds=1))
    inbound_release.call_local()

    assert statuses(source)["INC100:2"] == "applied"
    # Resolved straight from New, as the file import reads it.
    assert [kind for kind, _at in events()] == ["opened", "resolved"]


def test_the_job_releases_an_update_whose_incident_never_got_its_creation(
    servicenow_source, frozen
):
    source, key = servicenow_source
    post(source, key, ROWS[1])
    frozen.shift(dt.timedelta(seconds=301))

    assert inbound.release_due() == 1

    assert statuses(source) == {"INC100:1": "applied"}
    assert [kind for kind, _at in events()] == ["opened", "first_response"]


def test_held_rows_of_a_source_whose_mapping_no_longer_reads_are_rejected_by_the_job(
    servicenow_source, frozen
):
    source, key = servicenow_source
    post(source, key, ROWS[1])
    IncidentSource.objects.filter(pk=source.pk).update(mapping="shape = [")
    frozen.shift(dt.timedelta(seconds=301))

    assert inbound.release_due() == 1

    delivery = source.deliveries.get()
    assert delivery.status == "rejected" and "not TOML" in delivery.reason
    assert not Incident.objects.exists()


def test_one_body_may_carry_several_incidents(servicenow_source):
    source, key = servicenow_source
    other = [sn(0, "23/11/2026 10:00", "New", number="INC200", opened_at="23/11/2026 10:00")]

    response = post(source, key, [*ROWS, *other])

    assert [d["status"] for d in response.json()["deliveries"]] == ["applied"] * 4
    assert events() == EXPECTED
    assert events("INC200") == [("opened", T0 + dt.timedelta(hours=1))]


def test_a_repeated_event_id_is_a_duplicate_and_writes_nothing(servicenow_source):
    source, key = servicenow_source
    post(source, key, ROWS[:2])
    before = state()

    response = post(source, key, [ROWS[1], ROWS[0]])

    assert response.status_code == 200
    assert [d["status"] for d in response.json()["deliveries"]] == ["duplicate", "duplicate"]
    assert state() == before


def test_the_same_event_twice_in_one_body_is_stored_once(servicenow_source):
    source, key = servicenow_source
    response = post(source, key, [ROWS[0], ROWS[0]])

    assert [d["status"] for d in response.json()["deliveries"]] == ["applied", "duplicate"]
    assert source.deliveries.count() == 1


def test_a_contradicting_delivery_is_rejected_and_writes_nothing(servicenow_source):
    source, key = servicenow_source
    post(source, key, ROWS[:2])
    before = db_state(Incident, IncidentEvent, IncidentClock)

    bad = sn(2, "23/11/2026 11:00", "Resolved", opened_at="23/11/2026 08:00")
    response = post(source, key, bad)

    assert response.status_code == 200
    [outcome] = response.json()["deliveries"]
    assert outcome["status"] == "rejected"
    assert "opened_at" in outcome["reason"] and "opening" in outcome["reason"]
    assert db_state(Incident, IncidentEvent, IncidentClock) == before
    assert statuses(source)["INC100:2"] == "rejected"


def test_a_rejected_row_counts_as_arrived_for_its_successor(servicenow_source):
    source, key = servicenow_source
    post(source, key, ROWS[0])
    post(source, key, sn(1, "23/11/2026 09:15", "Nonsense"))

    response = post(source, key, ROWS[2])

    assert response.json()["deliveries"][0]["status"] == "applied"
    assert statuses(source)["INC100:1"] == "rejected"
    assert "Nonsense" in source.deliveries.get(event_id="INC100:1").reason


def test_an_unknown_client_is_a_rejected_delivery(users, sla):
    source, key = make_source(users, None, name="No client")
    response = post(source, key, sn(0, "23/11/2026 09:00", "New", company="Nobody Ltd"))

    [outcome] = response.json()["deliveries"]
    assert outcome["status"] == "rejected"
    assert "Nobody Ltd" in outcome["reason"]
    assert not Incident.objects.exists()


def test_a_live_breach_is_news(servicenow_source):
    """Unlike old history in a file: the reaction clock of an incident still unanswered breaches
    now, and the breach is published as news (which notifies)."""
    source, key = servicenow_source
    domain_events.subscribe(domain_events.ClockBreached, lambda event: None, name="test.live")
    try:
        post(source, key, ROWS[0])
    finally:
        domain_events.unsubscribe(domain_events.ClockBreached, name="test.live")

    incident = Incident.objects.get(external_id="INC100")
    assert incident.clocks.get(kind="reaction").state == "breached"  # 8 working hours, no answer
    [breach] = EventDelivery.objects.filter(event="clock_breached")
    assert breach.payload["is_news"] is True


# --- the token and the body ------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer ", "Bearer tdi_wrong", "Token {key}", "bearer {key}"],
)
def test_a_missing_or_wrong_token_is_401_and_writes_nothing(servicenow_source, authorization):
    source, key = servicenow_source
    before = state()

    response = APIClient().post(
        f"/api/v1/inbound/incidents/{source.pk}/",
        ROWS[0],
        format="json",
        HTTP_AUTHORIZATION=authorization.format(key=key),
    )

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert state() == before


def test_an_unknown_or_inactive_source_answers_as_a_wrong_token(servicenow_source, users):
    source, key = servicenow_source
    other, _other_key = make_source(users, name="Other")
    unknown = post(IncidentSource(pk=source.pk + 100), key, ROWS[0])
    crossed = post(other, key, ROWS[0])
    IncidentSource.objects.filter(pk=source.pk).update(is_active=False)
    inactive = post(source, key, ROWS[0])

    assert unknown.status_code == crossed.status_code == inactive.status_code == 401
    assert unknown.json() == crossed.json() == inactive.json()
    assert not InboundDelivery.objects.exists()


def test_a_session_does_not_authenticate_the_webhook(servicenow_source, users, client):
    source, _key = servicenow_source
    client.force_login(users.administrator)

    response = client.post(
        f"/api/v1/inbound/incidents/{source.pk}/", ROWS[0], content_type="application/json"
    )

    assert response.status_code == 401


def test_only_the_digest_of_the_token_is_stored(servicenow_source):
    source, key = servicenow_source
    source.refresh_from_db()

    assert key.startswith("tdi_") and key not in source.token_digest
    assert source.token_prefix == key[:10]
    assert inbound.authenticate(source.pk, key) == source


def test_a_rotated_token_replaces_the_old_one(servicenow_source, users):
    source, old = servicenow_source
    new = inbound.rotate_token(source, by=users.administrator)

    assert post(source, old, ROWS[0]).status_code == 401
    assert post(source, new, ROWS[0]).status_code == 200


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ("just text", {"non_field_errors"}),
        ([], {"non_field_errors"}),
        ([sn(0, "23/11/2026 09:00", "New")] * 101, {"non_field_errors"}),
        ([1, sn(0, "23/11/2026 09:00", "New")], {"0"}),
        ({"incident_state": "New", "sys_mod_count": 0, "sys_updated_at": "x"}, {"number"}),
        (sn(-1, "23/11/2026 09:00", "New"), {"sys_mod_count"}),
        (sn("1.5", "23/11/2026 09:00", "New"), {"sys_mod_count"}),
        (sn(2**63, "23/11/2026 09:00", "New"), {"sys_mod_count"}),
        ([ROWS[0], sn(1, "", "New")], {"1.sys_updated_at"}),
        (sn(0, "23/11/2026 09:00", "New", number="N" * 201), {"number"}),
    ],
)
def test_a_malformed_body_is_400_with_the_fields_and_stores_nothing(
    servicenow_source, body, fields
):
    source, key = servicenow_source
    before = state()

    response = post(source, key, body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["errors"]) == fields
    assert state() == before


def test_a_body_that_is_not_json_is_a_parse_error(servicenow_source):
    source, key = servicenow_source
    response = APIClient().post(
        f"/api/v1/inbound/incidents/{source.pk}/",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert not InboundDelivery.objects.exists()


# --- jira ------------------------------------------------------------------------------------


def jira(event: str, timestamp: int, status: str, updated: str, **fields) -> dict:
    """A Jira Service Management webhook payload (the fields tamdesk reads)."""
    return {
        "timestamp": timestamp,
        "webhookEvent": f"jira:issue_{event}",
        "issue": {
            "id": "10042",
            "key": "HELP-7",
            "fields": {
                "summary": "VPN drops",
                "description": "Every hour",
                "priority": {"name": "High"},
                "status": {"name": status},
                "created": "2026-11-23T09:00:00.000+0300",
                "updated": updated,
                "resolutiondate": None,
                "assignee": None,
                "customfield_10002": [{"id": 1, "name": "Acme Retail"}],
                "customfield_10010": {"requestType": {"name": "Network"}},
                **fields,
            },
        },
    }


def test_jira_webhook_payloads_build_the_incident(users, tam_client, sla):
    mapping = '[columns]\n"customfield_10002" = "client"\n"customfield_10010" = "component"\n'
    source, key = make_source(users, preset="jira", mapping=mapping, time_zone="")
    created = jira("created", 1000, "Waiting for support", "2026-11-23T09:00:00.000+0300")
    working = jira("updated", 2000, "In Progress", "2026-11-23T09:20:00.000+0300")

    # An update before the creation waits for it.
    assert post(source, key, working).status_code == 202
    assert post(source, key, created).status_code == 200

    incident = Incident.objects.get(source_system="jira", external_id="HELP-7")
    assert (incident.client, incident.priority, incident.title) == (tam_client, "p2", "VPN drops")
    assert [(e.kind, e.at) for e in incident.events.order_by("seq")] == [
        ("opened", T0),
        ("first_response", T0 + dt.timedelta(minutes=20)),
        ("status_changed", T0 + dt.timedelta(minutes=20)),
    ]
    assert statuses(source) == {"HELP-7:1000": "applied", "HELP-7:2000": "applied"}


def test_a_jira_update_after_the_creation_applies_at_once(users, tam_client, sla):
    source, key = make_source(users, tam_client, preset="jira", time_zone="")
    post(source, key, jira("created", 1000, "Open", "2026-11-23T09:00:00.000+0300"))

    response = post(
        source,
        key,
        jira(
            "updated",
            5000,
            "Resolved",
            "2026-11-23T10:00:00.000+0300",
            resolutiondate="2026-11-23T10:00:00.000+0300",
        ),
    )

    assert response.json()["deliveries"][0]["status"] == "applied"
    assert Incident.objects.get(external_id="HELP-7").status == "resolved"


def test_a_jira_update_arriving_after_a_later_one_is_refused_when_it_contradicts(
    users, tam_client, sla
):
    source, key = make_source(users, tam_client, preset="jira", time_zone="")
    post(source, key, jira("created", 1000, "Open", "2026-11-23T09:00:00.000+0300"))
    post(source, key, jira("updated", 5000, "Resolved", "2026-11-23T10:00:00.000+0300"))
    before = db_state(Incident, IncidentEvent, IncidentClock)

    late = jira("updated", 3000, "In Progress", "2026-11-23T09:30:00.000+0300")
    response = post(source, key, late)

    [outcome] = response.json()["deliveries"]
    assert outcome["status"] == "rejected"
    assert "contradicts the stored incident" in outcome["reason"]
    assert db_state(Incident, IncidentEvent, IncidentClock) == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"timestamp": 1}, "issue"),
        ({"timestamp": 1, "issue": {"key": "HELP-7"}}, "issue"),
        ({"issue": {"key": "HELP-7", "fields": {"updated": "x"}}}, "timestamp"),
        ({"timestamp": 1, "issue": {"key": "", "fields": {"updated": "x"}}}, "issue.key"),
        ({"timestamp": 1, "issue": {"key": "HELP-7", "fields": {}}}, "issue.fields.updated"),
    ],
)
def test_a_malformed_jira_payload_is_400(users, tam_client, payload, field):
    source, key = make_source(users, tam_client, preset="jira")

    response = post(source, key, payload)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {field}
    assert not InboundDelivery.objects.exists()


# --- generic ---------------------------------------------------------------------------------

GENERIC = """
shape = "event"
date_format = "iso"

[columns]
"ticket" = "external_id"
"customer" = "client"
"state" = "status"
"prio" = "priority"
"when" = "at"
"opened" = "opened_at"
"n" = "sequence"

[statuses]
"open" = "new"
"work" = "in_progress"
"done" = "resolved"

[priorities]
"2" = "p2"
"""


def generic_row(n: int, state: str, when: str) -> dict:
    return {
        "ticket": "T-1",
        "customer": "ACME",
        "state": state,
        "prio": 2,
        "when": when,
        "opened": "2026-11-23T09:00:00+03:00",
        "n": n,
    }


def test_a_generic_source_reads_rows_through_its_mapping(users, tam_client, sla):
    source, key = make_source(users, preset="generic", mapping=GENERIC, time_zone="")

    assert post(source, key, generic_row(1, "work", "2026-11-23T09:30:00+03:00")).status_code == (
        202
    )
    response = post(source, key, generic_row(0, "open", "2026-11-23T09:00:00+03:00"))

    assert response.status_code == 200
    incident = Incident.objects.get(source_system="generic", external_id="T-1")
    assert incident.client == tam_client
    assert [e.kind for e in incident.events.order_by("seq")] == [
        "opened",
        "first_response",
        "status_changed",
    ]
    assert statuses(source) == {"T-1:0": "applied", "T-1:1": "applied"}


def test_a_generic_source_without_a_sequence_orders_by_the_time(users, tam_client, sla):
    mapping = GENERIC.replace('"n" = "sequence"\n', "")
    source, key = make_source(users, preset="generic", mapping=mapping, time_zone="")
    first = generic_row(0, "open", "2026-11-23T09:00:00+03:00")
    later = generic_row(0, "work", "2026-11-23T09:30:00+03:00")

    response = post(source, key, [later, first])

    assert [d["event_id"] for d in response.json()["deliveries"]] == [
        "T-1:2026-11-23T09:30:00+03:00",
        "T-1:2026-11-23T09:00:00+03:00",
    ]
    assert [d["status"] for d in response.json()["deliveries"]] == ["applied", "applied"]


@pytest.mark.parametrize(
    ("preset", "text", "field"),
    [
        ("generic", 'shape = "incident"', "shape"),
        ("generic", 'shape = "event"\n[columns]\n"a" = "external_id"', "columns"),
        ("servicenow", "shape = [", "mapping"),
        ("servicenow", 'nonsense = "x"', "nonsense"),
        ("servicenow", '[statuses]\nNew = "opened"', "statuses.New"),
        ("jira", 'time_zone = "Mars/Base"', "time_zone"),
    ],
)
def test_a_live_mapping_is_checked_whole(preset, text, field):
    from tamdesk.sla.imports.mapping import MappingError

    with pytest.raises(MappingError) as refused:
        inbound.live_mapping(preset, text, client="ACME")

    assert refused.value.field == field
    assert refused.value.code == "invalid_mapping"
