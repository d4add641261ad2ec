"""Webhook subscriptions, for administrators: list, create, edit, delete, the signing secret."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tamdesk.core import ui
from tamdesk.notifications import channels, services
from tamdesk.notifications.catalog import EVENT_TYPES
from tamdesk.notifications.filters import WebhookSubscriptionFilter
from tamdesk.notifications.forms import WebhookSubscriptionForm
from tamdesk.notifications.models import WebhookSubscription

LATEST_DELIVERIES = 20


class WebhookViews:
    model = WebhookSubscription
    route = "notifications:webhook"


class WebhookList(WebhookViews, ui.ObjectListView):
    title = gettext_lazy("Webhook subscriptions")
    filterset_class = WebhookSubscriptionFilter
    table_template = "notifications/partials/_webhook_table.html"


class WebhookDetail(WebhookViews, ui.ObjectDetailView):
    """The subscription, its secret (to copy), how to check the signature, the latest
    deliveries."""

    template_name = "notifications/webhook_detail.html"

    def get_extra_context(self, obj: WebhookSubscription) -> dict:
        return {
            "event_type_labels": [
                str(EVENT_TYPES[code].label) if code in EVENT_TYPES else code
                for code in obj.event_types
            ],
            "deliveries": obj.notifications.order_by("-created_at", "-id")[:LATEST_DELIVERIES],
            "signature_header": channels.SIGNATURE_HEADER,
            "timestamp_header": channels.TIMESTAMP_HEADER,
        }


class WebhookCreate(WebhookViews, ui.ObjectCreateView):
    """The secret is generated with the record; the detail page it leads to shows it."""

    title = gettext_lazy("New webhook subscription")
    form_class = WebhookSubscriptionForm


class WebhookUpdate(WebhookViews, ui.ObjectUpdateView):
    form_class = WebhookSubscriptionForm


class WebhookDelete(WebhookViews, ui.ObjectDeleteView):
    template_name = "notifications/webhook_confirm_delete.html"


class WebhookRegenerateSecret(WebhookViews, ui.ModelView):
    """POST: a new signing secret; the old one stops working at once."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs) -> HttpResponse:
        subscription = self.get_object()
        self.check("change", subscription)
        services.regenerate_webhook_secret(subscription, by=request.user)
        messages.success(
            request,
            _("A new secret is set. Give it to the receiving side: the old one no longer works."),
        )
        return redirect(subscription.get_absolute_url())
