"""Who may do what with SLA policies and incidents.

- Everyone with a role reads policies and incidents — the rows they may see
  (``IncidentQuerySet.visible_to``, ``SLAPolicyQuerySet.visible_to``).
- Administrators and service managers manage SLA policies (a policy change is a new version).
- Administrators, service managers, TAMs, department leads and engineers open incidents and
  record their events (responses, status changes, reassignments, resolutions).
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
