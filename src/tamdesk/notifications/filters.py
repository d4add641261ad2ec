"""FilterSets shared by the HTML pages and the API lists of notifications."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from tamdesk.core import ranges
from tamdesk.core.filters import text_search
from tamdesk.notifications.catalog import event_type_choices
from tamdesk.notifications.choices import Channel, NotificationStatus, WebhookFormat
from tamdesk.notifications.models import Notification, WebhookSubscription


def _unread(queryset, name, value):
    if value is None:
        return queryset
    return queryset.filter(read_at__isnull=value)


class InboxFilter(django_filters.FilterSet):
    """The caller's in-app notifications: ``unread=true`` for the unread ones only."""

    unread = django_filters.BooleanFilter(label=_("Unread"), method=_unread)

    class Meta:
        model = Notification
        fields = ["unread"]


DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class OutboxFilter(django_filters.FilterSet):
    """Every notification, for administrators: the outbox page and ``/api/v1/outbox/``."""

    q = django_filters.CharFilter(
        label=_("Recipient"),
        method=text_search(
            [
                "address",
                "recipient_user__username",
                "recipient_user__first_name",
                "recipient_user__last_name",
                "recipient_user__email",
                "recipient_department__name",
                "recipient_contact__name",
                "webhook__name",
            ]
        ),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=NotificationStatus.choices)
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    event_type = django_filters.ChoiceFilter(label=_("Event type"), choices=event_type_choices)
    created_from = ranges.DayFilter(
        label=_("Created from"), field_name="created_at", lookup_expr="date__gte", widget=DATE_INPUT
    )
    created_to = ranges.DayFilter(
        label=_("Created until"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=DATE_INPUT,
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("created_at", "created_at"),
            ("status", "status"),
            ("channel", "channel"),
            ("event_type", "event_type"),
            ("attempts", "attempts"),
            ("next_attempt_at", "next_attempt_at"),
        ),
        field_labels={
            "created_at": _("Created"),
            "status": _("Status"),
            "channel": _("Channel"),
            "event_type": _("Event type"),
            "attempts": _("Attempts"),
            "next_attempt_at": _("Next attempt"),
        },
    )

    class Meta:
        model = Notification
        fields = ["q", "status", "channel", "event_type", "created_from", "created_to"]


class WebhookSubscriptionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method=text_search(["name", "url"]))
    format = django_filters.ChoiceFilter(label=_("Format"), choices=WebhookFormat.choices)
    is_active = django_filters.BooleanFilter(label=_("Active"))
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("created_at", "created_at")),
        field_labels={"name": _("Name"), "created_at": _("Created")},
    )

    class Meta:
        model = WebhookSubscription
        fields = ["q", "format", "is_active"]
