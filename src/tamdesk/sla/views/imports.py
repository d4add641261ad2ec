"""Incident imports from the UI (docs/imports.md, "From the UI"): the list of the imports one
reads, "New import" (upload, then a preview of the head of the file and of the resolved
mapping), starting or cancelling it, its page with a progress bar polled while it runs and the
reconciliation once done, the rejects as CSV, and resuming a failed one. Every rule is in
``sla.imports.uploads`` and ``runs``; reads are scoped (``IncidentImportQuerySet.visible_to``)."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_htmx.http import HttpResponseClientRefresh

from tamdesk.core import ui
from tamdesk.sla import permissions
from tamdesk.sla.choices import ClockKind, ClockState, IncidentImportStatus
from tamdesk.sla.filters import IncidentImportFilter
from tamdesk.sla.forms import IncidentImportForm
from tamdesk.sla.imports import mapping as mappings
from tamdesk.sla.imports import runs, uploads, writer
from tamdesk.sla.imports.readers.source import SourceError
from tamdesk.sla.models import IncidentImport
from tamdesk.sla.views.common import ViewerTimeZoneMixin

PROGRESS_TEMPLATE = "sla/partials/_import_progress.html"
#: How often the import page asks for the progress while the import is queued or running.
POLL = "every 2s"
#: The form fields take this much besides the file (the size check before reading the body).
FORM_OVERHEAD_BYTES = 1024 * 1024


def may_act_on(user, row: IncidentImport) -> bool:
    """Start, cancel or resume: the one who uploaded it, or who imports into every client."""
    return permissions.imports_incidents(user) and (
        row.created_by_id == user.pk or permissions.imports_into_any_client(user)
    )


class ImportViews(ViewerTimeZoneMixin):
    model = IncidentImport
    route = "sla:import"

    def get_queryset(self):
        return super().get_queryset().select_related("created_by")


class ImportList(ImportViews, ui.ObjectListView):
    title = gettext_lazy("Imports")
    filterset_class = IncidentImportFilter
    table_template = "sla/partials/_import_table.html"


class ImportCreate(ImportViews, ui.ModelView):
    """Upload the file with its options; a refusal is a field error and keeps nothing. A body
    larger than the limit is refused by its declared length, before its form is read."""

    title = gettext_lazy("New import")
    template_name = "sla/import_form.html"

    def get(self, request, *args, **kwargs) -> HttpResponse:
        self.check("add")
        return self.render_form(IncidentImportForm(user=request.user))

    def post(self, request, *args, **kwargs) -> HttpResponse:
        self.check("add")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > uploads.max_bytes() + FORM_OVERHEAD_BYTES:
            form = IncidentImportForm(user=request.user)
            form.cleaned_data = {}  # an unbound form carrying the one error
            form.add_error("file", uploads.too_large().message)
            return self.render_form(form, status=413)
        form = IncidentImportForm(request.POST, request.FILES, user=request.user)
        response = ui.run_service(
            request,
            form,
            lambda: uploads.upload(by=request.user, **form.upload_arguments()),
            redirect_to=lambda row: row.get_absolute_url(),
        )
        return response or self.render_form(form)

    def render_form(self, form, status: int = 200) -> HttpResponse:
        context = {
            **self.base_context(),
            "form": form,
            "cancel_url": self.url("list"),
            "max_bytes": uploads.max_bytes(),
        }
        return self.render(context, status=status)


class ImportDetail(ImportViews, ui.ModelView):
    """Waiting for its start: the preview with "Start" and "Cancel". Queued or running: the
    progress bar, polled (an htmx request gets the bar only; once the import ends, the page
    reloads itself). Done: the reconciliation, the rejects and the disagreements. Failed: the
    error and "Resume"."""

    template_name = "sla/import_detail.html"

    def get(self, request, *args, **kwargs) -> HttpResponse:
        row = self.get_object()
        if ui.wants_fragment(request):
            if not is_running(row):
                return HttpResponseClientRefresh()
            return self.render(progress_context(row), PROGRESS_TEMPLATE)
        context = {
            **self.base_context(),
            "title": _("Import %(id)s: %(file)s") % {"id": row.pk, "file": row.file_name},
            "object": row,
            **self.get_extra_context(row),
        }
        return self.render(context)

    def get_extra_context(self, row) -> dict:
        context = {
            **progress_context(row),
            "can_act": may_act_on(self.request.user, row),
            "awaiting_start": uploads.is_awaiting_start(row),
        }
        if context["awaiting_start"]:
            try:
                context["preview"] = uploads.preview_of(row)
            except (SourceError, mappings.MappingError) as error:
                context["preview_error"] = error.message
        if row.status == IncidentImportStatus.DONE:
            outcome = runs.outcome_of(row)
            context["outcome"] = outcome
            context["rejects_total"] = row.outcome.get("rejects_total", len(outcome.rejects))
            context["disagreements_total"] = row.outcome.get(
                "disagreements_total", len(outcome.disagreements)
            )
            context["disagreements"] = [
                {
                    "external_id": d.external_id,
                    "url": d.url,
                    "clock": ClockKind(d.clock).label if d.clock else _("overall"),
                    "source": ClockState(d.source).label,
                    "tamdesk": ClockState(d.tamdesk).label,
                }
                for d in outcome.disagreements
            ]
        return context


def is_running(row: IncidentImport) -> bool:
    return row.status == IncidentImportStatus.RUNNING or (
        row.status == IncidentImportStatus.QUEUED and not uploads.is_awaiting_start(row)
    )


def progress_context(row: IncidentImport) -> dict:
    total = row.incidents_total
    return {
        "incident_import": row,
        "running": is_running(row),
        "poll": POLL,
        "percent": int(100 * row.incidents_done / total) if total else 0,
        "progress_max": total or 1,
    }


class ImportAction(ImportViews, ui.ModelView):
    """A POST button of the import page: calls ``service(row, by=user)`` (``sla.imports.uploads``;
    the start by default)."""

    service = staticmethod(uploads.start)
    success = gettext_lazy("The import is queued.")

    def post(self, request, *args, **kwargs) -> HttpResponse:
        row = self.get_object()
        if not may_act_on(request.user, row):
            raise PermissionDenied
        refused = ui.run_action(
            request, lambda: self.service(row, by=request.user), success_message=self.success
        )
        return redirect(self.target(row, refused))

    def target(self, row: IncidentImport, refused: str) -> str:
        return row.get_absolute_url()


class ImportStart(ImportAction):
    """Start a previewed import (the default service of ``ImportAction``)."""


class ImportResume(ImportAction):
    service = staticmethod(uploads.resume)
    success = gettext_lazy("The import resumes.")


class ImportCancel(ImportAction):
    service = staticmethod(uploads.cancel)
    success = gettext_lazy("The import is cancelled and its file deleted.")

    def target(self, row, refused):
        return row.get_absolute_url() if refused else self.url("list")


class ImportRejects(ImportViews, ui.ModelView):
    """The rejects of a done import as CSV (line, column, external id, reason)."""

    def get(self, request, *args, **kwargs) -> HttpResponse:
        row = self.get_object()
        if row.status != IncidentImportStatus.DONE:
            messages.error(request, _("The import has no result yet."))
            return redirect(row.get_absolute_url())
        out = io.StringIO()
        writer.write_rejects_csv(runs.outcome_of(row).rejects, out)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{row.pk}-rejects.csv"'
        return response
