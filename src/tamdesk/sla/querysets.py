"""Reusable reads of the SLA domain, and who reads which incidents and policies
(``visible_to``, see ``tamdesk.core.scoping``)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from tamdesk.core.scoping import RestrictedQuerySet, has_any_role, sees_everything
from tamdesk.directory.querysets import (
    account_team_client_ids,
    department_ids_of,
    visible_client_ids,
)
from tamdesk.sla.choices import WORKING_STATUSES


class SLAPolicyQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """Tier policies are reference data (every role reads them); a client's own policy
        follows its client."""
        if sees_everything(user):
            return self.all()
        if not has_any_role(user):
            return self.none()
        return self.filter(Q(client__isnull=True) | Q(client__in=visible_client_ids(user)))


class PolicyVersionQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """The versions of the policies ``user`` reads (``SLAPolicyQuerySet.visible_to``)."""
        from tamdesk.sla.models import SLAPolicy

        if sees_everything(user):
            return self.all()
        return self.filter(policy__in=SLAPolicy.objects.visible_to(user).values("pk"))

    def in_force(self, at: dt.datetime):
        return self.filter(valid_from__lte=at).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=at)
        )


def worked_on_by(user) -> Q:
    """Incidents of ``user``'s department (``department_ids_of``), assigned to them or opened
    by them (whoever opens an incident goes on to see it, whatever department it is in).

    Each of the three is a condition an index answers (``pk IN (their openings)``, not a
    correlated ``EXISTS`` probed for every incident): the databases combine them (SQLite's
    multi-index OR, PostgreSQL's bitmap OR) instead of scanning every incident
    (bench/sla_report.md)."""
    from tamdesk.sla.models import IncidentEvent

    opened = IncidentEvent.objects.filter(kind="opened", by=user).values("incident_id")
    return Q(department__in=department_ids_of(user)) | Q(assignee=user) | Q(pk__in=opened)


class IncidentQuerySet(RestrictedQuerySet):
    def open(self):
        """Incidents in a working status: neither resolved nor closed."""
        return self.filter(status__in=WORKING_STATUSES)

    def visible_to(self, user):
        """Everything for administrators, service managers and the programme lead; else the
        incidents of the clients on whose account team ``user`` is, of their department, and
        assigned to them."""
        if sees_everything(user):
            return self.all()
        if not has_any_role(user):
            return self.none()
        return self.filter(Q(client__in=account_team_client_ids(user)) | worked_on_by(user))


def clients_worked_on_by(user) -> models.QuerySet:
    """The clients ``user`` reaches through incidents (``directory.querysets.add_client_reach``)."""
    from tamdesk.sla.models import Incident

    if not has_any_role(user):
        return Incident.objects.none().values("client")
    return Incident.objects.filter(worked_on_by(user)).values("client")


class IncidentClockQuerySet(models.QuerySet):
    def alert_due(self, now: dt.datetime):
        return self.filter(next_alert_at__lte=now)


class IncidentImportQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """Administrators and service managers read every import; anyone else the imports they
        started (a TAM their own)."""
        from tamdesk.core.roles import Role, role_names

        if role_names(user) & {Role.ADMINISTRATOR.value, Role.SERVICE_MANAGER.value}:
            return self.all()
        if not has_any_role(user):
            return self.none()
        return self.filter(created_by=user)


def _manages_sources(user) -> bool:
    from tamdesk.core.roles import Role, role_names

    return bool(role_names(user) & {Role.ADMINISTRATOR.value, Role.SERVICE_MANAGER.value})


class IncidentSourceQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """Administrators and service managers read every live source; nobody else any."""
        return self.all() if _manages_sources(user) else self.none()


class InboundDeliveryQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """The deliveries of the sources ``user`` reads."""
        return self.all() if _manages_sources(user) else self.none()


class IncidentHoldQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """The holds of the incidents ``user`` reads (``IncidentQuerySet.visible_to``)."""
        from tamdesk.sla.models import Incident

        if sees_everything(user):
            return self.all()
        return self.filter(incident__in=Incident.objects.visible_to(user).values("pk"))


class OLATargetQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """Internal targets are read by those who manage them (administrators, service
        managers) and by department leads; nobody else."""
        from tamdesk.core.roles import Role, role_names

        readers = {Role.ADMINISTRATOR.value, Role.SERVICE_MANAGER.value, Role.DEPARTMENT_LEAD.value}
        if role_names(user) & readers:
            return self.all()
        return self.none()


class MonthlyReportQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """A client's monthly reports are read by its current account team, service managers,
        administrators and the programme lead — not by the departments working on the client:
        the report covers every incident of the client."""
        if sees_everything(user):
            return self.all()
        if not has_any_role(user):
            return self.none()
        return self.filter(client__in=account_team_client_ids(user))
