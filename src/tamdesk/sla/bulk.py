"""Generating incidents at volume (``tamdesk generate-incidents``): a year of a large
organisation's incidents for the benchmarks (bench/sla_report.py) and for trying the pages at
scale.

For the clients, departments, engineers and SLA policies already there (``tamdesk demo`` loads
some), it writes ``count`` incidents opened over the ``months`` calendar months before ``until``,
each with about six events — the opening, the first response, work starting, sometimes a
reassignment and a wait for the client, the resolution and the closing — and their two clocks.

It keeps the rules the services keep, in bulk:

- each timeline passes ``sla.timeline.check`` (the rule ``open_incident`` applies) and its
  events carry the values ``services._record`` would store (statuses, assignment labels);
- each incident is measured by the SLA policy version in force at its opening (own policy, else
  its tier's: ``services.policy_version_for``), its clocks measured by the engine and stored by
  ``services.refresh_clocks``/``store`` — the same code as every other write — and every
  resolution publishes ``incident_resolved`` as ``_record`` does;
- every incident is finished (resolved and closed) at least ``services.NEWS_WINDOW`` before
  ``now``: its breaches are history, notifying nobody, as an import of old incidents.

Deterministic: the same seed, months, end and clients give the same incidents. They are written
in chunks of ``CHUNK`` incidents, one transaction each (incidents, events, clocks), under the
source system ``generated`` with external ids naming the plan and the incident's number — so a
run stopped half-way resumes where it stopped, and running it again creates nothing new.

Delay distributions are tuned so that about 9 % of the clocks breach (``DELAY_MU``,
``DELAY_SIGMA``; the tests check 3–20 %).
"""

from __future__ import annotations

import datetime as dt
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tamdesk.core import events as domain_events
from tamdesk.core import ranges
from tamdesk.core.exceptions import DomainError
from tamdesk.directory.models import Client, Engineer
from tamdesk.sla import clocks as clock_measure
from tamdesk.sla import services, timeline
from tamdesk.sla.choices import IncidentEventKind, IncidentStatus, Priority
from tamdesk.sla.models import Incident, IncidentClock, IncidentEvent, SLAPolicyVersion

SOURCE_SYSTEM = "generated"
#: Incidents per chunk: the unit of generation (its own random stream), of the transaction and
#: of the clock measurement. Fixed, so that a resumed run regenerates the same chunks.
CHUNK = 1000
MAX_COUNT = 10_000_000
MAX_MONTHS = 120
#: The share of incidents of each priority, P1 to P4.
PRIORITY_SHARE = (0.05, 0.15, 0.40, 0.40)
#: Everything of an incident happens within this time from its opening.
MAX_LIFETIME = dt.timedelta(days=14)
#: The share of incidents reassigned once, and that wait for the client once.
REASSIGNED_SHARE = 0.5
WAITING_SHARE = 0.3
#: Delays are a clock's target times a log-normal factor exp(N(mu, sigma)): with these, about a
#: quarter of the delays exceed their target in wall-clock time, and about 9 % of the clocks
#: breach in working time (a calendar's nights and weekends do not count; the demo's policies).
DELAY_MU, DELAY_SIGMA = -0.6, 0.85
#: Used without a policy (no target to scale by): one hour to react, a day to resolve.
DEFAULT_TARGETS = (3600, 86_400)
Kind = IncidentEventKind
Status = IncidentStatus


class BulkError(DomainError):
    code = "invalid"


@dataclass(frozen=True)
class Plan:
    count: int
    months: int
    seed: int
    until: dt.datetime  # the incidents open before it
    client_ids: tuple[int, ...]  # empty: every client

    @property
    def since(self) -> dt.datetime:
        total = self.until.year * 12 + self.until.month - 1 - self.months
        return self.until.replace(year=total // 12, month=total % 12 + 1)

    @property
    def prefix(self) -> str:
        """What names the plan in the external ids: two plans never share an id."""
        clients = "all"
        if self.client_ids:
            clients = f"{zlib.crc32(','.join(map(str, sorted(self.client_ids))).encode()):08x}"
        return f"s{self.seed}-m{self.months}-u{self.until:%Y%m%d}-c{clients}"

    def external_id(self, number: int) -> str:
        return f"{self.prefix}-{number:08d}"


@dataclass
class Result:
    created: int = 0
    skipped: int = 0
    events: int = 0
    seconds: float = 0.0
    first_external_id: str = ""


def default_until(now: dt.datetime) -> dt.datetime:
    """The first day (UTC) of the latest month whose incidents are all finished more than a day
    before ``now``."""
    latest = now - MAX_LIFETIME - services.NEWS_WINDOW
    return dt.datetime(latest.year, latest.month, 1, tzinfo=dt.UTC)


def make_plan(
    *,
    count: int,
    months: int,
    seed: int,
    client_ids: Sequence[int] = (),
    until: dt.datetime | None = None,
    now: dt.datetime,
) -> Plan:
    """Check the parameters (``BulkError`` naming the field) and return the plan."""
    if not 1 <= count <= MAX_COUNT:
        raise BulkError(
            _("The count must be between 1 and %(max)d.") % {"max": MAX_COUNT}, field="count"
        )
    if not 1 <= months <= MAX_MONTHS:
        raise BulkError(
            _("The months must be between 1 and %(max)d.") % {"max": MAX_MONTHS}, field="months"
        )
    if not 0 <= seed < 2**32:
        raise BulkError(_("The seed must be between 0 and 4294967295."), field="seed")
    until = until or default_until(now)
    latest = now - MAX_LIFETIME - services.NEWS_WINDOW
    if until > latest:
        raise BulkError(
            _(
                "Incidents must end a day before now and last up to two weeks: the latest end is "
                "%(latest)s UTC. Choose an earlier end."
            )
            % {"latest": latest.strftime("%Y-%m-%d %H:%M")},
            field="until",
        )
    plan = Plan(count, months, seed, until, tuple(sorted(set(client_ids))))
    if plan.since < ranges.FIRST_INSTANT:
        raise BulkError(str(ranges.DATE_MESSAGE), field="until", code="out_of_supported_range")
    clients = Client.objects.filter(pk__in=plan.client_ids) if plan.client_ids else None
    if plan.client_ids and clients.count() != len(plan.client_ids):
        missing = set(plan.client_ids) - set(clients.values_list("pk", flat=True))
        raise BulkError(
            _("No client with the id %(ids)s.") % {"ids": ", ".join(map(str, sorted(missing)))},
            field="clients",
        )
    return plan


# --- what the incidents are made of ------------------------------------------------------------


@dataclass
class Versions:
    """A client's policy versions, own then its tier's: ``(valid_from, valid_until, version)``."""

    own: list[tuple[int, int | None, SLAPolicyVersion]] = field(default_factory=list)
    tier: list[tuple[int, int | None, SLAPolicyVersion]] = field(default_factory=list)

    def at(self, t: int) -> SLAPolicyVersion | None:
        """The version in force at ``t`` (``services.policy_version_for``)."""
        for versions in (self.own, self.tier):
            for start, end, version in versions:
                if start <= t and (end is None or t < end):
                    return version
        return None


class Context:
    """The clients, their policy versions and the engineers the incidents are given to."""

    def __init__(self, plan: Plan) -> None:
        clients = Client.objects.order_by("pk")
        if plan.client_ids:
            clients = clients.filter(pk__in=plan.client_ids)
        self.clients = list(clients)
        self.engineers = list(
            Engineer.objects.filter(user__is_active=True)
            .select_related("user", "department")
            .order_by("pk")
        )
        if not self.clients:
            raise BulkError(_("There is no client to open incidents for."), field="clients")
        if not self.engineers:
            raise BulkError(_("There is no engineer to assign incidents to."), field="clients")
        versions = list(
            SLAPolicyVersion.objects.select_related("policy", "calendar")
            .prefetch_related("targets")
            .order_by("valid_from")
        )
        self.versions: dict[int, Versions] = {}
        for client in self.clients:
            mine = Versions()
            for v in versions:
                row = (
                    clock_measure.epoch(v.valid_from),
                    clock_measure.epoch(v.valid_until) if v.valid_until else None,
                    v,
                )
                if v.policy.client_id == client.pk:
                    mine.own.append(row)
                elif v.policy.client_id is None and v.policy.tier == client.tier:
                    mine.tier.append(row)
            self.versions[client.pk] = mine
        self.targets = {
            v.pk: {t.priority: (t.reaction_seconds, t.resolution_seconds) for t in v.targets.all()}
            for v in versions
        }
        self._labels: dict[tuple[int, int], str] = {}

    def label(self, engineer: Engineer) -> str:
        """The assignment as ``services._record`` writes it."""
        key = (engineer.department_id, engineer.user_id)
        if key not in self._labels:
            self._labels[key] = services._assignment_label(
                Incident(department=engineer.department, assignee=engineer.user)
            )
        return self._labels[key]

    def delays(self, version: SLAPolicyVersion | None, priority: str) -> tuple[int, int]:
        if version is None:
            return DEFAULT_TARGETS
        return self.targets[version.pk].get(priority, DEFAULT_TARGETS)


# --- one chunk ---------------------------------------------------------------------------------


@dataclass
class Draft:
    """An incident and its events before they are written."""

    incident: Incident
    events: list[IncidentEvent]


def _draws(plan: Plan, chunk: int) -> dict[str, np.ndarray]:
    """The random numbers of one chunk, from its own stream (``seed``, chunk number); always
    ``CHUNK`` of each, so that an incident does not depend on the count asked for."""
    rng, n = np.random.default_rng([plan.seed, chunk]), CHUNK
    since, until = clock_measure.epoch(plan.since), clock_measure.epoch(plan.until)
    return {
        "client": rng.integers(0, 1 << 30, n),
        "priority": rng.choice(len(PRIORITY_SHARE), n, p=PRIORITY_SHARE),
        "opened": np.sort(rng.integers(since, until, n)),
        "react": np.exp(rng.normal(DELAY_MU, DELAY_SIGMA, n)),
        "resolve": np.exp(rng.normal(DELAY_MU, DELAY_SIGMA, n)),
        "start_work": rng.integers(60, 1800, n),
        "engineer": rng.integers(0, 1 << 30, (n, 2)),
        "reassigned": rng.random(n) < REASSIGNED_SHARE,
        "waiting": rng.random(n) < WAITING_SHARE,
        "where": rng.random((n, 2)),
        "wait": rng.integers(1800, 2 * 86_400, n),
        "close": rng.integers(3600, 3 * 86_400, n),
    }


def _times(d: dict, i: int, reaction: int, resolution: int) -> dict[str, int]:
    """The instants of incident ``i``'s events, all within ``MAX_LIFETIME`` of its opening."""
    opened = int(d["opened"][i])
    life = int(MAX_LIFETIME.total_seconds())
    responded = opened + min(max(int(reaction * d["react"][i]), 60), life // 4)
    working = responded + int(d["start_work"][i])
    wait = int(d["wait"][i]) if d["waiting"][i] else 0
    work = max(int(resolution * d["resolve"][i]), 600)
    resolved = min(working + work + wait, opened + life - int(d["close"][i]))
    resolved = max(resolved, working + 120 + (wait and 120))
    return {
        "opened": opened,
        "responded": responded,
        "working": working,
        "resolved": resolved,
        "closed": resolved + int(d["close"][i]),
        "wait": wait,
    }


def _timeline(d: dict, i: int, t: dict, ctx: Context, first: Engineer) -> list[tuple]:
    """``(kind, at, from_value, to_value)`` of incident ``i``, in time order."""
    rows = [
        (Kind.OPENED, t["opened"], "", Status.NEW),
        (Kind.FIRST_RESPONSE, t["responded"], "", ""),
        (Kind.STATUS_CHANGED, t["working"], Status.NEW, Status.IN_PROGRESS),
    ]
    span = t["resolved"] - t["working"]
    if d["reassigned"][i]:
        second = ctx.engineers[int(d["engineer"][i, 1]) % len(ctx.engineers)]
        at = t["working"] + 1 + int(d["where"][i, 0] * (span - 2))
        rows.append((Kind.REASSIGNED, at, ctx.label(first), ctx.label(second)))
    if t["wait"]:
        room = max(span - t["wait"] - 2, 0)
        begin = t["working"] + 1 + int(d["where"][i, 1] * room)
        end = min(begin + t["wait"], t["resolved"] - 1)
        rows.append((Kind.STATUS_CHANGED, begin, Status.IN_PROGRESS, Status.WAITING_CLIENT))
        rows.append((Kind.STATUS_CHANGED, end, Status.WAITING_CLIENT, Status.IN_PROGRESS))
    rows.sort(key=lambda row: row[1])
    rows.append((Kind.RESOLVED, t["resolved"], Status.IN_PROGRESS, Status.RESOLVED))
    rows.append((Kind.CLOSED, t["closed"], Status.RESOLVED, Status.CLOSED))
    return rows


def _instant(t: int) -> dt.datetime:
    return clock_measure.EPOCH + dt.timedelta(seconds=t)


def draft_chunk(
    plan: Plan, ctx: Context, chunk: int, *, now: dt.datetime, skip: frozenset[str] = frozenset()
) -> list[Draft]:
    """The incidents of chunk number ``chunk`` (up to ``CHUNK`` incidents from
    ``chunk × CHUNK``), but those whose external id is in ``skip``."""
    first_number = chunk * CHUNK
    n = min(CHUNK, plan.count - first_number)
    d = _draws(plan, chunk)
    now_s = clock_measure.epoch(now)
    drafts = []
    for i in range(n):
        number = first_number + i
        if plan.external_id(number) in skip:
            continue
        client = ctx.clients[int(d["client"][i]) % len(ctx.clients)]
        priority = Priority.values[int(d["priority"][i])]
        version = ctx.versions[client.pk].at(int(d["opened"][i]))
        first = ctx.engineers[int(d["engineer"][i, 0]) % len(ctx.engineers)]
        times = _times(d, i, *ctx.delays(version, priority))
        rows = _timeline(d, i, times, ctx, first)
        timeline.check(
            [timeline.Event(kind, at, to) for kind, at, _from, to in rows],
            now=now_s,
            priority=priority,
        )
        last = first
        if d["reassigned"][i]:
            last = ctx.engineers[int(d["engineer"][i, 1]) % len(ctx.engineers)]
        incident = Incident(
            client=client,
            title=_("Generated incident %(number)d") % {"number": number + 1},
            priority=priority,
            status=Status.CLOSED,
            department_id=last.department_id,
            assignee_id=last.user_id,
            source_system=SOURCE_SYSTEM,
            external_id=plan.external_id(number),
            policy_version=version,
            opened_at=_instant(times["opened"]),
            first_response_at=_instant(times["responded"]),
            resolved_at=_instant(times["resolved"]),
            closed_at=_instant(times["closed"]),
        )
        holder = {Kind.OPENED: first.department_id, Kind.REASSIGNED: last.department_id}
        events = [
            IncidentEvent(
                kind=kind,
                at=_instant(at),
                seq=seq,
                from_value=IncidentEvent.clip(from_value),
                to_value=IncidentEvent.clip(to_value),
                # The department the incident is in after it (``services.HOLD_KINDS``), as
                # ``services`` records it: the time per department is measured from it.
                department_id=holder.get(kind),
            )
            for seq, (kind, at, from_value, to_value) in enumerate(rows, start=1)
        ]
        drafts.append(Draft(incident, events))
    return drafts


def write_chunk(drafts: list[Draft], *, now: dt.datetime) -> int:
    """Write the drafts, their events and their clocks in one transaction; the events written."""
    with transaction.atomic():
        incidents = Incident.objects.bulk_create([d.incident for d in drafts])
        rows = []
        for draft, incident in zip(drafts, incidents, strict=True):
            for event in draft.events:
                event.incident = incident
                rows.append(event)
        IncidentEvent.objects.bulk_create(rows, batch_size=2000)
        for incident in incidents:
            domain_events.publish(
                domain_events.IncidentResolved(
                    incident_id=incident.pk,
                    client_id=incident.client_id,
                    resolved_at=incident.resolved_at,
                )
            )
        services.refresh_clocks([incident.pk for incident in incidents], now=now)
    return len(rows)


# --- the whole run -----------------------------------------------------------------------------


def generate(
    plan: Plan,
    *,
    now: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Write the plan's incidents not written yet, chunk by chunk; ``progress(done, count)``
    after each chunk."""
    now = now or timezone.now()
    started = time.monotonic()
    ctx = Context(plan)
    result = Result(first_external_id=plan.external_id(0))
    chunks = -(-plan.count // CHUNK)
    for chunk in range(chunks):
        last = min((chunk + 1) * CHUNK, plan.count) - 1
        written = _written(plan, chunk * CHUNK, last)
        result.skipped += len(written)
        if len(written) <= last - chunk * CHUNK:
            drafts = draft_chunk(plan, ctx, chunk, now=now, skip=written)
            result.events += write_chunk(drafts, now=now)
            result.created += len(drafts)
        if progress is not None:
            progress(last + 1, plan.count)
    if result.created:
        analyze()
    result.seconds = time.monotonic() - started
    return result


def analyze() -> None:
    """Update the planner's statistics of the tables a bulk load changed: without them SQLite
    takes the incident list's filters for more selective than its order and sorts every visible
    incident instead of reading the ``incident_opened`` index (bench/sla_report.md)."""
    with connection.cursor() as cursor:
        for model in (Incident, IncidentEvent, IncidentClock):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _written(plan: Plan, first: int, last: int) -> frozenset[str]:
    """The external ids of incidents ``first``..``last`` written already (a chunk is written
    whole, so when the last is there, all are; a run with a smaller count may have written the
    beginning of it)."""
    generated = Incident.objects.filter(source_system=SOURCE_SYSTEM)
    if generated.filter(external_id=plan.external_id(last)).exists():
        return frozenset(plan.external_id(number) for number in range(first, last + 1))
    ids = [plan.external_id(number) for number in range(first, last + 1)]
    return frozenset(generated.filter(external_id__in=ids).values_list("external_id", flat=True))
