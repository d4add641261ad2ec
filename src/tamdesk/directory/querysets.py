"""Reusable reads of the directory, and who reads which directory rows (``visible_to``).

Read scoping (``tamdesk.core.scoping``): administrators, service managers and the programme lead
read everything; a client, its components and its account team are read by the people on its
current account team and by the departments that work on it (an incident or a change of theirs,
``add_client_reach``); its contacts — personal data — by its account team only. Departments,
engineers and user accounts are reference data that every role reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import models
from django.db.models import Q
from django.utils import timezone

from tamdesk.core.scoping import (
    ReferenceQuerySet,
    RestrictedQuerySet,
    has_any_role,
    sees_everything,
    works_in_a_department,
)
from tamdesk.directory.choices import AccountRole

#: How a higher domain says which clients a person reaches through their department's work: a
#: function ``(user) -> queryset of client ids`` (``values("client")``), handed over from the
#: domain's ``AppConfig.ready()`` with ``add_client_reach`` (the directory cannot import it).
ClientReach = Callable[[object], models.QuerySet]
CLIENT_REACH: list[ClientReach] = []


def add_client_reach(reach: ClientReach) -> None:
    """Let the clients returned by ``reach(user)`` be read by ``user`` (their client record,
    components and account team; not their contacts)."""
    if reach not in CLIENT_REACH:
        CLIENT_REACH.append(reach)


def _current(day: dt.date | None) -> Q:
    day = day or timezone.localdate()
    return Q(start_on__lte=day) & (Q(end_on__isnull=True) | Q(end_on__gte=day))


def account_team_client_ids(user) -> models.QuerySet:
    """The ids of the clients on whose current account team ``user`` is (any account role), as
    a subquery."""
    from tamdesk.directory.models import AccountTeamAssignment

    return AccountTeamAssignment.objects.current().filter(user=user).values("client")


def department_ids_of(user) -> models.QuerySet:
    """The ids of the departments whose work ``user`` reads: an engineer's or department lead's
    own department and the department they lead (none for other roles), as a subquery."""
    from tamdesk.directory.models import Department

    if not works_in_a_department(user):
        return Department.objects.none().values("pk")
    return Department.objects.filter(Q(engineers__user=user) | Q(lead__user=user)).values("pk")


def visible_client_ids(user) -> models.QuerySet:
    """The ids of the clients ``user`` reads (``ClientQuerySet.visible_to``), as a subquery."""
    from tamdesk.directory.models import Client

    return Client.objects.visible_to(user).values("pk")


class DepartmentQuerySet(ReferenceQuerySet):
    pass


class EngineerQuerySet(ReferenceQuerySet):
    pass


class UserQuerySet(ReferenceQuerySet):
    """User accounts as the generic views read them (Django's ``User`` manager is not ours):
    ``UserQuerySet(model=User)``. Who may open the user pages is a permission (administrators)."""


class AccountTeamQuerySet(RestrictedQuerySet):
    def current(self, day: dt.date | None = None) -> AccountTeamQuerySet:
        """Assignments in force on ``day`` (today by default)."""
        return self.filter(_current(day))

    def visible_to(self, user) -> AccountTeamQuerySet:
        """The account teams of the clients ``user`` reads (who to talk to is not personal
        data)."""
        if sees_everything(user):
            return self.all()
        return self.filter(client__in=visible_client_ids(user))


class ClientQuerySet(RestrictedQuerySet):
    def managed_by(self, user, day: dt.date | None = None) -> ClientQuerySet:
        """Clients whose current TAM or backup TAM is ``user``."""
        return self.on_account_team_of(
            user, roles=[AccountRole.TAM, AccountRole.BACKUP_TAM], day=day
        )

    def on_account_team_of(
        self, user, *, roles: list[str] | None = None, day: dt.date | None = None
    ) -> ClientQuerySet:
        """Clients where ``user`` currently holds an account-team role (any, or one of
        ``roles``)."""
        day = day or timezone.localdate()
        # One filter() call: all conditions must hold for the same assignment row.
        condition = (
            Q(account_assignments__user=user)
            & Q(account_assignments__start_on__lte=day)
            & (
                Q(account_assignments__end_on__isnull=True)
                | Q(account_assignments__end_on__gte=day)
            )
        )
        if roles is not None:
            condition &= Q(account_assignments__role__in=roles)
        return self.filter(condition).distinct()

    def visible_to(self, user) -> ClientQuerySet:
        """Everything for administrators, service managers and the programme lead; else the
        clients on whose current account team ``user`` is, and those their department works on
        (``CLIENT_REACH``)."""
        if sees_everything(user):
            return self.all()
        if not has_any_role(user):
            return self.none()
        condition = Q(pk__in=account_team_client_ids(user))
        for reach in CLIENT_REACH:
            condition |= Q(pk__in=reach(user))
        return self.filter(condition)


def reads_contacts_of(user, client) -> bool:
    """``user`` reads the contacts of ``client`` (``ContactQuerySet.visible_to``)."""
    if sees_everything(user):
        return True
    if not has_any_role(user):
        return False
    return account_team_client_ids(user).filter(client=client).exists()


class ContactQuerySet(RestrictedQuerySet):
    def visible_to(self, user) -> ContactQuerySet:
        """A client's people (names, phone numbers) are read by its account team only — not by
        the departments working on the client."""
        if sees_everything(user):
            return self.all()
        if not has_any_role(user):
            return self.none()
        return self.filter(client__in=account_team_client_ids(user))


class ComponentQuerySet(RestrictedQuerySet):
    def visible_to(self, user) -> ComponentQuerySet:
        """The landscape of the clients ``user`` reads."""
        if sees_everything(user):
            return self.all()
        return self.filter(client__in=visible_client_ids(user))
