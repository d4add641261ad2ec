"""Domain errors: raised by services, mapped to a 400/409 with a stable ``code`` by the API and
to a form error by the views."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the operation. ``code`` is stable and documented."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class ProtectedError(DomainError):
    """The record is still referenced and deleting it would lose history."""

    code = "protected"
    status = 409


class ConflictError(DomainError):
    code = "conflict"
    status = 409
