"""Factories of the notifications domain (and of ``core.JobRun``, whose runs the jobs page
shows). A ``NotificationFactory`` row is an in-app notification of a fresh user unless told
otherwise; e-mails and webhooks set ``channel`` plus their recipient (``address``, ``webhook``)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from tamdesk.core.models import JobRun, JobRunOutcome
from tamdesk.notifications.choices import Channel, NotificationStatus, WebhookFormat
from tamdesk.notifications.models import Notification, WebhookSubscription
from tests.directory.factories import UserFactory


class WebhookSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookSubscription

    name = factory.Sequence(lambda n: f"Webhook {n}")
    url = factory.Sequence(lambda n: f"https://hooks.example.com/{n}")
    event_types = factory.LazyFunction(list)
    format = WebhookFormat.JSON
    is_active = True


class NotificationFactory(factory.django.DjangoModelFactory):
    """In-app (sent, unread) by default. For an e-mail: ``channel=Channel.EMAIL`` (status
    pending, due now); for a webhook: ``channel=Channel.WEBHOOK, webhook=..., recipient_user=None``.
    """

    class Meta:
        model = Notification

    event_type = "notifications.test"
    event_key = factory.Sequence(lambda n: f"test:{n}")
    channel = Channel.IN_APP
    dedup_key = factory.LazyAttribute(lambda o: f"{o.event_key}|{o.channel}")
    recipient_user = factory.LazyAttribute(
        lambda o: None if o.channel == Channel.WEBHOOK else UserFactory()
    )
    address = factory.LazyAttribute(
        lambda o: (
            o.webhook.url
            if o.channel == Channel.WEBHOOK and o.webhook
            else (o.recipient_user.email if o.channel == Channel.EMAIL and o.recipient_user else "")
        )
    )
    webhook = None
    subject = factory.Sequence(lambda n: f"Subject {n}")
    body_text = "Hello.\n"
    body_html = ""
    url = ""
    status = factory.LazyAttribute(
        lambda o: (
            NotificationStatus.SENT if o.channel == Channel.IN_APP else NotificationStatus.PENDING
        )
    )
    next_attempt_at = factory.LazyAttribute(
        lambda o: (
            None
            if o.status in (NotificationStatus.SENT, NotificationStatus.DEAD)
            else timezone.now()
        )
    )
    sent_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == NotificationStatus.SENT else None
    )
    read_at = None


class JobRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobRun

    name = "notifications.sweep"
    started_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(seconds=3))
    finished_at = factory.LazyAttribute(
        lambda o: (
            None if o.outcome == JobRunOutcome.RUNNING else o.started_at + dt.timedelta(seconds=2)
        )
    )
    outcome = JobRunOutcome.SUCCEEDED
    detail = ""
    worker = "worker-1"
