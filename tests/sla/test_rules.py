"""One home per rule in the SLA domain: which events an incident takes in each state
(``timeline.kind_refusal``) — the event form offers exactly what the timeline check accepts —
and the working statuses (``choices.WORKING_STATUSES``)."""

from __future__ import annotations

import datetime as dt

import pytest

from tamdesk.sla import timeline
from tamdesk.sla.choices import WORKING_STATUSES, IncidentEventKind, IncidentStatus, Priority
from tamdesk.sla.forms import EVENT_KIND_ORDER, IncidentOpenForm, event_kinds_for
from tamdesk.sla.models import Incident

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
