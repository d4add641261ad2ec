"""The shared base of the two event logs (``core.models.TimelineEntry``): the same columns, the
same clipping of values, each log naming its values by label."""

import datetime as dt

import pytest
from django.db import models

from tamdesk.changes.choices import ActivityKind, ChangeStatus, TaskStatus
from tamdesk.changes.models import ActivityEntry
from tamdesk.core.models import TimelineEntry
from tamdesk.sla.choices import IncidentEventKind, IncidentStatus, Priority
from tamdesk.sla.models import IncidentEvent

SHARED = {
    "at": "at",
    "by": "by_id",
    "from_value": "from_value",
    "to_value": "to_value",
    "kind": "kind",
}


@pytest.mark.parametrize("model", [ActivityEntry, IncidentEvent])
def test_both_logs_share_the_columns_of_the_base(model):
    assert issubclass(model, TimelineEntry)
    for name, column in SHARED.items():
        assert model._meta.get_field(name).column == column
    by = model._meta.get_field("by")
    assert by.null and by.remote_field.on_delete is models.SET_NULL
    assert by.remote_field.related_name == "+"
    assert model._meta.get_field("from_value").max_length == TimelineEntry.VALUE_LENGTH == 200
    assert model._meta.get_field("kind").choices  # each log keeps its own kinds


def test_clip_stores_text_cut_to_the_value_length():
    assert ActivityEntry.clip("x" * 250) == "x" * 200
    assert IncidentEvent.clip(dt.date(2025, 6, 10)) == "2025-06-10"
    assert ActivityEntry.clip("") == ""


def test_a_change_entry_names_statuses_by_label_and_keeps_the_rest():
    entry = ActivityEntry(kind=ActivityKind.STATUS_CHANGED, from_value="draft", to_value="planned")
    assert entry.from_display == str(ChangeStatus.DRAFT.label)
    assert entry.to_display == str(ChangeStatus.PLANNED.label)
    task_entry = ActivityEntry(kind=ActivityKind.STATUS_CHANGED, task_id=1, to_value="done")
    assert task_entry.to_display == str(TaskStatus.DONE.label)
    committed = ActivityEntry(kind=ActivityKind.COMMITTED, to_value="2025-06-10")
    assert committed.to_display == "2025-06-10"


def test_an_incident_event_names_statuses_and_priorities_by_label():
    status = IncidentEvent(
        kind=IncidentEventKind.STATUS_CHANGED, from_value="new", to_value="in_progress"
    )
    assert (status.from_display, status.to_display) == (
        str(IncidentStatus.NEW.label),
        str(IncidentStatus.IN_PROGRESS.label),
    )
    priority = IncidentEvent(
        kind=IncidentEventKind.PRIORITY_CHANGED, from_value="p3", to_value="p1"
    )
    assert priority.to_display == str(Priority("p1").label)
    reassigned = IncidentEvent(kind=IncidentEventKind.REASSIGNED, to_value="new")
    assert reassigned.to_display == "new"  # an assignment is text, even one that reads "new"


def test_an_old_resolution_without_its_to_value_shows_the_status_it_leads_to():
    resolved = IncidentEvent(kind=IncidentEventKind.RESOLVED, from_value="in_progress")
    assert resolved.to_display == str(IncidentStatus.RESOLVED.label)
    closed = IncidentEvent(kind=IncidentEventKind.CLOSED, from_value="resolved")
    assert closed.to_display == str(IncidentStatus.CLOSED.label)
