"""A person's notification preferences: the language of e-mails, the event-type × channel
matrix, and the working hours that decide when e-mails arrive."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tamdesk.calendars.engine import CalendarSpec
from tamdesk.core.ui import run_service
from tamdesk.notifications import services, timing
from tamdesk.notifications.choices import Channel
from tamdesk.notifications.forms import PreferencesForm
from tamdesk.notifications.views.inbox import require


@dataclass(frozen=True)
class WorkingDay:
    name: str
    hours: str  # "09:00–18:00", "" when closed


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def describe_week(spec: CalendarSpec) -> list[WorkingDay]:
    """The weekly working hours of ``spec``, Monday first, for people to read."""
    return [
        WorkingDay(
            name=str(WEEKDAYS[index]),
            hours=", ".join(f"{_clock(start)}–{_clock(end)}" for start, end in intervals),
        )
        for index, intervals in enumerate(spec.weekly)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request) -> HttpResponse:
    require(request, "notifications.change_preferences")
    user = request.user
    current = services.preference_choices(user)
    form = PreferencesForm(
        request.POST or None, current=current, initial={"language": services.language_of(user)}
    )
    if request.method == "POST":
        response = run_service(
            request,
            form,
            lambda: services.set_preferences(
                user=user,
                language=form.cleaned_data["language"],
                choices=form.choices(),
                by=user,
            ),
            success_message=_("Your notification preferences are saved."),
            redirect_to=reverse("notifications:preferences"),
        )
        if response:
            return response
    spec = timing.working_calendar_of_user(user)
    context = {
        "title": _("Notification preferences"),
        "form": form,
        "rows": form.rows(),
        "channels": [Channel.IN_APP, Channel.EMAIL],
        "time_zone": spec.time_zone,
        "week": describe_week(spec),
        "has_exceptions": bool(spec.exceptions),
    }
    return TemplateResponse(request, "notifications/preferences.html", context)
