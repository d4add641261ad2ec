"""Live incidents: a helpdesk posts its updates to ``POST /api/v1/inbound/incidents/<id>/`` and
they are read and written as a file import's rows are (docs/imports.md, "Live: inbound
webhooks"; ADR 0007).

- **A source** (``IncidentSource``) has a preset (servicenow, jira, generic), a mapping (the
  same TOML a file import takes), an optional fixed client and time zone, and a token of which
  only the SHA-256 digest is kept (as API tokens, ADR 0003); it is shown once.
- **Idempotent by event id.** Every row of a body has an event id (servicenow: ``number`` and
  ``sys_mod_count``; jira: the issue key and the webhook's ``timestamp``; generic: the id and
  the ``sequence`` column, else the event time). A repeat is answered ``duplicate`` and writes
  nothing.
- **In order.** The rows of one incident are applied in sequence order. Where the sequence is
  contiguous (servicenow's ``sys_mod_count``, a generic ``sequence`` column) a row whose
  predecessor has not arrived is **held**; a row of an incident nothing is known of waits
  unless it is the incident's creation. The predecessor's arrival applies what it unblocks;
  ``release_due`` (the job ``sla.inbound_release``) applies rows held longer than
  ``settings.INBOUND_HOLD_SECONDS`` anyway, in order.
- **Applying** a row reads the incident's applied rows and the new one with the preset's reader
  (``lifecycle.read_events``: one row per update) and hands the result to ``writer.write``, which
  appends only the new events, or refuses the incident whole: the row is then **rejected** with
  the reason and nothing of it is written.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import tomllib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tamdesk.core import tokens
from tamdesk.core.exceptions import DomainError
from tamdesk.sla.choices import InboundDeliveryStatus, IncidentSourcePreset
from tamdesk.sla.imports import mapping as mappings
from tamdesk.sla.imports import writer
from tamdesk.sla.imports.mapping import Mapping, MappingError
from tamdesk.sla.imports.readers import generic, jira, servicenow
from tamdesk.sla.imports.readers.lifecycle import Rules, read_events
from tamdesk.sla.imports.readers.source import dict_rows
from tamdesk.sla.imports.readers.values import TimeError, TimeReader
from tamdesk.sla.imports.resolve import Resolver
from tamdesk.sla.models import InboundDelivery, IncidentSource

TOKEN_PREFIX = "tdi_"  # noqa: S105 — a prefix, not a secret
PREFIX_LENGTH = 10  # "tdi_" and six characters, shown on the source's page
#: Rows one request may carry.
MAX_ROWS = 100
#: The largest sequence (and event time in microseconds) a row may carry.
MAX_SEQUENCE = 2**62
Held, Applied, Rejected = (
    InboundDeliveryStatus.HELD,
    InboundDeliveryStatus.APPLIED,
    InboundDeliveryStatus.REJECTED,
)
DUPLICATE = "duplicate"

#: Jira's webhook, read as one row per update: each delivery is the issue as it is after the
#: change, dated by ``fields.updated`` and ordered by the webhook's ``timestamp``.
JIRA_COLUMNS = {
    **{column: target for column, target in jira.COLUMNS.items() if target != "updated_at"},
    "Updated": "at",
    "Timestamp": "sequence",
}
JIRA_MAPPING = Mapping(
    columns=JIRA_COLUMNS,
    statuses=jira.STATUSES,
    priorities=jira.PRIORITIES,
    date_format="jira",
    shape="event",
)
#: The fields every live mapping must feed (the client may be fixed instead).
REQUIRED = ("external_id", "status", "priority", "at")


class InvalidDelivery(Exception):
    """A malformed body: ``errors`` maps a field (``0.number``: the first row's ``number``) to
    its reasons. Nothing is stored."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Identity:
    """What orders and deduplicates a row: the incident, the event and its place."""

    external_id: str
    event_id: str
    sequence: int
    is_creation: bool


@dataclass(frozen=True)
class Live:
    """How one preset is read live: its mapping, its reader's rules, a received row turned into
    the reader's columns, its identity, and whether its sequence has no gaps."""

    base: Mapping
    rules: Callable[[Mapping, str], Rules]
    columns: Callable[[dict], dict]
    identify: Callable[[dict, Mapping], Identity]
    contiguous: Callable[[Mapping], bool]
    extra: tuple[str, ...] = ()
    empty: frozenset[str] = frozenset({""})


class _Bad(Exception):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column, self.reason = column, reason


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _whole(value: object, column: str) -> int:
    text = _text(value)
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_SEQUENCE:
        raise _Bad(column, _("A whole number from 0 to %(max)d.") % {"max": MAX_SEQUENCE})
    return int(text)


def _required(row: dict, column: str) -> str:
    text = _text(row.get(column))
    if not text or len(text) > 200:
        raise _Bad(column, _("Required: a text of at most 200 characters."))
    return text


# --- servicenow ------------------------------------------------------------------------------


def _servicenow_identity(row: dict, mapping: Mapping) -> Identity:
    number = _required(row, mapping.column_of("external_id") or "number")
    column = mapping.column_of("sequence") or "sys_mod_count"
    count = _whole(row.get(column), column)
    _required(row, mapping.column_of("at") or "sys_updated_at")
    return Identity(number, f"{number}:{count}", count, is_creation=count == 0)


# --- jira ------------------------------------------------------------------------------------


def _name(value: object) -> str:
    """A Jira field's text: an object's name, value or display name (a request type's name), a
    list's texts joined with commas, else the value itself."""
    if isinstance(value, dict):
        for key in ("displayName", "name", "value"):
            if isinstance(value.get(key), str | int):
                return _text(value[key])
        if isinstance(value.get("requestType"), dict):
            return _name(value["requestType"])
        return ""
    if isinstance(value, list):
        return ", ".join(text for text in (_name(item) for item in value) if text)
    return _text(value)


def _jira_columns(payload: dict) -> dict:
    """A ``jira:issue_created``/``jira:issue_updated`` payload as a row of Jira's CSV columns
    (and ``Updated``, ``Timestamp``); every custom field by its id (``customfield_10002``), for
    a mapping to use."""
    issue = payload.get("issue") if isinstance(payload.get("issue"), dict) else {}
    fields = issue.get("fields") if isinstance(issue.get("fields"), dict) else {}
    description = fields.get("description")
    row = {
        "Issue key": _text(issue.get("key")),
        "Summary": _text(fields.get("summary")),
        "Description": description if isinstance(description, str) else "",
        "Priority": _name(fields.get("priority")),
        "Status": _name(fields.get("status")),
        "Created": _text(fields.get("created")),
        "Updated": _text(fields.get("updated")),
        "Resolved": _text(fields.get("resolutiondate")),
        "Assignee": _name(fields.get("assignee")),
        "Organizations": _name(fields.get("organizations")),
        "Request Type": "",
        "Timestamp": _text(payload.get("timestamp")),
    }
    for key, value in fields.items():
        if key.startswith("customfield_"):
            row[key] = _name(value)
    return row


def _jira_identity(payload: dict, mapping: Mapping) -> Identity:
    issue = payload.get("issue")
    if not isinstance(issue, dict) or not isinstance(issue.get("fields"), dict):
        raise _Bad("issue", _("Required: the issue with its fields."))
    try:
        key = _required(issue, "key")
    except _Bad as bad:
        raise _Bad("issue.key", bad.reason) from None
    timestamp = _whole(payload.get("timestamp"), "timestamp")
    if not _text(issue["fields"].get("updated")):
        raise _Bad("issue.fields.updated", _("Required: when the issue was updated."))
    created = _text(payload.get("webhookEvent")) == "jira:issue_created"
    return Identity(key, f"{key}:{timestamp}", timestamp, is_creation=created)


# --- generic ---------------------------------------------------------------------------------


def _generic_identity(row: dict, mapping: Mapping) -> Identity:
    external_id = _required(row, mapping.column_of("external_id"))
    at_column = mapping.column_of("at")
    sequence_column = mapping.column_of("sequence")
    if sequence_column is not None:
        sequence = _whole(row.get(sequence_column), sequence_column)
        order = str(sequence)
    else:
        text = _required(row, at_column)
        try:
            at = TimeReader(mapping)(text)
        except TimeError as exc:
            raise _Bad(at_column, exc.message) from None
        sequence = int(at.timestamp() * 1_000_000)
        order = text
    opened_column = mapping.column_of("opened_at")
    opens = opened_column is not None and _text(row.get(opened_column)) == _text(row.get(at_column))
    creation = opens or (sequence_column is not None and sequence == 0)
    return Identity(external_id, f"{external_id}:{order}", sequence, is_creation=creation)


LIVE: dict[str, Live] = {
    IncidentSourcePreset.SERVICENOW: Live(
        base=servicenow.MAPPING,
        rules=servicenow.rules_for,
        columns=dict,
        identify=_servicenow_identity,
        contiguous=lambda mapping: True,
        extra=servicenow.TITLE_PARTS,
        empty=servicenow.EMPTY,
    ),
    IncidentSourcePreset.JIRA: Live(
        base=JIRA_MAPPING,
        rules=jira.rules_for,
        columns=_jira_columns,
        identify=_jira_identity,
        contiguous=lambda mapping: False,
    ),
    IncidentSourcePreset.GENERIC: Live(
        base=generic.MAPPING,
        rules=lambda mapping, system: Rules(mapping, source_system=system),
        columns=dict,
        identify=_generic_identity,
        contiguous=lambda mapping: mapping.column_of("sequence") is not None,
    ),
}


def default_source_system(preset: str) -> str:
    return preset


# --- the source's mapping and token ------------------------------------------------------------


def live_mapping(preset: str, text: str, *, client: str = "", time_zone: str = "") -> Mapping:
    """The mapping a source reads with: the preset's, changed by ``text`` (a mapping file's
    TOML), then by the fixed client and time zone. Raises ``MappingError`` (``invalid_mapping``)
    for a bad mapping, one that is not one row per update, or one missing a required field."""
    try:
        data = tomllib.loads(text) if text.strip() else {}
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(
            _("The mapping is not TOML: %(error)s") % {"error": exc}, field="mapping"
        ) from None
    mapping = mappings.from_dict(data, base=LIVE[preset].base)
    mapping = mapping.replace(client=client, time_zone=time_zone)
    if mapping.shape != "event":
        raise MappingError(
            _('A live source sends one row per update: the shape is "event".'), field="shape"
        )
    missing = [name for name in REQUIRED if mapping.column_of(name) is None]
    if missing:
        raise MappingError(
            _("No column feeds %(fields)s.") % {"fields": ", ".join(missing)}, field="columns"
        )
    if mapping.column_of("client") is None and not mapping.client:
        raise MappingError(_("Map a column to client, or give one client."), field="client")
    return mapping


def mapping_of(source: IncidentSource) -> Mapping:
    client = source.client.name if source.client_id else ""
    return live_mapping(source.preset, source.mapping, client=client, time_zone=source.time_zone)


def issue_token(source: IncidentSource) -> str:
    """Give ``source`` a new token (not saved); returns the key, which is shown only once."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    source.token_digest = tokens.digest(key)
    source.token_prefix = key[:PREFIX_LENGTH]
    return key


def create_source(source: IncidentSource, *, by) -> str:
    """Save the new ``source`` with a token; returns the token's key."""
    source.created_by = by
    if not source.source_system:
        source.source_system = default_source_system(source.preset)
    key = issue_token(source)
    source.save()
    return key


@transaction.atomic
def rotate_token(source: IncidentSource, *, by) -> str:
    """A new token for ``source``; the old one stops working at once. Returns the key."""
    source = IncidentSource.objects.select_for_update().get(pk=source.pk)
    key = issue_token(source)
    source.save(update_fields=["token_digest", "token_prefix", "updated_at"])
    return key


def authenticate(source_id: int, key: str) -> IncidentSource | None:
    """The active source ``source_id`` if ``key`` is its token, else None — the same answer,
    and the same comparison in constant time, whether the source is unknown, inactive or the
    key wrong."""
    source = (
        IncidentSource.objects.select_related("client", "created_by")
        .filter(pk=source_id, is_active=True)
        .first()
    )
    expected = source.token_digest if source is not None else "0" * 64
    matches = hmac.compare_digest(expected.encode(), tokens.digest(key).encode())
    return source if matches and source is not None else None


# --- receiving ---------------------------------------------------------------------------------


def _identities(source: IncidentSource, mapping: Mapping, body: object) -> list[Identity]:
    if isinstance(body, dict):
        items, prefixes = [body], [""]
    elif isinstance(body, list) and 1 <= len(body) <= MAX_ROWS:
        items, prefixes = body, [f"{index}." for index in range(len(body))]
    else:
        raise InvalidDelivery(
            {
                "non_field_errors": [
                    _("Send one row (a JSON object) or a list of 1 to %(max)d rows.")
                    % {"max": MAX_ROWS}
                ]
            }
        )
    live = LIVE[source.preset]
    errors: dict[str, list[str]] = {}
    identities = []
    for prefix, item in zip(prefixes, items, strict=True):
        if not isinstance(item, dict):
            errors[prefix.rstrip(".") or "non_field_errors"] = [_("A row is a JSON object.")]
            continue
        try:
            identities.append(live.identify(item, mapping))
        except _Bad as bad:
            errors[prefix + bad.column] = [bad.reason]
    if errors:
        raise InvalidDelivery(errors)
    return identities


def receive(
    source: IncidentSource, body: object, *, now: dt.datetime | None = None
) -> list[dict[str, str]]:
    """Store the rows of ``body`` and apply what is ready, in one transaction; returns each
    row's outcome: ``event_id``, ``external_id``, ``status`` (applied, held, rejected,
    duplicate) and ``reason``. Raises ``InvalidDelivery`` for a malformed body, a
    ``MappingError`` for a source whose mapping no longer reads."""
    now = now or timezone.now()
    mapping = mapping_of(source)
    identities = _identities(source, mapping, body)
    items = body if isinstance(body, list) else [body]
    with transaction.atomic():
        source = IncidentSource.objects.select_for_update().get(pk=source.pk)
        known = set(
            source.deliveries.filter(event_id__in=[i.event_id for i in identities]).values_list(
                "event_id", flat=True
            )
        )
        stored: list[InboundDelivery | None] = []
        for identity, item in zip(identities, items, strict=True):
            if identity.event_id in known:
                stored.append(None)
                continue
            known.add(identity.event_id)
            stored.append(
                InboundDelivery.objects.create(
                    source=source,
                    event_id=identity.event_id,
                    external_id=identity.external_id,
                    sequence=identity.sequence,
                    payload=item,
                    received_at=now,
                )
            )
        for external_id in dict.fromkeys(d.external_id for d in stored if d is not None):
            _apply_ready(source, external_id, mapping, now)
        outcomes = []
        for identity, delivery in zip(identities, stored, strict=True):
            if delivery is not None:
                delivery.refresh_from_db(fields=["status", "reason"])
            outcomes.append(
                {
                    "event_id": identity.event_id,
                    "external_id": identity.external_id,
                    "status": DUPLICATE if delivery is None else delivery.status,
                    "reason": "" if delivery is None else delivery.reason,
                }
            )
    return outcomes


# --- applying ----------------------------------------------------------------------------------


def _apply_ready(
    source: IncidentSource, external_id: str, mapping: Mapping, now, *, force_until=None
) -> int:
    """Apply the held rows of one incident that are ready, in sequence order (with
    ``force_until``, every held row up to that sequence, gaps or not); returns how many."""
    live = LIVE[source.preset]
    deliveries = source.deliveries.filter(external_id=external_id)
    count = 0
    while True:
        nxt = deliveries.filter(status=Held).order_by("sequence", "pk").first()
        if nxt is None:
            return count
        arrived = deliveries.exclude(status=Held).aggregate(last=Max("sequence"))["last"]
        forced = force_until is not None and nxt.sequence <= force_until
        if not forced:
            if arrived is None:
                if not live.identify(nxt.payload, mapping).is_creation:
                    return count
            elif live.contiguous(mapping) and nxt.sequence > arrived + 1:
                return count
        _apply_one(source, nxt, mapping, now)
        count += 1


def _resolver(source: IncidentSource, mapping: Mapping) -> Resolver:
    return Resolver(
        by=source.created_by,
        client_policy=mapping.unknown_clients.action,
        group_policy=mapping.unknown_groups.action,
        groups=dict(mapping.groups),
        client=mapping.client,
        client_fallback=mapping.unknown_clients.to,
        group_fallback=mapping.unknown_groups.to,
    )


def _apply_one(source: IncidentSource, delivery: InboundDelivery, mapping: Mapping, now) -> None:
    """Read the incident's applied rows with ``delivery``'s and write the result; the writer
    appends only what is new. A refusal marks ``delivery`` rejected and writes nothing of it."""
    live = LIVE[source.preset]
    applied = list(
        source.deliveries.filter(external_id=delivery.external_id, status=Applied).order_by(
            "sequence", "pk"
        )
    )
    records = [live.columns(d.payload) for d in [*applied, delivery]]
    rows = dict_rows(records, mapping=mapping, extra=live.extra, empty=live.empty)
    result = read_events(rows, live.rules(mapping, source.source_system))
    rejects = list(result.rejects)
    if not rejects:
        outcome = writer.write(
            result, resolver=_resolver(source, mapping), by=source.created_by, now=now
        )
        rejects = outcome.rejects
    if rejects:
        mine = [r for r in rejects if r.line == len(records)] or rejects
        reject = mine[0]
        delivery.status = Rejected
        delivery.reason = f"{reject.column}: {reject.reason}" if reject.column else reject.reason
        delivery.save(update_fields=["status", "reason"])
        return
    delivery.status = Applied
    delivery.applied_at = now
    delivery.save(update_fields=["status", "applied_at"])


def release_due(*, now: dt.datetime | None = None) -> int:
    """Apply the rows held longer than ``settings.INBOUND_HOLD_SECONDS``, in order, gaps or not
    (and what they unblock); returns how many rows were applied or rejected. Each incident in
    its own transaction."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.INBOUND_HOLD_SECONDS)
    overdue = (
        InboundDelivery.objects.filter(status=Held, received_at__lte=cutoff)
        .values("source_id", "external_id")
        .annotate(until=Max("sequence"))
        .order_by("source_id", "external_id")
    )
    count = 0
    for row in overdue:
        with transaction.atomic():
            source = (
                IncidentSource.objects.select_for_update(of=("self",))
                .select_related("client", "created_by")
                .get(pk=row["source_id"])
            )
            try:
                mapping = mapping_of(source)
            except DomainError as error:
                count += source.deliveries.filter(
                    external_id=row["external_id"], status=Held, sequence__lte=row["until"]
                ).update(status=Rejected, reason=error.message)
                continue
            count += _apply_ready(
                source, row["external_id"], mapping, now, force_until=row["until"]
            )
    return count
