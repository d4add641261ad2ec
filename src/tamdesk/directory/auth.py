"""Signing in: Django's model backend, loading the user's engineer profile with the user."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ModelBackendWithProfile(ModelBackend):
    """Every request reads the viewer's time zone from their engineer profile
    (``directory.time_zones``): it is fetched in the query that loads the user, not in one more
    (a user without a profile has it cached as missing)."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("engineer").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
