"""Pages of notifications under ``/notifications/`` (routes in ``notifications/urls.py``):
the inbox and the bell (``inbox``), preferences, the outbox and the webhook subscriptions
(administrators), and the outbox's section of the background jobs page (``jobs``)."""
