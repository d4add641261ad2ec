"""Template filters of the SLA pages: working durations as ``h:mm``."""

from __future__ import annotations

from django import template

from tamdesk.core.templatetags.tamdesk_ui import hhmm, person

register = template.Library()


# The shared duration and person filters, loadable with this library too.
register.filter("hhmm", hhmm)
register.filter("person", person)
