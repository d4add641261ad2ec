"""Pages of the core app: the health check, the server error page, the background jobs page,
the password change and the API tokens of the signed-in person."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template import loader
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tamdesk import __version__
from tamdesk.core import api, tokens
from tamdesk.core.filters import JobRunFilter
from tamdesk.core.jobs import PERIODIC_JOBS, PeriodicJob
from tamdesk.core.models import JobRun, JobRunOutcome
from tamdesk.core.ui import PAGE_SIZE, label_filter_choices, wants_fragment

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """Liveness and database status, for load balancers and monitoring (no login)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure is reported, not raised
        # The details (host, port, database name) go to the log, not to anonymous callers.
        logger.exception("Health check: the database does not answer")
        return JsonResponse(
            {
                "status": "error",
                "version": __version__,
                "database": {"status": "error", "error": "unavailable"},
            },
            status=503,
        )
    return JsonResponse(
        {
            "status": "ok",
            "version": __version__,
            "database": {"status": "ok", "vendor": connection.vendor},
        }
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page (``handler500``): a way back home and the language switch.

    Rendered with the request and a CSRF token only (for the switch's form), without the
    context processors: nothing that needs the database or could fail again. Under ``/api/``
    the answer is the API's error shape."""
    if api.is_api_request(request):
        return api.server_error(request)
    template = loader.get_template("500.html")
    context = {"request": request, "csrf_token": get_token(request)}
    return HttpResponseServerError(template.render(context))


# --- the background jobs page ----------------------------------------------------------------


@dataclass(frozen=True)
class JobsPageSection:
    """A part of the jobs page that a higher layer provides: a template and its context.

    Core cannot import the domains above it, so the page does not know them; the workspace
    (``workspace/urls.py``) hands the page its sections: ``JobsPage.as_view(sections=[...])``.
    """

    template: str
    context: dict


@dataclass(frozen=True)
class PeriodicJobStatus:
    job: PeriodicJob
    last_run: JobRun | None
    last_success: JobRun | None


def periodic_job_statuses() -> list[PeriodicJobStatus]:
    """Every declared periodic job with its latest run and its latest successful run."""
    statuses = []
    for name in sorted(PERIODIC_JOBS):
        runs = JobRun.objects.filter(name=name)
        statuses.append(
            PeriodicJobStatus(
                job=PERIODIC_JOBS[name],
                last_run=runs.first(),
                last_success=runs.filter(outcome=JobRunOutcome.SUCCEEDED).first(),
            )
        )
    return statuses


class JobsPage(LoginRequiredMixin, View):
    """Administrators: the declared periodic jobs with their last runs, the run history
    (filtered by job and outcome, paginated; with htmx the history table alone), and the
    ``sections`` given by the layers above (the outbox's health, for one)."""

    sections: Sequence[Callable[[HttpRequest], JobsPageSection | None]] = ()

    def get(self, request, *args, **kwargs) -> HttpResponse:
        if not request.user.has_perm("core.view_jobrun"):
            raise PermissionDenied
        filterset = JobRunFilter(request.GET or None, queryset=JobRun.objects.all())
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        form = filterset.form
        label_filter_choices(form)
        context = {
            "title": _("Background jobs"),
            "filter": filterset,
            "filter_fields": [form[name] for name in form.fields if name != "ordering"],
            "ordering": request.GET.get("ordering", ""),
            "page_obj": page,
            "object_list": page.object_list,
            "table_template": "core/partials/_jobrun_table.html",
        }
        if wants_fragment(request):
            template = context["table_template"]
        else:
            template = "core/jobs.html"
            context["jobs"] = periodic_job_statuses()
            context["sections"] = [
                section for section in (provide(request) for provide in self.sections) if section
            ]
        response = TemplateResponse(request, template, context)
        patch_vary_headers(response, ["HX-Request"])
        return response


# --- the account: password and API tokens ------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; a new password also revokes every API token of the user."""

    def form_valid(self, form):
        response = super().form_valid(form)
        revoked = tokens.revoke_user_tokens(
            self.request.user, by=self.request.user, reason="password changed"
        )
        if revoked:
            messages.info(
                self.request,
                ngettext(
                    "Your %(count)d API token was revoked; create a new one if you need it.",
                    "Your %(count)d API tokens were revoked; create new ones if you need them.",
                    revoked,
                )
                % {"count": revoked},
            )
        return response


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("What the token is for, e.g. the script that uses it."),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        help_text=gettext_lazy("At most %(max)d days."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = self.fields["days"]
        days.max_value = settings.API_TOKEN_MAX_DAYS
        days.validators.append(MaxValueValidator(settings.API_TOKEN_MAX_DAYS))
        days.widget.attrs["max"] = settings.API_TOKEN_MAX_DAYS
        days.initial = settings.API_TOKEN_DAYS
        days.help_text = days.help_text % {"max": settings.API_TOKEN_MAX_DAYS}


class ApiTokensPage(LoginRequiredMixin, View):
    """The signed-in person's API tokens: list, create, revoke. A new key is shown once: the
    POST keeps it in the session and redirects, and the page takes it out as it shows it (so a
    reload neither shows it again nor makes a second token)."""

    template_name = "core/api_tokens.html"
    session_key = "tamdesk_new_api_token"

    def render(self, request, form: ApiTokenForm, *, new_key: str = "", status: int = 200):
        context = {
            "title": _("API tokens"),
            "form": form,
            "tokens": tokens.active_tokens(request.user),
            "new_key": new_key,
        }
        response = TemplateResponse(request, self.template_name, context, status=status)
        response["Cache-Control"] = "no-store"
        return response

    def get(self, request, *args, **kwargs) -> HttpResponse:
        return self.render(
            request, ApiTokenForm(), new_key=request.session.pop(self.session_key, "")
        )

    def post(self, request, *args, **kwargs) -> HttpResponse:
        form = ApiTokenForm(request.POST)
        if not form.is_valid():
            return self.render(request, form, status=400)
        _token, key = tokens.create_token(
            request.user,
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
            by=request.user,
        )
        request.session[self.session_key] = key
        return redirect("core:api_tokens")


class ApiTokenRevoke(LoginRequiredMixin, View):
    """POST: revoke one of the signed-in person's tokens (another person's is a 404)."""

    http_method_names = ["post"]

    def post(self, request, pk: int, *args, **kwargs) -> HttpResponse:
        token = get_object_or_404(tokens.active_tokens(request.user), pk=pk)
        tokens.revoke_token(token, by=request.user)
        messages.success(request, _("The token is revoked: it no longer works."))
        return redirect("core:api_tokens")
