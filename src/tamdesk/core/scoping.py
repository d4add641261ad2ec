"""Row-level read scoping: which rows of a model a person reads.

Every model served by the generic views (``core.ui.ModelView``) or the API viewsets
(``core.viewsets``) has a queryset with ``visible_to(user)`` — the rows ``user`` may read —
written in its domain's ``querysets.py`` (NetBox's ``RestrictedQuerySet.restrict(user)`` is the
model). The generic views and viewsets get their rows through ``restrict``, the one place reads
are scoped; custom views, filter dropdowns and form choices call ``Model.objects.visible_to(user)``
themselves. A model served without ``visible_to`` fails loudly (``ImproperlyConfigured``).

The permission (``user.has_perm("<app>.view_<model>", obj)``) still decides whether the user may
read the model at all; ``visible_to`` decides which rows. A row outside the scope is a 404, not a
403, so that its existence does not leak. The policy is in docs/architecture.md (Permissions).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from tamdesk.core.roles import Role, role_names

#: The roles that read every row of every model.
READS_EVERYTHING = frozenset(
    {Role.ADMINISTRATOR.value, Role.SERVICE_MANAGER.value, Role.PROGRAMME_LEAD.value}
)
#: The roles that read what their department works on (their engineer profile's department).
DEPARTMENT_ROLES = frozenset({Role.ENGINEER.value, Role.DEPARTMENT_LEAD.value})


def sees_everything(user) -> bool:
    """``user`` reads every row: an administrator (or superuser), a service manager or the
    programme lead."""
    return bool(role_names(user) & READS_EVERYTHING)


def has_any_role(user) -> bool:
    """People without a role read nothing (and are refused by the permissions anyway)."""
    return bool(role_names(user))


def works_in_a_department(user) -> bool:
    """``user`` is an engineer or a department lead: they read their department's work."""
    return bool(role_names(user) & DEPARTMENT_ROLES)


class RestrictedQuerySet(models.QuerySet):
    """The base of a scoped model's queryset: a subclass defines ``visible_to(user)``; one that
    does not is a configuration error, the same one ``restrict`` raises."""

    def visible_to(self, user) -> models.QuerySet:
        raise ImproperlyConfigured(_unscoped(self.model))


class ReferenceQuerySet(RestrictedQuerySet):
    """Reference data (departments, engineers, calendars, playbooks…): not scoped by row. The
    permissions say who may read the model at all (every role; a user without one is refused
    with a 403, as before scoping)."""

    def visible_to(self, user) -> models.QuerySet:
        return self.all() if user is not None and user.is_authenticated else self.none()


class AdministeredQuerySet(RestrictedQuerySet):
    """Records only administrators read (the outbox, webhooks, job runs)."""

    def visible_to(self, user) -> models.QuerySet:
        return self.all() if Role.ADMINISTRATOR.value in role_names(user) else self.none()


def restrict(queryset: models.QuerySet, user) -> models.QuerySet:
    """The rows of ``queryset`` that ``user`` may read: its ``visible_to(user)``.

    Raises ``ImproperlyConfigured`` when the model's queryset has no ``visible_to``: a model is
    never served unscoped by mistake."""
    visible_to = getattr(queryset, "visible_to", None)
    if visible_to is None:
        raise ImproperlyConfigured(_unscoped(queryset.model))
    return visible_to(user)


def _unscoped(model: type[models.Model]) -> str:
    return (
        f"{model.__name__} is served by a generic view or viewset but its queryset has no "
        "visible_to(user); define one in its domain's querysets.py (see tamdesk.core.scoping)."
    )


def restrict_choices(form, user) -> None:
    """Limit the form's record choices (a client, a contact, a change…) to the rows ``user``
    reads: every choice field whose queryset has ``visible_to``, except those the form names in
    ``choices_beyond_reading`` — fields whose write rule lets the user pick any row (opening an
    incident: an engineer on duty takes a call from any client, as the API allows)."""
    beyond = set(getattr(form, "choices_beyond_reading", ()))
    for name, field in form.fields.items():
        if name in beyond:
            continue
        queryset = getattr(field, "queryset", None)
        if queryset is not None and hasattr(queryset, "visible_to"):
            field.queryset = queryset.visible_to(user)


class ScopedViewSetMixin:
    """API viewsets: ``get_queryset`` returns the rows the caller may read (``restrict``), so
    a list omits the others and a detail, update or delete of one is a 404."""

    def get_queryset(self):
        queryset = super().get_queryset()
        return restrict(queryset, getattr(self.request, "user", None))
