"""Change history of calendars: every create, update and delete of a calendar, its working
intervals and its exceptions is recorded by auditlog; the calendar's page shows them (an
interval's or exception's entries carry the calendar's id, so deleted ones are found too)."""

from auditlog.registry import auditlog

from tamdesk.calendars.models import Calendar, CalendarException, WorkingInterval

auditlog.register(Calendar)
# An interval's entry is named by it ("Monday 09:00–13:00"); its minutes add nothing.
auditlog.register(WorkingInterval, include_fields=["weekday"])
auditlog.register(CalendarException)
