"""Who may do what with calendars — the one place access is decided. UI views and the API both
ask ``user.has_perm("calendars.<verb>_<model>", obj)``; the predicates behind those names live
here.

- Everyone with a role reads calendars (departments and, later, SLA policies work by them).
- Administrators and service managers create, change and delete calendars, their weekly hours
  and exceptions, and import public holidays (a change of the calendar).
"""

from __future__ import annotations

import rules

from tamdesk.core.permissions import has_any_role, is_administrator, is_service_manager

can_view = has_any_role
can_manage_calendars = is_administrator | is_service_manager

PERMISSIONS = {
    model: {
        "view": can_view,
        "add": can_manage_calendars,
        "change": can_manage_calendars,
        "delete": can_manage_calendars,
    }
    for model in ("calendar", "workinginterval", "calendarexception")
}

for _model, _verbs in PERMISSIONS.items():
    for _verb, _predicate in _verbs.items():
        rules.add_perm(f"calendars.{_verb}_{_model}", _predicate)
