"""The REST API of notifications under ``/api/v1/`` (routes in ``tamdesk.config.api_urls``):

- ``notifications/`` — the caller's own in-app notifications; mark read, unread, all read;
- ``notification-preferences/`` — the caller's language of e-mails and channel choices;
- ``outbox/`` — every notification, for administrators; retry a failed or dead one;
- ``webhook-subscriptions/`` — administrators manage the outside systems that get events.

Writes go through ``tamdesk.notifications.services``; their ``DomainError`` codes
(``not_retryable``, ``invalid_language``, ``invalid_preference``) come back as 400s in the API's
one error shape.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from tamdesk.core import ranges
from tamdesk.core.api import AuditedViewSetMixin
from tamdesk.core.scoping import ScopedViewSetMixin
from tamdesk.core.tokens import ApiTokenAuthentication
from tamdesk.core.viewsets import ApiSchema, UpdateFieldsModelSerializer, VersionedViewSetMixin
from tamdesk.notifications import destinations, services
from tamdesk.notifications.catalog import EVENT_TYPES, PERSONAL_CHANNELS, event_type_choices
from tamdesk.notifications.choices import Channel
from tamdesk.notifications.filters import InboxFilter, OutboxFilter, WebhookSubscriptionFilter
from tamdesk.notifications.models import Notification, WebhookSubscription

# --- permissions ---------------------------------------------------------------------------


class ActionPermission(permissions.BasePermission):
    """The permission the viewset names for the action (``action_permissions``), asked of the
    rules on the model and then on the object. Anonymous calls are refused (401)."""

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        return request.user.has_perm(view.permission_for_action())

    def has_object_permission(self, request, view, obj) -> bool:
        return request.user.has_perm(view.permission_for_action(), obj)


class NotificationsApiMixin(ScopedViewSetMixin, AuditedViewSetMixin):
    # Token first: its ``WWW-Authenticate`` header makes an anonymous call a 401, not a 403.
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [ActionPermission]
    schema = ApiSchema()
    action_permissions: dict[str, str] = {}
    #: For actions not listed (``OPTIONS``: "metadata").
    default_permission = ""

    def permission_for_action(self) -> str:
        return self.action_permissions.get(self.action or "", self.default_permission)


# --- the caller's notifications ------------------------------------------------------------


class InboxNotificationSerializer(ranges.ModelSerializer):
    text = serializers.CharField(source="body_text", read_only=True)
    is_unread = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "event_type", "subject", "text", "url", "urgent", "created_at"]
        fields += ["read_at", "is_unread"]
        read_only_fields = fields


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("How many notifications were marked read."))


@extend_schema_view(
    list=extend_schema(summary=_("Your in-app notifications, newest first")),
    retrieve=extend_schema(summary=_("One of your in-app notifications")),
)
class NotificationViewSet(
    NotificationsApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's in-app notifications (nobody else's: another person's is a 404).
    ``?unread=true`` lists the unread ones."""

    serializer_class = InboxNotificationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = InboxFilter
    default_permission = "notifications.view_inbox"
    action_permissions = {
        "list": "notifications.view_inbox",
        "read_all": "notifications.view_inbox",
        "retrieve": "notifications.read_notification",
        "read": "notifications.read_notification",
        "unread": "notifications.read_notification",
    }

    queryset = Notification.objects.all()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Notification.objects.none()
        return super().get_queryset().inbox(self.request.user)

    def _marked(self, notification: Notification) -> Response:
        notification.refresh_from_db(fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, summary=_("Mark one of your notifications read"))
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None) -> Response:
        notification = self.get_object()
        services.mark_read(notification, by=request.user)
        return self._marked(notification)

    @extend_schema(request=None, summary=_("Mark one of your notifications unread"))
    @action(detail=True, methods=["post"])
    def unread(self, request, pk=None) -> Response:
        notification = self.get_object()
        services.mark_unread(notification, by=request.user)
        return self._marked(notification)

    @extend_schema(
        request=None,
        responses=MarkedSerializer,
        filters=False,
        summary=_("Mark all your notifications read"),
    )
    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[])
    def read_all(self, request) -> Response:
        return Response({"marked": services.mark_all_read(by=request.user)})


# --- preferences ---------------------------------------------------------------------------


def _configurable(code: str) -> bool:
    kind = EVENT_TYPES.get(code)
    return kind is not None and kind.configurable


class EventTypePreferenceSerializer(serializers.Serializer):
    event_type = serializers.CharField(
        help_text=_("The event type's code, e.g. `notifications.daily_digest`.")
    )
    label = serializers.CharField(read_only=True)
    in_app = serializers.BooleanField(
        required=False, help_text=_("In the notification centre. Omitted: unchanged.")
    )
    email = serializers.BooleanField(required=False, help_text=_("By e-mail. Omitted: unchanged."))

    def validate_event_type(self, value: str) -> str:
        if not _configurable(value):
            raise serializers.ValidationError(
                _("Unknown event type, or one that cannot be switched off.")
            )
        return value


class NotificationPreferencesSerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, help_text=_("The language of your e-mails.")
    )
    event_types = EventTypePreferenceSerializer(
        many=True,
        required=False,
        help_text=_(
            "Your channels per configurable event type. On PUT, the event types listed are "
            "changed and the others kept."
        ),
    )

    def validate_event_types(self, value: list[dict]) -> list[dict]:
        codes = [item["event_type"] for item in value]
        if len(codes) != len(set(codes)):
            raise serializers.ValidationError(_("Each event type may be listed only once."))
        return value


def preferences_of(user) -> dict:
    current = services.preference_choices(user)
    kinds = sorted(
        (kind for kind in EVENT_TYPES.values() if kind.configurable),
        key=lambda kind: str(kind.label),
    )
    return {
        "language": services.language_of(user),
        "event_types": [
            {
                "event_type": kind.code,
                "label": str(kind.label),
                "in_app": Channel.IN_APP in current[kind.code],
                "email": Channel.EMAIL in current[kind.code],
            }
            for kind in kinds
        ],
    }


class PreferencesPermission(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and user.has_perm("notifications.change_preferences")
        )


class NotificationPreferencesView(AuditedViewSetMixin, GenericAPIView):
    """The caller's notification preferences: one resource per person."""

    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [PreferencesPermission]
    serializer_class = NotificationPreferencesSerializer
    schema = ApiSchema()

    def get_object(self) -> dict:
        """The one resource: the caller's preferences (DRF's OPTIONS metadata asks for it)."""
        return preferences_of(self.request.user)

    @extend_schema(operation_id="notification_preferences_retrieve", summary=_("Your preferences"))
    def get(self, request) -> Response:
        return Response(self.get_serializer(preferences_of(request.user)).data)

    @extend_schema(
        operation_id="notification_preferences_update",
        summary=_("Change your preferences"),
        description=_(
            "`language` is required; each listed event type changes the channels given "
            "(`in_app`, `email`), the rest stay as they are."
        ),
    )
    def put(self, request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        choices: dict[tuple[str, str], bool] = {}
        for item in serializer.validated_data.get("event_types", []):
            for channel in PERSONAL_CHANNELS:
                if channel.value in item:
                    choices[(item["event_type"], channel.value)] = item[channel.value]
        services.set_preferences(
            user=request.user,
            language=serializer.validated_data["language"],
            choices=choices,
            by=request.user,
        )
        return Response(self.get_serializer(preferences_of(request.user)).data)


# --- the outbox ----------------------------------------------------------------------------


class OutboxNotificationSerializer(ranges.ModelSerializer):
    class Meta:
        model = Notification
        fields = [
            "id",
            "uuid",
            "event_type",
            "event_key",
            "channel",
            "recipient_user",
            "recipient_department",
            "recipient_contact",
            "webhook",
            "address",
            "language",
            "urgent",
            "subject",
            "body_text",
            "body_html",
            "url",
            "payload",
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "created_at",
            "sent_at",
            "read_at",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary=_("Every notification, newest first (administrators)")),
    retrieve=extend_schema(summary=_("One notification with its delivery state")),
)
class OutboxViewSet(
    NotificationsApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The outbox: every notification on every channel with its delivery state. Filters are the
    outbox page's (``OutboxFilter``); ``ordering`` sorts."""

    queryset = Notification.objects.select_related(
        "recipient_user", "recipient_department", "recipient_contact", "webhook"
    )
    serializer_class = OutboxNotificationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = OutboxFilter
    default_permission = "notifications.view_notification"
    action_permissions = {
        "list": "notifications.view_notification",
        "retrieve": "notifications.view_notification",
        "retry": "notifications.retry_notification",
    }

    @extend_schema(
        request=None,
        summary=_("Queue a failed or dead notification again"),
        description=_("Any other status is refused with 400 `not_retryable`."),
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None) -> Response:
        notification = services.retry(self.get_object(), by=request.user)
        return Response(self.get_serializer(notification).data)


# --- webhook subscriptions -----------------------------------------------------------------


class WebhookSubscriptionSerializer(UpdateFieldsModelSerializer):
    """The secret is write-only here: the create response and the single record show it."""

    url = serializers.URLField(
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Where the events are posted: an http:// or https:// address."),
    )
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=[]),
        required=False,
        help_text=_("Event type codes it receives; empty means all of them."),
    )
    secret = serializers.CharField(
        write_only=True,
        required=False,
        min_length=16,
        max_length=200,
        help_text=_("The signing secret; omitted on create, one is generated."),
    )

    class Meta:
        model = WebhookSubscription
        fields = ["id", "name", "url", "event_types", "format", "is_active", "secret"]
        fields += ["created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_types"].child.choices = event_type_choices()

    def validate_event_types(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    def validate_url(self, value: str) -> str:
        # DestinationForbidden is a DomainError: a 400 with its own code, the field named.
        destinations.check_url(value)
        return value


class WebhookSubscriptionWithSecretSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(
        read_only=True, help_text=_("The signing secret of the HMAC-SHA256 signature.")
    )


@extend_schema_view(
    list=extend_schema(summary=_("Webhook subscriptions (administrators)")),
    retrieve=extend_schema(responses=WebhookSubscriptionWithSecretSerializer),
    create=extend_schema(
        request=WebhookSubscriptionSerializer,
        responses={201: WebhookSubscriptionWithSecretSerializer},
    ),
)
class WebhookSubscriptionViewSet(
    VersionedViewSetMixin, NotificationsApiMixin, viewsets.ModelViewSet
):
    """Outside systems that receive events as signed HTTP POSTs (administrators)."""

    queryset = WebhookSubscription.objects.all()
    serializer_class = WebhookSubscriptionSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = WebhookSubscriptionFilter
    default_permission = "notifications.view_webhooksubscription"
    action_permissions = {
        "list": "notifications.view_webhooksubscription",
        "retrieve": "notifications.view_webhooksubscription",
        "create": "notifications.add_webhooksubscription",
        "update": "notifications.change_webhooksubscription",
        "partial_update": "notifications.change_webhooksubscription",
        "destroy": "notifications.delete_webhooksubscription",
        "regenerate_secret": "notifications.change_webhooksubscription",
    }

    def get_serializer_class(self):
        if self.action in ("retrieve", "regenerate_secret"):
            return WebhookSubscriptionWithSecretSerializer
        return WebhookSubscriptionSerializer

    def create(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = serializer.save()
        shown = WebhookSubscriptionWithSecretSerializer(
            subscription, context=self.get_serializer_context()
        )
        return Response(shown.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        summary=_("Give the subscription a new signing secret"),
        description=_("The old secret stops working at once; the response shows the new one."),
    )
    @action(detail=True, methods=["post"], url_path="regenerate-secret")
    def regenerate_secret(self, request, pk=None) -> Response:
        subscription = services.regenerate_webhook_secret(self.get_object(), by=request.user)
        return Response(self.get_serializer(subscription).data)
