"""Pages of the calendars under ``/calendars/``: the list, a calendar's page with its weekly
hours, month view and exceptions, the forms, and the import of public holidays. The generic
machinery is ``tamdesk.core.ui``; the writes go through ``tamdesk.calendars.services``."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tamdesk.calendars import services
from tamdesk.calendars.filters import CalendarExceptionFilter, CalendarFilter
from tamdesk.calendars.forms import (
    CalendarExceptionForm,
    CalendarForm,
    ImportHolidaysForm,
    WeeklyHoursForm,
)
from tamdesk.calendars.models import Calendar, CalendarException, WorkingInterval
from tamdesk.calendars.month import build_month, local_today, month_start, weekly_rows
from tamdesk.core import ui

MONTH_TEMPLATE = "calendars/partials/_month_swap.html"


class CalendarViews:
    model = Calendar
    route = "calendars:calendar"


class CalendarList(CalendarViews, ui.ObjectListView):
    title = gettext_lazy("Calendars")
    filterset_class = CalendarFilter
    table_template = "calendars/partials/_calendar_table.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related("working_intervals")
            .annotate(exception_count=Count("exceptions"))
            .order_by("name")  # Meta.ordering does not apply to an aggregating query
        )


def calendar_history(calendar: Calendar):
    """The entries of the calendar's intervals and exceptions, deleted ones included (each
    entry carries the calendar's id)."""
    types = ContentType.objects.get_for_models(WorkingInterval, CalendarException).values()
    return LogEntry.objects.filter(
        content_type__in=list(types), additional_data__calendar_id=calendar.pk
    )


class CalendarDetail(CalendarViews, ui.ObjectDetailView):
    """Weekly hours, the month view (``?month=YYYY-MM``; with htmx only the month is swapped),
    the exceptions of the month's year and the records that work by the calendar."""

    template_name = "calendars/calendar_detail.html"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("working_intervals")

    def get_extra_context(self, obj):
        today = local_today(obj)
        month = build_month(obj, month_start(self.request.GET.get("month"), today), today)
        return {
            "weekly": weekly_rows(obj.weekly_intervals()),
            "month": month,
            "exceptions": obj.exceptions.filter(date__year=month.first.year),
            "exception_years": obj.exceptions.dates("date", "year"),
            "users": obj.users(limit=50, viewer=self.request.user),
            "history_related": [calendar_history(obj)],
        }

    def render(self, context, template=None, status=200):
        if ui.wants_fragment(self.request):
            template = MONTH_TEMPLATE
        return super().render(context, template, status)


class CalendarCreate(CalendarViews, ui.ObjectCreateView):
    title = gettext_lazy("New calendar")
    form_class = CalendarForm

    def save(self, form):
        return services.create_calendar(**form.service_arguments(), by=self.request.user)


class CalendarUpdate(CalendarViews, ui.ObjectUpdateView):
    form_class = CalendarForm

    def save(self, form):
        calendar = form.save()
        # Switching 24×7 off a calendar in use without weekly hours is refused.
        services.finish_calendar_edit(calendar, field="is_always_open")
        return calendar


class CalendarDelete(CalendarViews, ui.ObjectDeleteView):
    def perform_delete(self, obj):
        services.delete_calendar(obj, by=self.request.user)


class CalendarHours(CalendarViews, ui.ObjectUpdateView):
    """All seven weekdays' hours at once."""

    form_class = WeeklyHoursForm

    def save(self, form):
        return services.set_weekly_hours(
            form.instance, weekly=form.weekly_hours(), by=self.request.user
        )

    def render_form(self, form, obj, cancel_url):
        response = super().render_form(form, obj, cancel_url)
        response.context_data["title"] = _("Weekly hours of “%(object)s”") % {"object": obj}
        return response


class CalendarImportHolidays(CalendarViews, ui.ObjectUpdateView):
    """Public holidays (and, for Russia, the working Saturdays) of a span of years."""

    form_class = ImportHolidaysForm

    def process(self, form, verb, obj, cancel_url):
        def run():
            self.check(verb, obj)
            return services.import_public_holidays(obj, **form.cleaned_data, by=self.request.user)

        response = ui.run_service(
            self.request,
            form,
            run,
            success_message=lambda report: (
                _(
                    "Public holidays imported: %(created)d added, %(updated)d updated, "
                    "%(unchanged)d unchanged, %(skipped)d dates kept as entered by hand."
                )
                % vars(report)
            ),
            redirect_to=ui.safe_next(self.request, obj.get_absolute_url()),
        )
        if response:
            return response
        return self.render_form(form, obj, cancel_url)

    def render_form(self, form, obj, cancel_url):
        response = super().render_form(form, obj, cancel_url)
        response.context_data["title"] = _("Import public holidays into “%(object)s”") % {
            "object": obj
        }
        return response


class ExceptionViews:
    model = CalendarException
    route = "calendars:exception"

    def get_queryset(self):
        return super().get_queryset().select_related("calendar")


class ExceptionList(ExceptionViews, ui.ObjectListView):
    title = gettext_lazy("Calendar exceptions")
    filterset_class = CalendarExceptionFilter
    table_template = "calendars/partials/_exception_table.html"


class ExceptionCreate(ExceptionViews, ui.ObjectCreateView):
    title = gettext_lazy("New calendar exception")
    form_class = CalendarExceptionForm
    parent_field = "calendar"
    prefill_fields = ("date", "kind")

    def save(self, form):
        return services.add_exception(
            calendar=form.cleaned_data["calendar"],
            **form.service_arguments(),
            by=self.request.user,
        )


class ExceptionUpdate(ExceptionViews, ui.ObjectUpdateView):
    form_class = CalendarExceptionForm

    def rows_to_lock(self, obj):
        # The calendar before its exception, as the services lock them.
        return [obj.calendar, obj]

    def save(self, form):
        return services.update_exception(
            form.instance, **form.service_arguments(), by=self.request.user
        )


class ExceptionDelete(ExceptionViews, ui.ObjectDeleteView):
    def perform_delete(self, obj):
        services.delete_exception(obj, by=self.request.user)
