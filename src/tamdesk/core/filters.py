"""Helpers for the domains' FilterSets, and the FilterSet of the core's own job runs."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tamdesk.core.jobs import PERIODIC_JOBS
from tamdesk.core.models import JobRun, JobRunOutcome


def text_search(fields: list[str]):
    """A ``CharFilter`` method: rows where any of ``fields`` contains the text (any case)."""

    def method(queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition).distinct()

    return method


def _job_name_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(PERIODIC_JOBS)]


class JobRunFilter(django_filters.FilterSet):
    """Runs of the periodic jobs: the jobs page and ``/api/v1/job-runs/``."""

    name = django_filters.ChoiceFilter(label=_("Job"), choices=_job_name_choices)
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=JobRunOutcome.choices)
    ordering = django_filters.OrderingFilter(
        fields=(("started_at", "started_at"), ("name", "name"), ("outcome", "outcome")),
        field_labels={"started_at": _("Started"), "name": _("Job"), "outcome": _("Outcome")},
    )

    class Meta:
        model = JobRun
        fields = ["name", "outcome"]
