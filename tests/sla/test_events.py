"""The SLA domain publishes ``clock_warned`` and ``clock_breached`` once per threshold a clock
crosses, from the bulk ``store`` that measures clocks (the alerts job included), and
``incident_resolved`` for each resolution."""

from __future__ import annotations

import pytest

from tamdesk.core.events import ClockBreached, ClockWarned, IncidentResolved
from tamdesk.sla import services
from tamdesk.sla.services import NewEvent
from tamdesk.sla.tasks import sla_alerts
from tests.core.events_support import published_by
from tests.sla.factories import office_calendar, policy
from tests.sla.test_services import at, open_p3

pytestmark = pytest.mark.django_db
CLOCKS = (ClockWarned, ClockBreached)


@pytest.fixture
def sla(tam_client, users):
    return policy(client=tam_client, calendar=office_calendar(), by=users.administrator)


def reaction(events):
    return [e for e in events if e.clock == "reaction"]


def test_a_warning_and_a_breach_are_published_once_each(tam_client, users, sla):
    opened = []
    assert (
        published_by(lambda: opened.append(open_p3(tam_client, users, now=at(0.1))), *CLOCKS) == []
    )
    incident = opened[0]
    ids = {"incident_id": incident.pk, "client_id": tam_client.pk, "clock": "reaction"}

    assert published_by(lambda: services.alert_due(now=at(1.9)), *CLOCKS) == []
    assert reaction(published_by(lambda: services.alert_due(now=at(2.5)), *CLOCKS)) == [
        ClockWarned(**ids, percent=50, warned_at=at(2), due_at=at(4))
    ]
    assert reaction(published_by(lambda: services.alert_due(now=at(2.6)), *CLOCKS)) == []
    breached = reaction(published_by(lambda: services.alert_due(now=at(5.5)), *CLOCKS))
    assert breached == [ClockBreached(**ids, breached_at=at(4), due_at=at(4))]
    assert reaction(published_by(lambda: services.alert_due(now=at(6)), *CLOCKS)) == []


def test_the_alerts_job_publishes_what_it_finds(tam_client, users, sla, time_machine):
    time_machine.move_to(at(0.1), tick=False)
    incident = open_p3(tam_client, users, now=at(0.1))
    time_machine.move_to(at(5.5), tick=False)

    seen = reaction(published_by(sla_alerts, *CLOCKS))

    assert [(type(e), e.incident_id) for e in seen] == [(ClockBreached, incident.pk)]


def test_an_old_breach_imported_is_published_once_as_history(tam_client, users, sla):
    made = []

    def import_old():
        made.append(
            open_p3(
                tam_client,
                users,
                opened=at(0, days=-60),
                events=[NewEvent("resolved", at(0, days=-50))],
                now=at(1),
            )
        )

    seen = published_by(import_old, *CLOCKS, IncidentResolved)
    incident = made[0]
    assert (
        IncidentResolved(
            incident_id=incident.pk, client_id=tam_client.pk, resolved_at=at(0, days=-50)
        )
        in seen
    )
    breaches = [e for e in seen if isinstance(e, ClockBreached)]
    assert sorted(e.clock for e in breaches) == ["reaction", "resolution"]
    assert all(not e.is_news for e in breaches)
    assert not [e for e in seen if isinstance(e, ClockWarned)]  # a stopped clock: no warning
    assert published_by(lambda: services.recompute_all(now=at(2)), *CLOCKS) == []


def test_resolving_an_incident_publishes_it(tam_client, users, sla):
    incident = open_p3(tam_client, users, now=at(1))

    seen = published_by(
        lambda: services.append_events(
            incident, [NewEvent("resolved", at(1.5))], by=users.tam, now=at(2)
        ),
        IncidentResolved,
    )

    assert seen == [
        IncidentResolved(incident_id=incident.pk, client_id=tam_client.pk, resolved_at=at(1.5))
    ]


def test_a_refused_event_publishes_nothing(tam_client, users, sla):
    incident = open_p3(tam_client, users, now=at(1))

    def refused():
        with pytest.raises(services.ImpossibleTimeline):
            services.append_events(incident, [NewEvent("resolved", at(5))], by=users.tam, now=at(2))

    assert published_by(refused, IncidentResolved, *CLOCKS) == []
