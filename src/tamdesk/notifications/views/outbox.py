"""The outbox, for administrators: every notification with its delivery state, retries."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tamdesk.core import ui
from tamdesk.notifications import services
from tamdesk.notifications.choices import NotificationStatus
from tamdesk.notifications.filters import OutboxFilter
from tamdesk.notifications.models import Notification

RETRYABLE = (NotificationStatus.FAILED, NotificationStatus.DEAD)


class OutboxViews:
    model = Notification
    route = "notifications:outbox"

    def url(self, action: str, obj=None) -> str:
        name = "notifications:outbox" if action == "list" else f"notifications:outbox_{action}"
        return reverse(name, args=[obj.pk] if obj is not None else [])

    def base_context(self) -> dict:
        return {
            "title": self.title,
            "model_meta": self.model._meta,
            "list_url": self.url("list"),
            "create_url": "",
        }

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                "recipient_user", "recipient_department", "recipient_contact__client", "webhook"
            )
        )


class OutboxList(OutboxViews, ui.ObjectListView):
    """Filters, sorting and pages of ``OutboxFilter``; a banner when notifications are dead."""

    title = gettext_lazy("Outbox")
    filterset_class = OutboxFilter
    template_name = "notifications/outbox_list.html"
    table_template = "notifications/partials/_outbox_table.html"

    def base_context(self) -> dict:
        context = super().base_context()
        if not ui.wants_fragment(self.request):
            context["dead_count"] = Notification.objects.filter(
                status=NotificationStatus.DEAD
            ).count()
        return context


class OutboxDetail(OutboxViews, ui.ModelView):
    """Every field of one notification; the HTML body only inside a sandboxed frame."""

    template_name = "notifications/outbox_detail.html"

    def get(self, request, *args, **kwargs) -> HttpResponse:
        notification = self.get_object()
        self.check("view", notification)
        context = {
            **self.base_context(),
            "title": notification.subject,
            "object": notification,
            "notification": notification,
            "can_retry": notification.status in RETRYABLE
            and request.user.has_perm("notifications.retry_notification", notification),
        }
        return self.render(context)


class OutboxRetry(OutboxViews, ui.ModelView):
    """POST: put one failed or dead notification back in the queue."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs) -> HttpResponse:
        notification = self.get_object()
        self.check("retry", notification)
        ui.run_action(
            request,
            lambda: services.retry(notification, by=request.user),
            success_message=_("The notification is queued again."),
        )
        return redirect(notification.get_absolute_url())


class OutboxRetryDead(OutboxViews, ui.ModelView):
    """A confirmation page, then POST: retry every dead notification."""

    title = gettext_lazy("Retry every dead notification")
    template_name = "notifications/outbox_retry_dead.html"

    def get(self, request, *args, **kwargs) -> HttpResponse:
        self.check("retry")
        dead_count = Notification.objects.filter(status=NotificationStatus.DEAD).count()
        return self.render({**self.base_context(), "dead_count": dead_count})

    def post(self, request, *args, **kwargs) -> HttpResponse:
        self.check("retry")
        count = services.retry_all_dead(by=request.user)
        messages.success(request, _("%(count)s notifications are queued again.") % {"count": count})
        return redirect(self.url("list"))
