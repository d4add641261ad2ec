from __future__ import annotations

from tamdesk.core.exceptions import ConflictError, DomainError, ProtectedError


class DepartmentInUse(ProtectedError):
    code = "department_in_use"


class ClientInUse(ProtectedError):
    code = "client_in_use"


class EngineerInUse(ProtectedError):
    code = "engineer_in_use"


class AssignmentOverlap(ConflictError):
    code = "assignment_overlap"


class InvalidAssignment(DomainError):
    code = "invalid_assignment"
