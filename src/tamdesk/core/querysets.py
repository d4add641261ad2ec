"""Reusable reads of the core app's own models, and who reads them (``tamdesk.core.scoping``)."""

from __future__ import annotations

from tamdesk.core.scoping import RestrictedQuerySet


class ApiTokenQuerySet(RestrictedQuerySet):
    def visible_to(self, user):
        """A person's API tokens are theirs alone, administrators included."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(user=user)
