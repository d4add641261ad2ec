"""The event types that can notify someone. Each domain declares its own, next to the service
that raises the event, with :func:`register_event_type` (called at import of its module), and
provides the templates ``<template>_subject.txt``, ``<template>.txt`` and ``<template>.html``.

The catalogue drives the preferences page (which events on which channels) and the webhook
subscriptions (which events an outside system receives)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tamdesk.notifications.choices import Channel

PERSONAL_CHANNELS = (Channel.IN_APP, Channel.EMAIL)


@dataclass(frozen=True)
class EventType:
    code: str  # stable, dotted: "sla.breached"
    label: str | Promise
    template: str  # template path prefix, e.g. "notifications/email/test"
    default_channels: frozenset[str] = field(
        default_factory=lambda: frozenset({Channel.IN_APP, Channel.EMAIL})
    )
    #: Urgent events are delivered at once; the others wait for the recipient's working hours.
    urgent: bool = False
    #: Whether people may switch it off in their preferences.
    configurable: bool = True
    #: Whether webhook subscriptions may receive it.
    webhooks: bool = True
    #: The files its e-mails carry, made when each is sent (so a retry sends them again, and
    #: the outbox stores no copies): ``attachments(notification)`` returns
    #: ``[(file name, bytes, MIME type)]``; it raises when it cannot, and the outbox retries.
    attachments: Callable[[object], list[tuple[str, bytes, str]]] | None = None


EVENT_TYPES: dict[str, EventType] = {}


def register_event_type(event_type: EventType) -> EventType:
    existing = EVENT_TYPES.get(event_type.code)
    if existing is not None and existing != event_type:
        raise ValueError(f"event type {event_type.code!r} is declared twice, differently")
    EVENT_TYPES[event_type.code] = event_type
    return event_type


def get_event_type(code: str) -> EventType:
    try:
        return EVENT_TYPES[code]
    except KeyError:
        raise LookupError(
            f"unknown event type {code!r}; declare it with register_event_type"
        ) from None


def event_type_choices() -> list[tuple[str, str]]:
    return sorted(((t.code, str(t.label)) for t in EVENT_TYPES.values()), key=lambda c: c[1])


TEST_MESSAGE = register_event_type(
    EventType(
        code="notifications.test",
        label=_("Test message"),
        template="notifications/email/test",
        default_channels=frozenset({Channel.EMAIL}),
        urgent=True,
        configurable=False,
    )
)
DAILY_DIGEST = register_event_type(
    EventType(
        code="notifications.daily_digest",
        label=_("Daily digest"),
        template="notifications/email/daily_digest",
    )
)
DELIVERY_DEAD = register_event_type(
    EventType(
        code="notifications.delivery_dead",
        label=_("A notification could not be delivered"),
        template="notifications/email/delivery_dead",
        default_channels=frozenset({Channel.IN_APP}),
        webhooks=False,  # a failing webhook must not feed on its own failures
    )
)
