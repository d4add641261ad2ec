"""Who may do what with SLA policies and incidents.

- Everyone with a role reads policies and incidents — the rows they may see
  (``IncidentQuerySet.visible_to``, ``SLAPolicyQuerySet.visible_to``).
- Administrators and service managers manage SLA policies (a policy change is a new version).
- Administrators, service managers, TAMs, department leads and engineers open incidents and
  record their events (responses, status changes, reassignments, resolutions).
- Administrators, service managers and TAMs import incidents from a helpdesk's export; a TAM
  only into the clients on whose account team they are (``imports_into``). Everyone with a role
  reads the imports they may see (``IncidentImportQuerySet.visible_to``: their own; all for
  administrators and service managers).
- Administrators and service managers manage the live incident sources (inbound webhooks): they
  alone read, create, edit and deactivate them, rotate their tokens and read their deliveries.
  A source is never deleted (its deliveries are the record of what it sent): it is deactivated.
- Administrators and service managers manage the departments' internal targets (OLA); department
  leads read them too (``OLATargetQuerySet.visible_to``). The time each department held an
  incident is read with the incident.
"""

from __future__ import annotations

import rules

from tamdesk.core.permissions import (
    has_any_role,
    is_administrator,
    is_department_lead,
    is_engineer,
    is_service_manager,
    is_tam,
)

manages_policies = is_administrator | is_service_manager
works_incidents = is_administrator | is_service_manager | is_tam | is_department_lead | is_engineer

rules.add_perm("sla.view_slapolicy", has_any_role)
for _verb in ("add", "change", "delete"):
    rules.add_perm(f"sla.{_verb}_slapolicy", manages_policies)
rules.add_perm("sla.view_incident", has_any_role)
rules.add_perm("sla.add_incident", works_incidents)
rules.add_perm("sla.change_incident", works_incidents)
# Incidents are evidence for the SLA: they are closed, never deleted.
rules.add_perm("sla.delete_incident", rules.always_deny)

imports_incidents = is_administrator | is_service_manager | is_tam
rules.add_perm("sla.add_incidentimport", imports_incidents)
rules.add_perm("sla.view_incidentimport", has_any_role)
rules.add_perm("sla.change_incidentimport", rules.always_deny)
rules.add_perm("sla.delete_incidentimport", rules.always_deny)

manages_sources = is_administrator | is_service_manager
for _verb in ("view", "add", "change"):
    rules.add_perm(f"sla.{_verb}_incidentsource", manages_sources)
rules.add_perm("sla.delete_incidentsource", rules.always_deny)
rules.add_perm("sla.view_inbounddelivery", manages_sources)
for _verb in ("add", "change", "delete"):
    rules.add_perm(f"sla.{_verb}_inbounddelivery", rules.always_deny)
reads_ola_targets = manages_policies | is_department_lead
rules.add_perm("sla.view_olatarget", reads_ola_targets)
for _verb in ("add", "change", "delete"):
    rules.add_perm(f"sla.{_verb}_olatarget", manages_policies)


def imports_into(user, client) -> bool:
    """``user`` may import incidents of ``client``: administrators and service managers into
    every client, a TAM into the clients on whose account team they are."""
    if imports_into_any_client(user):
        return True
    if not is_tam(user):
        return False
    from tamdesk.directory.querysets import account_team_client_ids

    return account_team_client_ids(user).filter(client=client.pk).exists()


def imports_into_any_client(user) -> bool:
    """Administrators and service managers import into every client (and may have an import
    create the clients it meets)."""
    return bool(is_administrator(user) or is_service_manager(user))


# --- monthly client reports ----------------------------------------------------------------
# Read: everyone with a role, the rows of ``MonthlyReportQuerySet.visible_to`` (the client's
# account team, service managers, administrators, the programme lead). Generate: the client's
# TAM or backup TAM, service managers, administrators. Approve and send: the client's TAM or
# backup TAM, service managers. Nobody deletes a report (it records what the client was sent).


def _tam_of(user, client) -> bool:
    from tamdesk.directory.models import Client

    return bool(is_tam(user)) and Client.objects.managed_by(user).filter(pk=client.pk).exists()


@rules.predicate
def generates_monthly_reports(user, client=None) -> bool:
    """``user`` may generate the monthly report of ``client`` (of some client without one)."""
    if is_administrator(user) or is_service_manager(user):
        return True
    if client is None:
        return bool(is_tam(user))
    return _tam_of(user, getattr(client, "client", client))


@rules.predicate
def sends_monthly_reports(user, report=None) -> bool:
    """``user`` may approve and send ``report`` (send it again)."""
    if is_service_manager(user):
        return True
    if report is None:
        return bool(is_tam(user))
    return _tam_of(user, report.client)


rules.add_perm("sla.view_monthlyreport", has_any_role)
rules.add_perm("sla.add_monthlyreport", generates_monthly_reports)
rules.add_perm("sla.change_monthlyreport", sends_monthly_reports)
rules.add_perm("sla.delete_monthlyreport", rules.always_deny)


def reads_monthly_reports_of(user, client) -> bool:
    """``user`` reads ``client``'s monthly reports (``MonthlyReportQuerySet.visible_to``)."""
    from tamdesk.core.scoping import sees_everything
    from tamdesk.directory.querysets import account_team_client_ids

    if sees_everything(user):
        return True
    return account_team_client_ids(user).filter(client=client.pk).exists()
