from __future__ import annotations

from django.conf import settings

from tamdesk import __version__
from tamdesk.core.roles import Role, role_names


def shell(request):
    """Values every page of the UI shell needs."""
    user = getattr(request, "user", None)
    names = role_names(user)
    return {
        "tamdesk_version": __version__,
        "user_roles": [role for role in Role if role.value in names],
        "debug": settings.DEBUG,
    }
