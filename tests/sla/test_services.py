"""Incidents through the services: policy versions, events, both clocks, alerts."""

from __future__ import annotations

import datetime as dt

import pytest

from tamdesk.notifications.models import Notification
from tamdesk.sla import services
from tamdesk.sla.exceptions import DuplicateIncident, ImpossibleTimeline, SLAError
from tamdesk.sla.models import Incident, IncidentClock, IncidentEvent, SLAPolicyVersion
from tamdesk.sla.services import NewEvent
from tests.sla.factories import HOUR, office_calendar, policy

UTC = dt.UTC
# Monday 2026-11-23 09:00 Moscow = 06:00 UTC.
MON_0900 = dt.datetime(2026, 11, 23, 6, tzinfo=UTC)


def at(hours: float, days: int = 0) -> dt.datetime:
    return MON_0900 + dt.timedelta(days=days, hours=hours)


@pytest.fixture
def office(db):
    return office_calendar()


@pytest.fixture
def sla(tam_client, office, users):
    return policy(client=tam_client, calendar=office, by=users.administrator)


def clock(incident, kind):
    return IncidentClock.objects.get(incident=incident, kind=kind)


def open_p3(client, users, *, events=(), now=None, opened=MON_0900, **kwargs):
    return services.open_incident(
        client=client,
        title="Web farm slow",
        priority=kwargs.pop("priority", "p3"),
        opened_at=opened,
        by=users.tam,
        events=events,
        now=now or at(1),
        **kwargs,
    )


def test_opening_picks_the_version_in_force_and_measures_both_clocks(tam_client, users, sla):
    incident = open_p3(tam_client, users, now=at(2))
    assert incident.policy_version == sla[1]
    reaction = clock(incident, "reaction")
    assert reaction.state == "running"
    assert reaction.target_seconds == 4 * HOUR
    assert reaction.elapsed_seconds == 2 * HOUR
    assert reaction.due_at == at(4)  # 09:00 + 4 h of work = 13:00, when lunch starts
    resolution = clock(incident, "resolution")
    assert resolution.target_seconds == 24 * HOUR
    assert resolution.due_at == at(9, days=2)  # three 8-hour days: Wednesday 18:00
    assert [w["percent"] for w in resolution.warn_at] == [50, 75]


def test_tier_policy_applies_when_the_client_has_none(tam_client, users, office):
    tam_client.tier = "premium"
    tam_client.save()
    _sla, version = policy(tier="premium", calendar=office)
    incident = open_p3(tam_client, users)
    assert incident.policy_version == version


def test_no_policy_means_no_target(tam_client, users):
    incident = open_p3(tam_client, users)
    assert incident.policy_version is None
    assert {c.state for c in incident.clocks.all()} == {"no_target"}


def test_a_new_policy_version_never_rewrites_an_open_incident(tam_client, users, sla, office):
    incident = open_p3(tam_client, users, now=at(1))
    sla_policy, first = sla
    services.add_policy_version(
        sla_policy,
        valid_from=at(2),
        calendar=None,
        targets={"p3": (HOUR, 2 * HOUR)},
        warning_thresholds=[50],
        reaction_pause_statuses=[],
        resolution_pause_statuses=[],
        by=users.administrator,
    )
    first.refresh_from_db()
    assert first.valid_until == at(2)
    services.append_events(incident, [NewEvent("comment", at(3))], by=users.tam, now=at(3))
    incident.refresh_from_db()
    assert incident.policy_version == first
    assert clock(incident, "reaction").target_seconds == 4 * HOUR
    later = open_p3(tam_client, users, opened=at(4), now=at(4))
    assert later.policy_version.number == 2


def test_a_version_cannot_start_before_incidents_it_would_take_over(tam_client, users, sla):
    open_p3(tam_client, users, opened=at(3), now=at(3))
    with pytest.raises(SLAError) as refused:
        services.add_policy_version(
            sla[0],
            valid_from=at(2),
            calendar=None,
            targets={"p3": (HOUR, 2 * HOUR)},
            warning_thresholds=[],
            reaction_pause_statuses=[],
            resolution_pause_statuses=[],
            by=users.administrator,
        )
    assert refused.value.code == "version_rewrites_history"
    assert SLAPolicyVersion.objects.count() == 1


def test_first_response_stops_the_reaction_clock(tam_client, users, sla):
    incident = open_p3(tam_client, users, now=at(1))
    services.append_events(incident, [NewEvent("first_response", at(1.5))], by=users.tam, now=at(6))
    reaction = clock(incident, "reaction")
    assert reaction.state == "met" and reaction.elapsed_seconds == 1.5 * HOUR
    assert clock(incident, "resolution").state == "running"
    incident.refresh_from_db()
    assert incident.first_response_at == at(1.5)


def test_waiting_for_the_client_pauses_the_resolution_clock_in_working_time(tam_client, users, sla):
    incident = open_p3(
        tam_client,
        users,
        events=[
            NewEvent("first_response", at(0.5)),
            NewEvent("status_changed", at(1), "waiting_client"),
            NewEvent("status_changed", at(1, days=1), "in_progress"),  # Tuesday 10:00
        ],
        now=at(2, days=1),
    )
    resolution = clock(incident, "resolution")
    assert resolution.elapsed_seconds == 2 * HOUR
    assert resolution.paused_seconds == 7 * HOUR + 1 * HOUR  # Mon 10-18 minus lunch, Tue 9-10
    assert resolution.state == "running"


def test_paused_clock_shows_paused_and_no_due_time(tam_client, users, sla):
    incident = open_p3(
        tam_client,
        users,
        events=[NewEvent("status_changed", at(1), "waiting_client")],
        now=at(3),
    )
    resolution = clock(incident, "resolution")
    assert resolution.state == "paused" and resolution.due_at is None
    assert resolution.elapsed_seconds == HOUR


def test_resolving_stops_both_clocks_and_reopening_resumes_resolution(tam_client, users, sla):
    incident = open_p3(tam_client, users, events=[NewEvent("resolved", at(2))], now=at(3))
    assert clock(incident, "reaction").state == "met"  # resolving answers the client
    assert clock(incident, "resolution").state == "met"
    services.append_events(incident, [NewEvent("reopened", at(4))], by=users.tam, now=at(6))
    resolution = clock(incident, "resolution")
    assert resolution.state == "running"
    assert resolution.elapsed_seconds == 2 * HOUR + 1 * HOUR  # 09-11, then 14:00 (reopen 13:00)-15
    assert clock(incident, "reaction").state == "met"


def test_priority_change_applies_the_new_targets_from_the_opening(tam_client, users, sla):
    incident = open_p3(tam_client, users, now=at(1))
    services.append_events(
        incident, [NewEvent("priority_changed", at(1), "p1")], by=users.tam, now=at(1)
    )
    incident.refresh_from_db()
    assert incident.priority == "p1"
    reaction = clock(incident, "reaction")
    assert reaction.target_seconds == HOUR // 2
    assert reaction.state == "breached" and reaction.breached_at == at(0.5)
    event = incident.events.get(kind="priority_changed")
    assert (event.from_value, event.to_value) == ("p3", "p1")


@pytest.mark.parametrize(
    ("events", "field", "message"),
    [
        ([NewEvent("resolved", at(2)), NewEvent("first_response", at(1))], "events[1].at", "order"),
        ([NewEvent("status_changed", at(1), "resolved")], "events[0].to_value", "not a status"),
        ([NewEvent("reopened", at(1))], "events[0].kind", "resolved incident"),
        ([NewEvent("closed", at(1))], "events[0].kind", "resolved incident"),
        ([NewEvent("first_response", at(30))], "events[0].at", "future"),
        (
            [NewEvent("first_response", at(1)), NewEvent("first_response", at(2))],
            "events[1].kind",
            "already",
        ),
        ([NewEvent("priority_changed", at(1), "p9")], "events[0].to_value", "priority"),
    ],
)
def test_impossible_timelines_are_refused_and_nothing_is_stored(
    tam_client, users, sla, events, field, message
):
    with pytest.raises(ImpossibleTimeline) as refused:
        open_p3(tam_client, users, events=events, now=at(3))
    assert refused.value.field == field
    assert message in refused.value.message
    assert not Incident.objects.exists() and not IncidentEvent.objects.exists()


def test_appended_events_must_follow_the_timeline(tam_client, users, sla):
    incident = open_p3(tam_client, users, events=[NewEvent("first_response", at(2))], now=at(3))
    before = IncidentEvent.objects.count()
    with pytest.raises(ImpossibleTimeline) as refused:
        services.append_events(
            incident, [NewEvent("status_changed", at(1), "in_progress")], by=users.tam, now=at(3)
        )
    assert refused.value.field == "events[0].at"
    assert IncidentEvent.objects.count() == before


def test_external_ids_are_unique_per_source_system(tam_client, users, sla):
    open_p3(tam_client, users, source_system="zabbix", external_id="42")
    with pytest.raises(DuplicateIncident):
        open_p3(tam_client, users, source_system="zabbix", external_id="42")
    open_p3(tam_client, users, source_system="jira", external_id="42")
    assert Incident.objects.count() == 2


def test_warnings_and_breach_are_notified_once_when_their_time_comes(
    tam_client, users, sla, django_capture_on_commit_callbacks
):
    incident = open_p3(tam_client, users, now=at(0.1))
    reaction = clock(incident, "reaction")
    assert reaction.next_alert_at == at(2)  # 50 % of 4 working hours
    assert services.alert_due(now=at(1.9)) == 0
    assert services.alert_due(now=at(2.5)) >= 1
    services.alert_due(now=at(2.6))
    warned = Notification.objects.filter(event_type="sla.warning", channel="in_app")
    assert warned.filter(recipient_user=users.tam, event_key__endswith="reaction:50").count() == 1
    services.alert_due(now=at(5.5))  # past 14:00: breached
    breached = Notification.objects.filter(event_type="sla.breached", channel="in_app")
    assert breached.filter(recipient_user=users.tam).count() == 1
    assert clock(incident, "reaction").alerted_percent == 100
    services.alert_due(now=at(6))
    assert breached.filter(recipient_user=users.tam).count() == 1


def test_p1_alerts_are_urgent_and_p4_alerts_wait_for_working_hours(tam_client, users, sla, office):
    users.tam.email = "tam@example.com"
    users.tam.save()
    department = users.tam.engineer.department
    department.calendar = office  # the TAM works office hours, lunch 13-14
    department.save()
    p1 = open_p3(tam_client, users, priority="p1", now=at(0.3))
    services.alert_due(now=at(0.3))
    email = Notification.objects.get(
        event_key=f"incident:{p1.pk}:reaction:50", channel="email", recipient_user=users.tam
    )
    assert email.urgent and email.next_attempt_at == at(0.3)
    p4 = open_p3(tam_client, users, priority="p4", now=at(1))
    services.alert_due(now=at(4.5))  # 13:30 Moscow, lunch: 50 % of 8 h was reached at 13:00
    late = Notification.objects.get(
        event_key=f"incident:{p4.pk}:reaction:50", channel="email", recipient_user=users.tam
    )
    assert not late.urgent and late.next_attempt_at == at(5)  # after lunch, 14:00


def test_history_imports_do_not_notify_old_breaches(tam_client, users, sla):
    incident = open_p3(
        tam_client,
        users,
        opened=at(0, days=-60),
        events=[NewEvent("resolved", at(0, days=-50))],
        now=at(1),
    )
    assert clock(incident, "resolution").state == "breached"
    assert not Notification.objects.filter(event_type__startswith="sla.").exists()


def test_recompute_all_measures_every_incident(tam_client, users, sla):
    first = open_p3(tam_client, users, now=at(1))
    IncidentClock.objects.all().delete()
    assert services.recompute_all(batch_size=1, now=at(3)) == 1
    assert clock(first, "reaction").elapsed_seconds == 3 * HOUR


def test_a_stopped_clock_is_not_warned_but_a_fresh_breach_is_notified(tam_client, users, sla):
    # Answered at 75 % of the reaction target (3 of 4 hours): the warnings are moot.
    met = open_p3(tam_client, users, events=[NewEvent("first_response", at(3))], now=at(4))
    assert clock(met, "reaction").state == "met"
    assert not Notification.objects.filter(event_key__startswith=f"incident:{met.pk}:").exists()
    # Answered after the target, an hour ago: the breach is news.
    late = open_p3(
        tam_client, users, opened=at(0), events=[NewEvent("first_response", at(6))], now=at(6.5)
    )
    assert clock(late, "reaction").state == "breached"
    keys = set(
        Notification.objects.filter(event_key__startswith=f"incident:{late.pk}:").values_list(
            "event_key", flat=True
        )
    )
    assert keys == {f"incident:{late.pk}:reaction:100"}


def test_the_tams_digest_lists_the_sla_risks_of_their_clients(tam_client, users, sla):
    from tamdesk.notifications.digest import compose
    from tamdesk.workspace.sections import DIGEST_SECTIONS

    calm = open_p3(tam_client, users, priority="p4", opened=at(1.1), now=at(1.1))
    due_today = open_p3(tam_client, users, now=at(0.5))  # P3: reaction due 13:00
    breached = open_p3(tam_client, users, priority="p1", now=at(1))
    answered_late = open_p3(
        tam_client, users, priority="p1", events=[NewEvent("first_response", at(2))], now=at(2)
    )
    sections = dict(
        (section.key, items)
        for section, items in compose(users.tam, now=at(1.1), sections=DIGEST_SECTIONS)
    )
    texts = [item.text for item in sections["sla_risks"]]
    assert any(f"#{breached.pk} " in text and "Reaction breached" in text for text in texts)
    assert not any(f"#{calm.pk} " in text for text in texts)
    assert any(f"#{due_today.pk} " in text and "Reaction due" in text for text in texts)
    assert not any(f"#{answered_late.pk} " in text and "Reaction" in text for text in texts)
    assert "sla_risks" not in dict(
        (section.key, items)
        for section, items in compose(users.other_tam, now=at(1.1), sections=DIGEST_SECTIONS)
    )


def test_the_recompute_command_measures_every_incident(tam_client, users, sla):
    from io import StringIO

    from django.core.management import call_command

    open_p3(tam_client, users, now=at(1))
    IncidentClock.objects.all().delete()
    out = StringIO()
    call_command("sla", "recompute", "--batch-size", "10", stdout=out)
    assert "Recomputed the clocks of 1 incidents" in out.getvalue()
    assert IncidentClock.objects.count() == 2
