"""Domain errors of changes: raised by services with a stable ``code`` (listed in
docs/domains/changes.md and docs/architecture.md)."""

from tamdesk.core.exceptions import ConflictError, DomainError


class ChangeError(DomainError):
    """A business rule of changes refused the operation; ``code`` says which."""

    code = "change_error"


class DependencyCycle(ChangeError):
    """The dependency would close a cycle; the message names the tasks around it."""

    code = "dependency_cycle"


class IllegalTransition(ChangeError):
    """The status change is not allowed from the current status."""

    code = "illegal_transition"


class PredecessorsOpen(ChangeError):
    """Starting a task whose predecessors are open, without an override."""

    code = "predecessors_open"


class TasksOpen(ConflictError):
    """Finishing a change while some of its tasks are open."""

    code = "tasks_open"
