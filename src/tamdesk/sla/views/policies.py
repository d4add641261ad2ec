"""SLA policy pages: the list, a policy with every version and which one is in force, creating
a policy with its first version's terms, a new version, editing the name, deleting an unused
policy. Writes go through ``tamdesk.sla.services``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tamdesk.core import ui
from tamdesk.sla import services
from tamdesk.sla.choices import IncidentStatus
from tamdesk.sla.filters import SLAPolicyFilter
from tamdesk.sla.forms import PolicyCreateForm, PolicyEditForm, PolicyTermsForm
from tamdesk.sla.models import SLAPolicy, SLAPolicyVersion, SLATarget
from tamdesk.sla.views.common import ViewerTimeZoneMixin

POLICY_FORM_TEMPLATE = "sla/policy_form.html"


def in_force(versions: Iterable[SLAPolicyVersion], at: dt.datetime) -> SLAPolicyVersion | None:
    """The version in force at ``at`` among ``versions`` (already fetched)."""
    for version in versions:
        if version.valid_from <= at and (version.valid_until is None or at < version.valid_until):
            return version
    return None


def version_state(version, current, now: dt.datetime) -> str:
    """``in_force``, ``ended`` or ``future``."""
    if version == current:
        return "in_force"
    return "future" if version.valid_from > now else "ended"


def status_labels(statuses) -> list[str]:
    return [IncidentStatus(status).label for status in statuses]


class PolicyViews(ViewerTimeZoneMixin):
    model = SLAPolicy
    route = "sla:policy"

    def get_queryset(self):
        return super().get_queryset().select_related("client")


class PolicyList(PolicyViews, ui.ObjectListView):
    title = gettext_lazy("SLA policies")
    filterset_class = SLAPolicyFilter
    table_template = "sla/partials/_policy_table.html"

    def get_queryset(self):
        versions = SLAPolicyVersion.objects.select_related("calendar").order_by("-number")
        return (
            super()
            .get_queryset()
            .prefetch_related(Prefetch("versions", queryset=versions))
            .annotate(version_count=Count("versions"))
            .order_by("name")  # Meta.ordering does not apply to an aggregating query
        )

    def render(self, context, template=None, status=200):
        now = timezone.now()
        context["rows"] = [
            (policy, in_force(policy.versions.all(), now)) for policy in context["page_obj"]
        ]
        return super().render(context, template, status)


class PolicyDetail(PolicyViews, ui.ObjectDetailView):
    """Every version with its terms, the one in force marked."""

    template_name = "sla/policy_detail.html"

    def get_extra_context(self, obj):
        versions = list(
            obj.versions.select_related("calendar", "created_by")
            .prefetch_related("targets")
            .annotate(incident_count=Count("incidents"))
            .order_by("-number")
        )
        now = timezone.now()
        current = in_force(versions, now)
        return {
            "policy": obj,
            "versions": [
                {
                    "version": version,
                    "state": version_state(version, current, now),
                    "reaction_pauses": status_labels(version.reaction_pause_statuses),
                    "resolution_pauses": status_labels(version.resolution_pause_statuses),
                }
                for version in versions
            ],
            "current": current,
            "incident_count": sum(version.incident_count for version in versions),
            "version_create_url": self.url("version_create", obj),
            "history_related": [obj.versions.all(), SLATarget.objects.filter(version__policy=obj)],
        }


class PolicyCreate(PolicyViews, ui.ObjectCreateView):
    title = gettext_lazy("New SLA policy")
    form_class = PolicyCreateForm
    template_name = POLICY_FORM_TEMPLATE

    def get_initial(self, parent):
        return {
            **super().get_initial(parent),
            "valid_from": timezone.localtime().replace(second=0, microsecond=0),
        }

    def save(self, form):
        return services.create_policy(**form.service_arguments(), by=self.request.user)


class PolicyUpdate(PolicyViews, ui.ObjectUpdateView):
    """The name and description; the terms change with a new version."""

    form_class = PolicyEditForm


class PolicyVersionCreate(PolicyViews, ui.ObjectUpdateView):
    """New terms from a moment on (``services.add_policy_version``), starting from the terms in
    force; incidents opened before keep theirs."""

    form_class = PolicyTermsForm
    template_name = POLICY_FORM_TEMPLATE

    def make_form(self, obj=None, **kwargs):
        form = super().make_form(
            obj,
            initial={"valid_from": timezone.localtime().replace(second=0, microsecond=0)},
            **kwargs,
        )
        current = (
            obj.versions.prefetch_related("targets").order_by("-number").first() if obj else None
        )
        form.initial_from(current)
        return form

    def save(self, form):
        version = services.add_policy_version(form.instance, **form.terms(), by=self.request.user)
        return version

    def render_form(self, form, obj, cancel_url):
        response = super().render_form(form, obj, cancel_url)
        response.context_data["title"] = _("New version of “%(object)s”") % {"object": obj}
        return response


class PolicyDelete(PolicyViews, ui.ObjectDeleteView):
    """Refused (``policy_in_use``) while incidents are measured by the policy."""

    def perform_delete(self, obj):
        services.delete_policy(obj, by=self.request.user)
