"""Everything that changes the directory beyond a plain insert or update."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tamdesk.core import events, tokens
from tamdesk.core.exceptions import DomainError
from tamdesk.core.roles import Role
from tamdesk.directory.choices import AccountRole
from tamdesk.directory.exceptions import (
    AssignmentOverlap,
    ClientInUse,
    DepartmentInUse,
    EngineerInUse,
    InvalidAssignment,
)
from tamdesk.directory.models import (
    AccountTeamAssignment,
    Client,
    Competency,
    Department,
    Engineer,
)

User = get_user_model()


def department_edited(department: Department, *, calendar_id_before: int | None) -> None:
    """After a department's fields were saved, inside the saving transaction: when it works by
    another calendar now, publish ``working_time_changed`` for it (changes re-schedules)."""
    if department.calendar_id != calendar_id_before:
        events.publish(
            events.WorkingTimeChanged(changed_at=timezone.now(), department_ids=(department.pk,))
        )


@transaction.atomic
def delete_department(department: Department, *, by) -> None:
    """Delete a department that no engineer or component belongs to any more."""
    department = Department.objects.select_for_update().get(pk=department.pk)
    engineers = department.engineers.count()
    if engineers:
        raise DepartmentInUse(
            ngettext(
                "The department still has %(count)d engineer. Move them to another department "
                "or mark the department inactive instead.",
                "The department still has %(count)d engineers. Move them to another department "
                "or mark the department inactive instead.",
                engineers,
            )
            % {"count": engineers}
        )
    components = department.components.count()
    if components:
        raise DepartmentInUse(
            ngettext(
                "The department still owns %(count)d client component. Hand it over to another "
                "department first.",
                "The department still owns %(count)d client components. Hand them over to "
                "another department first.",
                components,
            )
            % {"count": components}
        )
    department.delete()


@transaction.atomic
def delete_client(client: Client, *, by) -> None:
    """Delete a client that has no contacts, components or account team. A client that has
    history is kept and set to "former" instead."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    if (
        client.contacts.exists()
        or client.components.exists()
        or client.account_assignments.exists()
    ):
        raise ClientInUse(
            _(
                "The client has contacts, components or an account-team history. "
                "Set its status to “former” instead of deleting it."
            )
        )
    client.delete()


@transaction.atomic
def delete_engineer(engineer: Engineer, *, by) -> None:
    """Delete an engineer profile (the user account stays, deactivated)."""
    engineer = Engineer.objects.select_for_update().get(pk=engineer.pk)
    if engineer.user.account_assignments.exists():
        raise EngineerInUse(
            _(
                "The engineer is or was on a client's account team; deactivate the user "
                "instead so that history is kept."
            )
        )
    if engineer.led_departments.exists():
        raise EngineerInUse(_("The engineer leads a department; choose another lead first."))
    user = engineer.user
    engineer.delete()
    user.is_active = False
    user.save(update_fields=["is_active"])
    tokens.revoke_user_tokens(user, by=by, reason="account deactivated")


@transaction.atomic
def assign_account_role(
    *,
    client: Client,
    role: AccountRole | str,
    user,
    start_on: dt.date,
    by,
) -> AccountTeamAssignment:
    """Put ``user`` in ``role`` on the client's account team from ``start_on``.

    The assignment currently open for that role ends the day before ``start_on``, so the history
    of who held the role is kept. Assigning the person who already holds the role is refused, as
    is a start before the current holder's start.
    """
    role = AccountRole(role)
    if (
        role in (AccountRole.TAM, AccountRole.BACKUP_TAM)
        and not user.groups.filter(name=Role.TAM).exists()
    ):
        raise InvalidAssignment(
            _("Only a person with the TAM role can be a client's TAM or backup TAM."),
            field="user",
        )
    open_assignment = (
        AccountTeamAssignment.objects.select_for_update()
        .filter(client=client, role=role, end_on__isnull=True)
        .first()
    )
    if open_assignment is not None:
        if open_assignment.user_id == user.pk:
            raise AssignmentOverlap(
                _("%(person)s already holds this role on the account team.")
                % {"person": user.get_full_name() or user.get_username()},
                field="user",
            )
        if start_on <= open_assignment.start_on:
            raise AssignmentOverlap(
                _("The start date must be after %(date)s, when the current holder started.")
                % {"date": open_assignment.start_on.isoformat()},
                field="start_on",
            )
        open_assignment.end_on = start_on - dt.timedelta(days=1)
        open_assignment.save(update_fields=["end_on", "updated_at"])
    return AccountTeamAssignment.objects.create(
        client=client, role=role, user=user, start_on=start_on
    )


@transaction.atomic
def end_account_role(assignment: AccountTeamAssignment, *, end_on: dt.date, by) -> None:
    """Close an assignment on ``end_on`` (kept in the history)."""
    assignment = AccountTeamAssignment.objects.select_for_update().get(pk=assignment.pk)
    if end_on < assignment.start_on:
        raise InvalidAssignment(_("The end date cannot be before the start date."), field="end_on")
    assignment.end_on = end_on
    assignment.save(update_fields=["end_on", "updated_at"])


@transaction.atomic
def set_user_roles(user, *, roles: list[Role | str], by) -> None:
    """Replace the roles (groups) of ``user``."""
    wanted = [Role(role).value for role in roles]
    groups = list(Group.objects.filter(name__in=wanted))
    user.groups.set(groups)
    user.__dict__.pop("_tamdesk_roles", None)


class UsernameTaken(DomainError):
    code = "username_taken"


class LockedOut(DomainError):
    code = "locked_out"


@transaction.atomic
def create_user(
    *,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    roles: list[Role | str],
    password: str | None = None,
    by,
):
    """Create a user account with its roles. Without a password the account cannot log in
    until an administrator sets one."""
    if User.objects.filter(username__iexact=username).exists():
        raise UsernameTaken(
            _("The user name “%(username)s” is already taken.") % {"username": username},
            field="username",
        )
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    set_user_roles(user, roles=roles, by=by)
    return user


@transaction.atomic
def update_user(
    user,
    *,
    first_name: str,
    last_name: str,
    email: str,
    is_active: bool,
    roles: list[Role | str],
    password: str | None = None,
    by,
):
    """Update an account: names, e-mail, active flag, roles and (when given) a new password.
    Administrators cannot deactivate themselves or drop their own Administrator role."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == getattr(by, "pk", None):
        if not is_active:
            raise LockedOut(_("You cannot deactivate your own account."), field="is_active")
        if not user.is_superuser and Role.ADMINISTRATOR.value not in [Role(r).value for r in roles]:
            raise LockedOut(
                _("You cannot remove the Administrator role from yourself."), field="roles"
            )
    user.first_name, user.last_name, user.email, user.is_active = (
        first_name,
        last_name,
        email,
        is_active,
    )
    fields = ["first_name", "last_name", "email", "is_active"]
    if password:
        user.set_password(password)
        fields.append("password")
    user.save(update_fields=fields)
    if password or not is_active:
        reason = "password changed" if password else "account deactivated"
        tokens.revoke_user_tokens(user, by=by, reason=reason)
    set_user_roles(user, roles=roles, by=by)
    return user


def _set_competencies(engineer: Engineer, competencies: dict[str, int]) -> None:
    """Replace the engineer's competencies with ``{field: level}``."""
    engineer.competencies.exclude(field__in=list(competencies)).delete()
    existing = {c.field: c for c in engineer.competencies.all()}
    for field, level in competencies.items():
        current = existing.get(field)
        if current is None:
            Competency.objects.create(engineer=engineer, field=field, level=level)
        elif current.level != level:
            current.level = level
            current.save(update_fields=["level"])


@transaction.atomic
def create_engineer(
    *,
    username: str,
    department: Department,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    position: str = "",
    time_zone: str = "Europe/Moscow",
    roles: list[Role | str] | None = None,
    competencies: dict[str, int] | None = None,
    password: str | None = None,
    by,
) -> Engineer:
    """Create a user account with its engineering profile, roles and competencies.

    Without a password the account cannot log in until an administrator sets one.
    """
    user = create_user(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        roles=roles if roles is not None else [Role.ENGINEER],
        password=password,
        by=by,
    )
    engineer = Engineer.objects.create(
        user=user, department=department, position=position, time_zone=time_zone
    )
    _set_competencies(engineer, competencies or {})
    return engineer


@transaction.atomic
def update_engineer(
    engineer: Engineer,
    *,
    department: Department,
    first_name: str,
    last_name: str,
    email: str,
    position: str,
    time_zone: str,
    is_active: bool = True,
    roles: list[Role | str] | None = None,
    competencies: dict[str, int] | None = None,
    by,
) -> Engineer:
    """Update an engineer's account and profile; ``None`` leaves roles/competencies as they are."""
    engineer = Engineer.objects.select_for_update().select_related("user").get(pk=engineer.pk)
    user = engineer.user
    user.first_name, user.last_name, user.email, user.is_active = (
        first_name,
        last_name,
        email,
        is_active,
    )
    user.save(update_fields=["first_name", "last_name", "email", "is_active"])
    if not is_active:
        tokens.revoke_user_tokens(user, by=by, reason="account deactivated")
    engineer.department = department
    engineer.position = position
    engineer.time_zone = time_zone
    engineer.save(update_fields=["department", "position", "time_zone", "updated_at"])
    if roles is not None:
        set_user_roles(user, roles=roles, by=by)
    if competencies is not None:
        _set_competencies(engineer, competencies)
    return engineer


def _free_code(model, base: str, *, max_length: int) -> str:
    """A code for a new ``model`` row made from ``base``: letters, digits, hyphens; unique."""
    import re

    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", base).strip("-_")[: max_length - 4] or "X"
    code, n = stem, 1
    while model.objects.filter(code__iexact=code).exists():
        n += 1
        code = f"{stem}-{n}"
    return code


@transaction.atomic
def create_client_named(name: str, *, by) -> Client:
    """Create a client known only by its name (an incident import met it): a free code is made
    from the name, the rest takes the defaults. The change history records who created it."""
    from auditlog.context import set_actor

    with set_actor(by):
        return Client.objects.create(name=name[:200], code=_free_code(Client, name, max_length=16))


@transaction.atomic
def create_department_named(name: str, *, by) -> Department:
    """Create a department known only by its name (an incident import's group), as
    ``create_client_named`` does for a client."""
    from auditlog.context import set_actor

    with set_actor(by):
        return Department.objects.create(
            name=name[:200], code=_free_code(Department, name, max_length=32)
        )
