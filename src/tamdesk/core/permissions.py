"""Role predicates shared by every domain's ``permissions.py``, and the permissions of the core
app itself (change history, background jobs)."""

from __future__ import annotations

import rules

from tamdesk.core.roles import Role, role_names


def _has(role: Role):
    @rules.predicate(name=f"has_role_{role.name.lower()}")
    def predicate(user) -> bool:
        return role.value in role_names(user)

    return predicate


is_administrator = _has(Role.ADMINISTRATOR)
is_tam = _has(Role.TAM)
is_service_manager = _has(Role.SERVICE_MANAGER)
is_programme_lead = _has(Role.PROGRAMME_LEAD)
is_architect = _has(Role.ARCHITECT)
is_engineer = _has(Role.ENGINEER)
is_department_lead = _has(Role.DEPARTMENT_LEAD)


@rules.predicate
def has_any_role(user) -> bool:
    return bool(role_names(user))


rules.add_perm("core.view_history", has_any_role)
# The background jobs page (periodic jobs and their runs) is for administrators.
rules.add_perm("core.view_jobrun", is_administrator)
