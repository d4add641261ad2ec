"""The changes domain's section of the home page (``directory.views.home``): the user's work —
the queues of the departments they work in or lead, the open tasks assigned to them (least slack
first) and the open changes they own. Added to the page by ``ChangesConfig.ready``."""

from __future__ import annotations

from django.db.models import F, Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tamdesk.changes.choices import CLOSED_CHANGE_STATUSES, OPEN_TASK_STATUSES
from tamdesk.changes.models import ChangeRequest, DepartmentTask
from tamdesk.changes.views.queues import with_queue_counts
from tamdesk.directory.models import Department
from tamdesk.directory.views.home import HomeSection

#: How many tasks and changes the section lists; the rest are a click away.
LIMIT = 10


def my_work_context(request: HttpRequest) -> dict | None:
    """None when the user works in no department, has no open task and owns no open change."""
    user = request.user
    # Selected by primary key: joining the engineers would multiply the queue counts.
    mine = Department.objects.filter(Q(engineers__user=user) | Q(lead__user=user)).values("pk")
    departments = list(with_queue_counts(Department.objects.filter(pk__in=mine)).order_by("name"))
    lead_of = set(Department.objects.filter(lead__user=user).values_list("pk", flat=True))
    for department in departments:
        department.is_led_by_user = department.pk in lead_of
    tasks = list(
        DepartmentTask.objects.filter(assignee=user, status__in=OPEN_TASK_STATUSES)
        .exclude(change__status__in=CLOSED_CHANGE_STATUSES)
        .select_related("change__client", "department")
        .order_by(F("slack_seconds").asc(nulls_last=True), "planned_start_at", "pk")[:LIMIT]
    )
    changes = list(
        ChangeRequest.objects.filter(owner=user)
        .open()
        .select_related("client")
        .order_by(F("committed_on").asc(nulls_last=True), "-created_at", "-pk")[:LIMIT]
    )
    if not (departments or tasks or changes):
        return None
    return {"departments": departments, "tasks": tasks, "changes": changes, "limit": LIMIT}


MY_WORK_SECTION = HomeSection(
    "my-work", _("My work"), "list-task", "changes/home/_my_work.html", my_work_context
)
