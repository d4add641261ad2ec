"""Keeping forecasts current when nobody touches a change: as time passes (a change that has
not started slides with "now") and when a department's working time changes (its calendar's
weekly hours, exceptions or time zone, or the department's calendar itself).

Each change is re-scheduled in its own transaction, locked like the services lock it, so a
failure on one change does not hold the others back."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tamdesk.changes import scheduling
from tamdesk.changes.choices import CLOSED_CHANGE_STATUSES
from tamdesk.changes.models import ChangeRequest
from tamdesk.core.ranges import OutOfSupportedRange

log = logging.getLogger(__name__)


class RescheduleFailed(RuntimeError):
    """Some changes could not be re-scheduled (each is logged with its traceback)."""


def affected_by(*, calendar_ids: Iterable[int] = (), department_ids: Iterable[int] = ()):
    """Open changes with a task of one of the departments, or of a department working by one of
    the calendars."""
    condition = Q(tasks__department_id__in=list(department_ids)) | Q(
        tasks__department__calendar_id__in=list(calendar_ids)
    )
    return ChangeRequest.objects.open().filter(condition).distinct()


def reschedule(changes, *, now: dt.datetime | None = None, stale_before=None) -> int:
    """Re-schedule each open change of ``changes`` (a queryset) as of ``now``; with
    ``stale_before``, only those last scheduled at or before it (one scheduled later already saw
    the news).
    Returns how many were re-scheduled; raises ``RescheduleFailed`` after trying them all when
    some failed. A change whose schedule leaves the supported range is skipped with a warning."""
    now = now or timezone.now()
    changes = changes.exclude(status__in=CLOSED_CHANGE_STATUSES)
    if stale_before is not None:
        changes = changes.filter(Q(scheduled_at__isnull=True) | Q(scheduled_at__lte=stale_before))
    done, failed = 0, []
    for pk in list(changes.order_by("pk").values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                change = ChangeRequest.objects.select_for_update().filter(pk=pk).first()
                if change is None or change.is_closed:
                    continue
                scheduling.recompute(change, now)
        except OutOfSupportedRange as error:
            # Data stored outside the supported range (before it was checked): no use retrying
            # until someone corrects the change; the others go on.
            log.warning("skipped re-scheduling change CR-%s: %s", pk, error.message)
        except Exception:  # any failure: logged with its traceback, reported after the loop
            log.exception("could not re-schedule change CR-%s", pk)
            failed.append(pk)
        else:
            done += 1
    if failed:
        raise RescheduleFailed(
            f"re-scheduled {done} changes; {len(failed)} failed: "
            + ", ".join(f"CR-{pk}" for pk in failed[:20])
        )
    return done
