"""Pages of notifications under ``/notifications/``; names ``notifications:<model>_<action>``.
The background jobs page (``jobs``, a core page given the outbox's section) is routed in
``config/urls.py``."""

from django.urls import path

from tamdesk.notifications.views import inbox, outbox, preferences, webhooks

app_name = "notifications"
urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("bell/", inbox.bell, name="bell"),
    path("read-all/", inbox.mark_all_read, name="inbox_read_all"),
    path("<int:pk>/open/", inbox.open_notification, name="notification_open"),
    path("<int:pk>/read/", inbox.mark_read, name="notification_read"),
    path("<int:pk>/unread/", inbox.mark_unread, name="notification_unread"),
    path("preferences/", preferences.preferences, name="preferences"),
    path("outbox/", outbox.OutboxList.as_view(), name="outbox"),
    path("outbox/retry-dead/", outbox.OutboxRetryDead.as_view(), name="outbox_retry_dead"),
    path("outbox/<int:pk>/", outbox.OutboxDetail.as_view(), name="outbox_detail"),
    path("outbox/<int:pk>/retry/", outbox.OutboxRetry.as_view(), name="outbox_retry"),
    path("webhooks/", webhooks.WebhookList.as_view(), name="webhook_list"),
    path("webhooks/new/", webhooks.WebhookCreate.as_view(), name="webhook_create"),
    path("webhooks/<int:pk>/", webhooks.WebhookDetail.as_view(), name="webhook_detail"),
    path("webhooks/<int:pk>/edit/", webhooks.WebhookUpdate.as_view(), name="webhook_update"),
    path("webhooks/<int:pk>/delete/", webhooks.WebhookDelete.as_view(), name="webhook_delete"),
    path(
        "webhooks/<int:pk>/regenerate-secret/",
        webhooks.WebhookRegenerateSecret.as_view(),
        name="webhook_regenerate_secret",
    ),
]
