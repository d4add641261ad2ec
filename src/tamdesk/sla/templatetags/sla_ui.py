"""Template filters of the SLA pages: working durations as ``h:mm``; an import waiting for its
start."""

from __future__ import annotations

from django import template

from tamdesk.core.templatetags.tamdesk_ui import hhmm, person

register = template.Library()


# The shared duration and person filters, loadable with this library too.
register.filter("hhmm", hhmm)
register.filter("person", person)


@register.filter
def import_awaiting_start(row) -> bool:
    from tamdesk.sla.imports.uploads import is_awaiting_start

    return is_awaiting_start(row)
