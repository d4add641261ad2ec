"""The status update page of a change: the note, who receives which message and the text of
both as they would go now; sending goes through ``tamdesk.changes.status_updates``. Only who
edits the change opens it (403 otherwise, checked again in the transaction that sends)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy, ngettext

from tamdesk.changes import status_updates
from tamdesk.changes.forms import StatusUpdateForm
from tamdesk.changes.models import ChangeRequest
from tamdesk.changes.views.changes import ChangeViews
from tamdesk.changes.views.common import change_url
from tamdesk.core import ui


class StatusUpdate(ChangeViews, ui.ModelView):
    """GET: the form and the preview. POST: send (or, with ``preview``, show the preview with
    the note typed); a refusal is shown on the form and nothing is sent."""

    title = gettext_lazy("Send a status update")
    template_name = "changes/status_update.html"

    def page(self, change: ChangeRequest, form: StatusUpdateForm, *, note: str) -> HttpResponse:
        preview = status_updates.preview(change, by=self.request.user, note=note)
        context = {
            **self.base_context(),
            "object": change,
            "change": change,
            "form": form,
            "preview": preview,
            "timeline_message": preview.messages[status_updates.TIMELINE],
            "message_language": status_updates.MESSAGE_LANGUAGE,
            "summary_message": preview.messages[status_updates.SUMMARY],
            "cancel_url": change_url(change),
        }
        return self.render(context)

    def get(self, request, *args, **kwargs) -> HttpResponse:
        change = self.get_object()
        self.check("change", change)
        return self.page(change, StatusUpdateForm(), note="")

    def post(self, request, *args, **kwargs) -> HttpResponse:
        change = self.get_object()
        self.check("change", change)
        form = StatusUpdateForm(request.POST)
        if not form.is_valid():
            return self.page(change, form, note="")
        note = form.cleaned_data["note"]
        if "preview" in request.POST:
            return self.page(change, form, note=note)

        def send():
            locked = ChangeRequest.objects.select_for_update().get(pk=change.pk)
            self.check("change", locked)
            return status_updates.send_status_update(locked, by=request.user, note=note)

        def sent(result) -> str:
            count = len(result.recipients)
            return ngettext(
                "Sent the status update to %(count)d contact.",
                "Sent the status update to %(count)d contacts.",
                count,
            ) % {"count": count}

        response = ui.run_service(
            request, form, send, success_message=sent, redirect_to=change_url(change)
        )
        return response or self.page(change, form, note=note)
