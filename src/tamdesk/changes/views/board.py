"""The change board: the changes as columns by status, with the change list's filters
(``ChangeFilter``). Open changes are shown (up to ``OPEN_LIMIT`` a column), done and cancelled
ones only when closed in the last ``CLOSED_DAYS`` days (up to ``CLOSED_LIMIT`` a column). One
query per column, whatever the number of changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy

from tamdesk.changes.choices import (
    CLOSED_CHANGE_STATUSES,
    OPEN_TASK_STATUSES,
    ActivityKind,
    ChangeStatus,
)
from tamdesk.changes.filters import ChangeFilter
from tamdesk.changes.models import ActivityEntry, ChangeRequest, DepartmentTask
from tamdesk.changes.views.changes import ChangeViews
from tamdesk.core import ui

OPEN_LIMIT = 50
CLOSED_LIMIT = 20
CLOSED_DAYS = 30
#: The filters of the board (the column is the status; the order is the column's).
BOARD_FILTERS = ("client", "department", "owner", "at_risk")
IGNORED_PARAMETERS = ("status", "schedule_status", "ordering", "page")
RESULTS_TEMPLATE = "changes/partials/_board.html"


@dataclass(frozen=True)
class Column:
    status: str
    label: str
    cards: list[ChangeRequest]
    has_more: bool
    is_closed: bool
    list_url: str  # the change list filtered to this status (and the board's filters)


def with_card_data(queryset: QuerySet) -> QuerySet:
    """Changes with what a card shows: client, owner, the number of open tasks and, for closed
    ones, when they were closed (their last status change, else their last edit)."""
    open_tasks = (
        DepartmentTask.objects.filter(change=OuterRef("pk"), status__in=OPEN_TASK_STATUSES)
        .order_by()
        .values("change")
        .annotate(count=Count("pk"))
        .values("count")
    )
    closed_at = (
        ActivityEntry.objects.filter(
            change=OuterRef("pk"),
            task__isnull=True,
            kind=ActivityKind.STATUS_CHANGED,
            to_value=OuterRef("status"),
        )
        .order_by("-at")
        .values("at")[:1]
    )
    return queryset.select_related("client", "owner").annotate(
        open_task_count=Coalesce(Subquery(open_tasks, output_field=IntegerField()), 0),
        closed_at=Coalesce(Subquery(closed_at), F("updated_at")),
    )


def column_of(changes: QuerySet, status: ChangeStatus, *, now: dt.datetime, list_url: str):
    is_closed = status in CLOSED_CHANGE_STATUSES
    in_column = changes.filter(status=status)
    if is_closed:
        limit = CLOSED_LIMIT
        in_column = in_column.filter(closed_at__gte=now - dt.timedelta(days=CLOSED_DAYS))
        in_column = in_column.order_by("-closed_at", "-pk")
    else:
        limit = OPEN_LIMIT
        in_column = in_column.order_by(
            F("forecast_finish_at").asc(nulls_last=True), F("committed_on").asc(nulls_last=True),
            "pk",
        )  # fmt: skip
    cards = list(in_column[: limit + 1])
    return Column(
        status=status.value,
        label=status.label,
        cards=cards[:limit],
        has_more=len(cards) > limit,
        is_closed=is_closed,
        list_url=list_url,
    )


class ChangeBoard(ChangeViews, ui.ModelView):
    """``/changes/board/``. An htmx request (the filters) gets the columns only."""

    title = gettext_lazy("Change board")
    template_name = "changes/change_board.html"

    def get(self, request, *args, **kwargs) -> HttpResponse:
        self.check("view")
        params = request.GET.copy()
        for name in IGNORED_PARAMETERS:
            params.pop(name, None)
        filterset = ChangeFilter(params or None, queryset=self.get_queryset(), request=request)
        form = filterset.form
        ui.label_filter_choices(form)
        changes = with_card_data(filterset.qs)
        now = timezone.now()
        list_url = reverse("changes:change_list")
        columns = []
        for status in ChangeStatus:
            query = params.copy()
            query["status"] = status.value
            columns.append(
                column_of(changes, status, now=now, list_url=f"{list_url}?{query.urlencode()}")
            )
        encoded = params.urlencode()
        context = {
            **self.base_context(),
            "filter": filterset,
            "search_field": form["q"],
            "filter_fields": [form[name] for name in BOARD_FILTERS],
            "columns": columns,
            "table_template": RESULTS_TEMPLATE,
            "change_list_url": f"{list_url}?{encoded}" if encoded else list_url,
            "open_limit": OPEN_LIMIT,
            "closed_limit": CLOSED_LIMIT,
            "closed_days": CLOSED_DAYS,
        }
        template = RESULTS_TEMPLATE if ui.wants_fragment(request) else self.template_name
        response = self.render(context, template)
        patch_vary_headers(response, ["HX-Request"])
        return response
