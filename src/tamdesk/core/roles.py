"""The roles a person can hold, as Django groups. Group names are stable identifiers (English);
the UI shows the translated label."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "Administrator", _("Administrator")
    TAM = "TAM", _("TAM")
    ENGINEER = "Engineer", _("Engineer")
    DEPARTMENT_LEAD = "Department lead", _("Department lead")
    SERVICE_MANAGER = "Service manager", _("Service manager")
    ARCHITECT = "Architect", _("Architect")
    PROGRAMME_LEAD = "Programme lead", _("Programme lead")


def role_names(user) -> set[str]:
    """The roles of ``user`` (cached on the instance for the request)."""
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_tamdesk_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached.add(Role.ADMINISTRATOR.value)
        user._tamdesk_roles = cached
    return cached
