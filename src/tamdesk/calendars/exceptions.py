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
