"""The home page of every role: the sections of ``sections.HOME_SECTIONS`` for the roles the
user holds, each once, in the order of the list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tamdesk.core.roles import role_names
from tamdesk.core.ui import require_perm
from tamdesk.directory.models import Client
from tamdesk.workspace.composition import HomeSection
from tamdesk.workspace.sections import HOME_SECTIONS


def sections_for(user) -> list[HomeSection]:
    """The home sections of the roles ``user`` holds (the union, each section once)."""
    roles = role_names(user)
    return [section for section in HOME_SECTIONS if section.roles & roles]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, Client, "view")
    shown = []
    for section in sections_for(request.user):
        data = section.context(request)
        if data is not None:
            shown.append({"section": section, "data": data})
    return render(request, "workspace/home.html", {"sections": shown})
