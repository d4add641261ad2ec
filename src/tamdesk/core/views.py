"""Pages of the core app: the health check and the background jobs page."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tamdesk import __version__
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


# --- the background jobs page ----------------------------------------------------------------


@dataclass(frozen=True)
class JobsPageSection:
    """A part of the jobs page that a higher layer provides: a template and its context.

    Core cannot import the domains above it, so the page does not know them; the composition
    root (``config/urls.py``) hands the page its sections: ``JobsPage.as_view(sections=[...])``.
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
