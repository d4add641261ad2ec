from tamdesk.core.exceptions import ConflictError, DomainError


class SLAError(DomainError):
    code = "sla_error"


class ImpossibleTimeline(SLAError):
    """Events out of order, in the future, or not allowed in the incident's state."""

    code = "impossible_timeline"


class DuplicateIncident(ConflictError):
    code = "duplicate_incident"


class PolicyInUse(ConflictError):
    code = "policy_in_use"
