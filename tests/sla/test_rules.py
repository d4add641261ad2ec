"""One home per rule in the SLA domain: which events an incident takes in each state
(``timeline.kind_refusal``) — the event form offers exactly what the timeline check accepts —
and the working statuses (``choices.WORKING_STATUSES``)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tamdesk.sla import services, timeline
from tamdesk.sla.choices import WORKING_STATUSES, IncidentEventKind, IncidentStatus, Priority
from tamdesk.sla.exceptions import SLAError
from tamdesk.sla.forms import EVENT_KIND_ORDER, IncidentOpenForm, event_kinds_for
from tamdesk.sla.models import Incident
from tests.conftest import api_as
from tests.sla.factories import HOUR, policy
from tests.sla.test_api_policies import first_version as api_terms
from tests.sla.test_views_policies import terms as page_terms

E = timeline.Event
#: Every state an incident can be in — (status, first response recorded) — with a timeline
#: that leads there.
HISTORIES = {
    **{(status, False): [E("opened", 0, status)] for status in WORKING_STATUSES},
    **{
        (status, True): [E("opened", 0, status), E("first_response", 10)]
        for status in WORKING_STATUSES
    },
    (IncidentStatus.RESOLVED, True): [E("opened", 0), E("resolved", 10)],
    (IncidentStatus.CLOSED, True): [E("opened", 0), E("resolved", 10), E("closed", 20)],
}
VALUES = ["", *IncidentStatus.values, *Priority.values]


def _accepts(events: list[timeline.Event]) -> bool:
    try:
        timeline.check(events, now=10_000, priority="p3")
    except timeline.TimelineError:
        return False
    return True


def test_every_state_is_covered():
    assert {status for status, _responded in HISTORIES} == set(IncidentStatus.values)
    for (status, _responded), events in HISTORIES.items():
        assert _accepts(events)
        assert timeline.build(events, priority="p3", reaction_pauses=frozenset(),
                              resolution_pauses=frozenset()).status == status  # fmt: skip


@pytest.mark.parametrize(("state", "events"), list(HISTORIES.items()), ids=str)
def test_the_event_form_offers_what_the_timeline_accepts(state, events):
    status, responded = state
    accepted = {
        kind
        for kind in IncidentEventKind.values
        if any(_accepts([*events, E(kind, 100, value)]) for value in VALUES)
    }
    incident = Incident(
        status=status,
        priority="p3",
        first_response_at=dt.datetime(2026, 11, 23, tzinfo=dt.UTC) if responded else None,
    )

    assert set(event_kinds_for(incident)) == accepted
    assert set(timeline.kinds_allowed(status, responded=responded)) == accepted


def test_the_form_orders_every_kind_but_the_opening():
    assert set(EVENT_KIND_ORDER) == set(IncidentEventKind.values) - {IncidentEventKind.OPENED}


def test_an_incident_opens_in_a_working_status_on_every_path():
    offered = {value for value, _label in IncidentOpenForm.base_fields["status"].choices}

    assert offered == set(WORKING_STATUSES)
    for status in IncidentStatus.values:
        assert _accepts([E("opened", 0, status)]) == (status in WORKING_STATUSES)


# --- the terms of a policy version: one message on every path ----------------------------------

#: Each rule broken once, as the page (policy form fields), the service (its arguments) and the
#: API (``POST /sla-policies/{id}/versions/``) are given it.
TERMS_VIOLATIONS = {
    "target under a minute": (
        {"reaction_p1": "0:00"},
        {"targets": {"p1": (0, 4 * HOUR)}},
        {"targets": [{"priority": "p1", "reaction_seconds": 0, "resolution_seconds": 4 * HOUR}]},
    ),
    "no target": (
        {f"{clock}_p{n}": "" for clock in ("reaction", "resolution") for n in range(1, 5)},
        {"targets": {}},
        {"targets": []},
    ),
    "threshold out of 1–99": (
        {"warning_thresholds": "50, 150"},
        {"warning_thresholds": [50, 150]},
        {"warning_thresholds": [50, 150]},
    ),
    "a status that cannot pause": (
        {"reaction_pause_statuses": ["new"]},
        {"reaction_pause_statuses": ["new"]},
        {"reaction_pause_statuses": ["new"]},
    ),
}


def _messages(errors) -> set[str]:
    """Every message in a (nested) error structure."""
    if isinstance(errors, dict):
        return set().union(*(_messages(value) for value in errors.values()))
    if isinstance(errors, list):
        return set().union(*(_messages(value) for value in errors))
    return {str(errors)}


@pytest.mark.django_db
@pytest.mark.parametrize("rule", list(TERMS_VIOLATIONS))
def test_the_page_the_service_and_the_api_refuse_terms_with_one_message(
    rule, client, users, tam_client
):
    page_input, service_input, api_input = TERMS_VIOLATIONS[rule]
    sla, _version = policy(client=tam_client)
    valid = {
        "valid_from": dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        "calendar": None,
        "targets": {"p1": (HOUR, 4 * HOUR)},
        "warning_thresholds": [50],
        "reaction_pause_statuses": [],
        "resolution_pause_statuses": [],
    }
    with pytest.raises(SLAError) as refusal:
        services.add_policy_version(sla, **{**valid, **service_input}, by=users.administrator)
    client.force_login(users.administrator)
    with time_machine.travel(dt.datetime(2026, 11, 23, 8, tzinfo=dt.UTC), tick=False):
        form = client.post(
            reverse("sla:policy_version_create", args=[sla.pk]),
            page_terms(valid_from="2026-12-01T00:00", **page_input),
        ).context["form"]
        answer = api_as(users.administrator).post(
            f"/api/v1/sla-policies/{sla.pk}/versions/",
            api_terms(valid_from="2026-12-01T00:00:00Z", **api_input),
            format="json",
        )

    assert refusal.value.code == "invalid"
    assert answer.status_code == 400 and answer.json()["code"] == "invalid"
    assert refusal.value.message in _messages(form.errors)
    assert refusal.value.message in _messages(answer.json()["errors"])
    assert sla.versions.count() == 1
