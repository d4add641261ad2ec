from __future__ import annotations

from tamdesk.core.exceptions import DomainError, ProtectedError


class CalendarInUse(ProtectedError):
    code = "calendar_in_use"


class InvalidWorkingHours(DomainError):
    code = "invalid_working_hours"


class InvalidCalendarException(DomainError):
    code = "invalid_exception"


class ExceptionDateTaken(DomainError):
    code = "exception_date_taken"


class InvalidCountry(DomainError):
    code = "invalid_country"


class InvalidYears(DomainError):
    code = "invalid_years"


class CalendarHasNoWorkingTime(DomainError):
    """The calendar works at no time of an ordinary week (no weekly hours, not 24×7): time
    measured in it never passes, so an SLA clock on it would never come due."""

    code = "calendar_has_no_working_time"
