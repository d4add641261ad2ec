"""Loads a demo plan into the database, and removes it again.

The load is one transaction of bulk inserts (a scale-10 organisation in a few seconds). The plan
already satisfies the directory's rules — only TAMs are TAMs and backup TAMs, one open
assignment per client and role, a previous holder ends the day before the next one starts — and
the database constraints check the rest. The change history (auditlog) is switched off for the
load and the reset: demo data is seed data, not a change somebody made.

Every calendar, department, user and client the loader creates is recorded as a ``DemoRecord``;
the reset deletes exactly those and what hangs off them, nothing else. The calendars get the
public holidays of the current and the next year (of the day of the load).
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field

from auditlog.context import disable_auditlog
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from tamdesk.calendars import services as calendar_services
from tamdesk.calendars.models import Calendar
from tamdesk.changes.models import ActivityEntry, ChangeRequest, Comment, DepartmentTask
from tamdesk.core.exceptions import DomainError
from tamdesk.core.roles import Role
from tamdesk.demo import history
from tamdesk.demo.changes import load_changes
from tamdesk.demo.incidents import load_sla
from tamdesk.demo.live import load_live_source
from tamdesk.demo.models import DemoRecord
from tamdesk.demo.plan import DemoPlan, PersonPlan
from tamdesk.demo.reports import load_monthly_reports
from tamdesk.directory.choices import AccountRole
from tamdesk.directory.models import (
    AccountTeamAssignment,
    Client,
    Competency,
    Component,
    Contact,
    Department,
    Engineer,
)
from tamdesk.sla.models import (
    InboundDelivery,
    Incident,
    IncidentImport,
    IncidentSource,
    MonthlyReport,
    SLAPolicy,
    SLAPolicyVersion,
    SLATarget,
)

User = get_user_model()


class DemoResetBlocked(DomainError):
    """Data that is not part of the demo refers to demo data; resetting would delete it."""

    code = "demo_reset_blocked"
    status = 409


@dataclass
class LoadReport:
    created: Counter[str] = field(default_factory=Counter)
    # The generated password of the new users, to be shown once; None when none was generated.
    generated_password: str | None = None
    passwords_set: bool = False  # True: every demo user got the given password
    kept_passwords: int = 0  # demo users from an earlier load who kept their password
    skipped_assignments: int = 0  # TAM roles of pre-existing users who are not TAMs
    history: IncidentImport | None = None  # the import of the incident history, when run
    live: dict[str, int] = field(default_factory=dict)  # the live source's deliveries made


def load_demo(
    plan: DemoPlan, *, password: str | None = None, history_incidents: int | None = None
) -> LoadReport:
    """Create whatever of ``plan`` is missing, in one transaction.

    Safe to run again: a department, user or client that already exists (by code, user name or
    name) is left as it is, with everything that hangs off it. With ``password`` every demo user
    (new or from an earlier load) gets it; without, new users get a generated one — returned in
    the report — and existing users keep theirs.

    Then the incident history (``demo.history``) is written and imported: about
    ``history_incidents`` incidents over six months (default ``history.DEFAULT_INCIDENTS`` per
    scale unit; 0: none). Importing it again finds its incidents unchanged.
    """
    if history_incidents is None:
        history_incidents = history.DEFAULT_INCIDENTS * plan.scale
    report = LoadReport()
    with transaction.atomic(), disable_auditlog():
        existing_users = _existing_users(plan)
        new_people = [p for p in plan.people if p.username.lower() not in existing_users]
        if password is not None:
            # One hash for everyone: they share the password, and hashing is slow by design.
            hashed = make_password(password)
            User.objects.filter(pk__in=_recorded(User)).update(password=hashed)
            report.passwords_set = True
        else:
            report.kept_passwords = _recorded(User).count()
            report.generated_password = secrets.token_urlsafe(12) if new_people else None
            hashed = make_password(report.generated_password)
        calendars = _load_calendars(plan, report)
        departments, created_departments = _load_departments(plan, report)
        users = _load_people(new_people, existing_users, departments, hashed, report)
        _set_leads(plan, departments, created_departments)
        _set_calendars(plan, departments, created_departments, calendars)
        _load_clients(plan, departments, users, report)
        sla_created, policies = load_sla()
        _record(policies)
        report.created.update(sla_created)
        report.created.update(load_changes())
        report.history = history.load_history(plan, incidents=history_incidents)
        if report.history is not None:
            report.created["history incidents"] = report.history.outcome.get("created", 0)
        report.created.update(load_monthly_reports())
        report.live = load_live_source()
    return report


def _record(objects: list[models.Model]) -> None:
    if objects:
        content_type = ContentType.objects.get_for_model(objects[0])
        DemoRecord.objects.bulk_create(
            [DemoRecord(content_type=content_type, object_id=obj.pk) for obj in objects]
        )


def _recorded(model: type[models.Model]):
    """The primary keys of the demo's rows of ``model``, as a subquery."""
    content_type = ContentType.objects.get_for_model(model)
    return DemoRecord.objects.filter(content_type=content_type).values("object_id")


def _load_calendars(plan: DemoPlan, report: LoadReport) -> dict[str, Calendar]:
    """All the plan's calendars by name; those created now get their weekly hours and the
    public holidays of this year and the next."""
    calendars = {
        c.name: c for c in Calendar.objects.filter(name__in=[c.name for c in plan.calendars])
    }
    created = []
    year = timezone.localdate().year
    for spec in plan.calendars:
        if spec.name in calendars:
            continue
        calendar = calendar_services.create_calendar(
            name=spec.name,
            time_zone=spec.time_zone,
            description=spec.description,
            is_always_open=spec.is_always_open,
            weekly=dict(enumerate(spec.weekly)),
            by=None,
        )
        if spec.holiday_country:
            calendar_services.import_public_holidays(
                calendar,
                country=spec.holiday_country,
                year_from=year,
                year_to=year + 1,
                language="en",
                by=None,
            )
        calendars[spec.name] = calendar
        created.append(calendar)
    _record(created)
    report.created["calendars"] = len(created)
    return calendars


def _set_calendars(
    plan: DemoPlan,
    departments: dict[str, Department],
    created: list[Department],
    calendars: dict[str, Calendar],
) -> None:
    """The departments this load created work by their calendars from the plan; departments
    that existed before keep theirs."""
    wanted = {d.code: d.calendar for d in plan.departments}
    changed = []
    for code, department in departments.items():
        if department in created and wanted.get(code) in calendars:
            department.calendar = calendars[wanted[code]]
            changed.append(department)
    Department.objects.bulk_update(changed, ["calendar"])


def _existing_users(plan: DemoPlan) -> dict[str, models.Model]:
    wanted = [person.username.lower() for person in plan.people]
    found = User.objects.annotate(lower_username=Lower("username")).filter(
        lower_username__in=wanted
    )
    return {user.username.lower(): user for user in found}


def _load_departments(
    plan: DemoPlan, report: LoadReport
) -> tuple[dict[str, Department], list[Department]]:
    """All the plan's departments by code, and those of them created now."""
    existing = Department.objects.filter(
        Q(code__in=[d.code for d in plan.departments])
        | Q(name__in=[d.name for d in plan.departments])
    )
    by_code = {d.code: d for d in existing}
    by_name = {d.name: d for d in existing}
    departments, created = {}, []
    for spec in plan.departments:
        department = by_code.get(spec.code) or by_name.get(spec.name)
        if department is None:
            department = Department(
                code=spec.code,
                name=spec.name,
                description=spec.description,
                queue_email=spec.queue_email,
            )
            created.append(department)
        departments[spec.code] = department
    Department.objects.bulk_create(created)
    _record(created)
    report.created["departments"] = len(created)
    return departments, created


def _load_people(
    new_people: list[PersonPlan],
    existing_users: dict[str, models.Model],
    departments: dict[str, Department],
    hashed_password: str,
    report: LoadReport,
) -> dict[str, models.Model]:
    """Users with their roles and, for engineers, profiles and competencies; returns every user
    of the plan (new or existing) by user name."""
    users = [
        User(
            username=person.username,
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            is_superuser=person.is_superuser,
            is_staff=person.is_superuser,
            password=hashed_password,
        )
        for person in new_people
    ]
    User.objects.bulk_create(users)
    _record(users)
    groups = {role: Group.objects.get_or_create(name=role)[0].pk for role in Role.values}
    Membership = User.groups.through
    Membership.objects.bulk_create(
        Membership(user_id=user.pk, group_id=groups[role])
        for person, user in zip(new_people, users, strict=True)
        for role in person.roles
    )
    engineers = [
        Engineer(
            user=user,
            department=departments[person.department],
            position=person.position,
            time_zone=person.time_zone,
        )
        for person, user in zip(new_people, users, strict=True)
        if person.is_engineer
    ]
    Engineer.objects.bulk_create(engineers)
    engineer_plans = [person for person in new_people if person.is_engineer]
    Competency.objects.bulk_create(
        Competency(engineer=engineer, field=field_, level=level)
        for person, engineer in zip(engineer_plans, engineers, strict=True)
        for field_, level in person.competencies
    )
    report.created.update(
        users=len(users),
        engineers=len(engineers),
        tams=sum(Role.TAM in person.roles for person in new_people),
    )
    return {**existing_users, **{user.username.lower(): user for user in users}}


def _set_leads(plan: DemoPlan, departments: dict[str, Department], created: list) -> None:
    """The departments this load created are led by their leads from the plan (when the lead is
    an engineer); departments that existed before keep theirs."""
    leads = {d.code: d.lead for d in plan.departments}
    engineers = {
        engineer.user.username: engineer
        for engineer in Engineer.objects.select_related("user").filter(
            user__username__in=leads.values()
        )
    }
    led = []
    for code, department in departments.items():
        if department in created and leads[code] in engineers:
            department.lead = engineers[leads[code]]
            led.append(department)
    Department.objects.bulk_update(led, ["lead"])


def _load_clients(
    plan: DemoPlan,
    departments: dict[str, Department],
    users: dict[str, models.Model],
    report: LoadReport,
) -> None:
    """Clients that do not exist yet (by code or name), with contacts, team and landscape."""
    taken = Client.objects.filter(
        Q(code__in=[c.code for c in plan.clients]) | Q(name__in=[c.name for c in plan.clients])
    ).values_list("code", "name")
    taken_codes, taken_names = {code for code, _ in taken}, {name for _, name in taken}
    new = [c for c in plan.clients if c.code not in taken_codes and c.name not in taken_names]
    clients = [
        Client(
            code=c.code,
            name=c.name,
            status=c.status,
            tier=c.tier,
            time_zone=c.time_zone,
            notes=c.notes,
        )
        for c in new
    ]
    Client.objects.bulk_create(clients)
    _record(clients)
    pairs = list(zip(new, clients, strict=True))
    contacts = Contact.objects.bulk_create(
        Contact(client=client, **vars(contact))
        for spec, client in pairs
        for contact in spec.contacts
    )
    components = Component.objects.bulk_create(
        Component(
            client=client,
            kind=component.kind,
            department=departments[component.department],
            name=component.name,
            description=component.description,
            identifiers=component.identifiers,
            url=component.url,
        )
        for spec, client in pairs
        for component in spec.components
    )
    assignments = _assignments(pairs, users, report)
    report.created.update(
        clients=len(clients),
        contacts=len(contacts),
        components=len(components),
        assignments=len(assignments),
    )


def _assignments(pairs, users: dict[str, models.Model], report: LoadReport) -> list:
    """The account-team history; a TAM role goes only to a person with the TAM role (a user who
    existed before the demo and is not a TAM is left out of the team)."""
    tam_ids = set(
        User.groups.through.objects.filter(
            group__name=Role.TAM, user_id__in=[user.pk for user in users.values()]
        ).values_list("user_id", flat=True)
    )
    rows = []
    for spec, client in pairs:
        for assignment in spec.team:
            user = users[assignment.username.lower()]
            tam_role = assignment.role in (AccountRole.TAM, AccountRole.BACKUP_TAM)
            if tam_role and user.pk not in tam_ids:
                report.skipped_assignments += 1
                continue
            rows.append(
                AccountTeamAssignment(
                    client=client,
                    role=assignment.role,
                    user=user,
                    start_on=assignment.start_on,
                    end_on=assignment.end_on,
                )
            )
    return AccountTeamAssignment.objects.bulk_create(rows)


def reset_demo() -> Counter[str]:
    """Delete the demo's departments, users, clients, calendars and SLA policies with everything
    that hangs off them (engineer profiles, competencies, contacts, components, account teams,
    incidents, changes, monthly reports, the incident imports and live sources its users made,
    working hours and exceptions), in one transaction and in dependency order. Rows added by hand
    to a demo client or calendar go with it.

    Refused, with nothing deleted, when data outside the demo refers to demo data: an engineer
    in a demo department, a component a demo department owns for another client, a demo user on
    another client's account team, a department outside the demo on a demo calendar, incidents
    or changes of other clients involving demo people or departments, or SLA policies outside
    the demo on demo calendars.
    """
    deleted: Counter[str] = Counter()
    with transaction.atomic(), disable_auditlog():
        departments, users, clients, calendars = (
            _recorded(Department),
            _recorded(User),
            _recorded(Client),
            _recorded(Calendar),
        )
        _refuse_if_referenced(departments, users, clients, calendars)
        policies = _recorded(SLAPolicy)
        # The demo's imports (its history's runs and any other run by a demo user).
        deleted["incident imports"] = IncidentImport.objects.filter(created_by__in=users).count()
        IncidentImport.objects.filter(created_by__in=users).delete()
        # The live sources demo users made, with what they received.
        sources = IncidentSource.objects.filter(created_by__in=users)
        deleted["live incident sources"] = sources.count()
        InboundDelivery.objects.filter(source__in=sources).delete()
        sources.delete()
        changes = ChangeRequest.objects.filter(client__in=clients)
        deleted["changes"] = changes.count()
        ActivityEntry.objects.filter(change__in=changes).delete()
        Comment.objects.filter(change__in=changes).delete()
        DepartmentTask.objects.filter(change__in=changes).delete()  # dependencies go with them
        changes.delete()
        reports = MonthlyReport.objects.filter(client__in=clients)
        deleted["monthly reports"] = reports.count()
        reports.delete()
        incidents = Incident.objects.filter(client__in=clients)
        deleted["incidents"] = incidents.count()  # delete() also counts events and clocks
        incidents.delete()
        SLATarget.objects.filter(version__policy__in=policies).delete()
        SLAPolicyVersion.objects.filter(policy__in=policies).delete()
        deleted["sla policies"] = SLAPolicy.objects.filter(pk__in=policies).count()
        SLAPolicy.objects.filter(pk__in=policies).delete()
        for label, queryset in (
            ("assignments", AccountTeamAssignment.objects.filter(client__in=clients)),
            ("contacts", Contact.objects.filter(client__in=clients)),
            ("components", Component.objects.filter(client__in=clients)),
            ("clients", Client.objects.filter(pk__in=clients)),
            ("competencies", Competency.objects.filter(engineer__user__in=users)),
        ):
            deleted[label] = queryset.delete()[0]
        Department.objects.filter(lead__user__in=users).update(lead=None)
        deleted["engineers"] = Engineer.objects.filter(user__in=users).delete()[0]
        deleted["users"] = User.objects.filter(pk__in=users).count()
        User.objects.filter(pk__in=users).delete()
        deleted["departments"] = Department.objects.filter(pk__in=departments).count()
        Department.objects.filter(pk__in=departments).delete()
        deleted["calendars"] = Calendar.objects.filter(pk__in=calendars).count()
        Calendar.objects.filter(pk__in=calendars).delete()
        DemoRecord.objects.all().delete()
    return deleted


def _refuse_if_referenced(departments, users, clients, calendars) -> None:
    outside = {
        "engineers outside the demo work in demo departments": Engineer.objects.filter(
            department__in=departments
        ).exclude(user__in=users),
        "components of clients outside the demo are owned by demo departments": (
            Component.objects.filter(department__in=departments).exclude(client__in=clients)
        ),
        "demo users are on the account teams of clients outside the demo": (
            AccountTeamAssignment.objects.filter(user__in=users).exclude(client__in=clients)
        ),
        "departments outside the demo work by demo calendars": Department.objects.filter(
            calendar__in=calendars
        ).exclude(pk__in=departments),
        "incidents of clients outside the demo are assigned to demo people or departments": (
            Incident.objects.filter(Q(assignee__in=users) | Q(department__in=departments)).exclude(
                client__in=clients
            )
        ),
        "changes of clients outside the demo involve demo people or departments": (
            ChangeRequest.objects.filter(
                Q(owner__in=users)
                | Q(tasks__assignee__in=users)
                | Q(tasks__department__in=departments)
            )
            .exclude(client__in=clients)
            .distinct()
        ),
        "SLA policies outside the demo measure by demo calendars": SLAPolicyVersion.objects.filter(
            calendar__in=calendars
        ).exclude(policy__in=_recorded(SLAPolicy)),
    }
    problems = [f"{qs.count()} {what}" for what, qs in outside.items() if qs.exists()]
    if problems:
        raise DemoResetBlocked(
            "The demo data cannot be reset: "
            + "; ".join(problems)
            + ". Move or delete those records first."
        )


@dataclass(frozen=True)
class Account:
    username: str
    full_name: str
    roles: tuple[str, ...]
    department: str
    current_clients: int  # as TAM or backup TAM
    is_demo: bool  # False: the account existed before the demo and is left alone


def _role_order(name: str) -> tuple[bool, int]:
    """Roles as listed in ``Role``, the plain Engineer role last."""
    order = list(Role.values)
    return name == Role.ENGINEER, order.index(name) if name in order else len(order)


def describe_accounts(usernames: list[str]) -> list[Account]:
    """The demo accounts to show after a load, in the order given (missing ones left out)."""
    found = {
        user.username: user
        for user in User.objects.filter(username__in=usernames).prefetch_related("groups")
    }
    demo_ids = set(_recorded(User).values_list("object_id", flat=True))
    accounts = []
    for username in usernames:
        user = found.get(username)
        if user is None:
            continue
        roles = sorted((g.name for g in user.groups.all()), key=_role_order)
        engineer = Engineer.objects.filter(user=user).select_related("department").first()
        accounts.append(
            Account(
                username=username,
                full_name=user.get_full_name(),
                roles=(("superuser",) if user.is_superuser else ()) + tuple(roles),
                department=engineer.department.name if engineer else "",
                current_clients=Client.objects.managed_by(user).count(),
                is_demo=user.pk in demo_ids,
            )
        )
    return accounts
