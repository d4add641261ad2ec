"""The Changes section of the client page (``directory.views.client_page``): the client's open
changes with their status and forecast against the committed date. Listed by the
workspace (``tamdesk.workspace.sections.CLIENT_SECTIONS``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

from tamdesk.changes.models import ChangeRequest
from tamdesk.directory.models import Client

#: Open changes listed on the client page; the rest are a click away on the change list.
OPEN_LIMIT = 20


def changes_section_context(client: Client, request: HttpRequest) -> dict:
    open_changes = (
        ChangeRequest.objects.visible_to(request.user)
        .filter(client=client)
        .open()
        .select_related("owner")
        .order_by("committed_on", "-created_at", "-id")
    )
    count = open_changes.count()
    list_url = reverse("changes:change_list")
    can_add = request.user.has_perm("changes.add_changerequest", client)
    return {
        "count": count,
        "changes": list(open_changes[:OPEN_LIMIT]),
        "more": max(count - OPEN_LIMIT, 0),
        "all_url": f"{list_url}?{urlencode({'client': client.pk})}",
        "add_url": (
            f"{reverse('changes:change_create')}?{urlencode({'client': client.pk})}"
            if can_add
            else ""
        ),
    }
