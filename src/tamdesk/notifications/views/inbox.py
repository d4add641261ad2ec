"""The notification centre: the bell with the unread count, the inbox, marking read."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tamdesk.core.ui import PAGE_SIZE, safe_next, wants_fragment
from tamdesk.notifications import services
from tamdesk.notifications.filters import InboxFilter
from tamdesk.notifications.models import Notification

#: htmx stops polling on this status: the bell of a signed-out page goes quiet.
STOP_POLLING = 286


def require(request, permission: str, obj=None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def own_notification(request, pk: int) -> Notification:
    """The caller's in-app notification ``pk``; anybody else's is a 404, as if it did not
    exist."""
    notification = get_object_or_404(Notification.objects.inbox(request.user), pk=pk)
    require(request, "notifications.read_notification", notification)
    return notification


def local_target(request, url: str) -> str | None:
    """``url`` when it stays on this site (a path, or an address of this host or of
    ``BASE_URL``), else None: a notification's link never sends anyone elsewhere."""
    if not url:
        return None
    hosts = {request.get_host(), urlsplit(settings.BASE_URL).netloc}
    if url_has_allowed_host_and_scheme(url, allowed_hosts=hosts, require_https=False):
        return url
    return None


@require_GET
def bell(request) -> HttpResponse:
    """The bell of the top bar alone, polled by htmx every minute."""
    if not request.user.is_authenticated:
        return HttpResponse(status=STOP_POLLING)
    response = TemplateResponse(request, "notifications/partials/_bell.html")
    patch_vary_headers(response, ["Cookie"])
    return response


@login_required
@require_GET
def inbox(request) -> HttpResponse:
    """The caller's in-app notifications, newest first; ``?unread=true`` for the unread ones."""
    require(request, "notifications.view_inbox")
    filterset = InboxFilter(request.GET or None, queryset=Notification.objects.inbox(request.user))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    unread_only = bool(filterset.is_valid() and filterset.form.cleaned_data.get("unread"))
    context = {
        "title": _("Notifications"),
        "page_obj": page,
        "object_list": page.object_list,
        "unread_only": unread_only,
    }
    template = (
        "notifications/partials/_inbox_list.html"
        if wants_fragment(request)
        else "notifications/inbox.html"
    )
    response = TemplateResponse(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _row_response(request, notification: Notification) -> HttpResponse:
    """After marking: the row for htmx (with the bell swapped out of band), else back."""
    if not wants_fragment(request):
        return redirect(safe_next(request, "notifications:inbox"))
    notification.refresh_from_db(fields=["read_at"])
    row = render_to_string(
        "notifications/partials/_inbox_row.html", {"notification": notification}, request
    )
    badge = render_to_string("notifications/partials/_bell.html", {"oob": True}, request)
    return HttpResponse(row + badge)


@login_required
@require_POST
def mark_read(request, pk: int) -> HttpResponse:
    notification = own_notification(request, pk)
    services.mark_read(notification, by=request.user)
    return _row_response(request, notification)


@login_required
@require_POST
def mark_unread(request, pk: int) -> HttpResponse:
    notification = own_notification(request, pk)
    services.mark_unread(notification, by=request.user)
    return _row_response(request, notification)


@login_required
@require_POST
def mark_all_read(request) -> HttpResponse:
    require(request, "notifications.view_inbox")
    count = services.mark_all_read(by=request.user)
    messages.success(request, _("Marked %(count)s notifications read.") % {"count": count})
    return redirect(safe_next(request, "notifications:inbox"))


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def open_notification(request, pk: int) -> HttpResponse:
    """Mark the notification read and follow its link (a link off this site is refused).

    A plain link (GET), so that a notification opens in a new tab and its address can be copied.
    Marking read on a GET is deliberate: it is what opening a message means in every mail
    client, it touches only the caller's own notification (anyone else's is a 404), it is
    idempotent and undone by "Mark unread", and it reveals nothing — so a GET stays safe in the
    sense that matters (a prefetch or a forged link can at worst mark one's own message read).
    POST is kept for the forms that used it."""
    notification = own_notification(request, pk)
    services.mark_read(notification, by=request.user)
    target = local_target(request, notification.url)
    if target is None:
        if notification.url:
            messages.error(request, _("The notification's link leads off this site."))
        return redirect("notifications:inbox")
    return redirect(target)
