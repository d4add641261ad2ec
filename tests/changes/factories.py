"""Factories and builders for the changes tests."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import factory

from tamdesk.changes import services
from tamdesk.changes.models import ChangeRequest, DepartmentTask, TaskDependency
from tests.directory.factories import ClientFactory, DepartmentFactory, UserFactory

UTC = dt.UTC
#: Monday 2026-11-23 09:00 UTC: the default calendar (09:00–18:00 Mon–Fri, TIME_ZONE UTC) opens.
MON_0900 = dt.datetime(2026, 11, 23, 9, tzinfo=UTC)


def at(hours: float, days: int = 0) -> dt.datetime:
    """``hours`` after Monday 09:00 UTC."""
    return MON_0900 + dt.timedelta(days=days, hours=hours)


class ChangeRequestFactory(factory.django.DjangoModelFactory):
    """A change written directly (no service): for model and permission tests."""

    class Meta:
        model = ChangeRequest

    client = factory.SubFactory(ClientFactory)
    title = factory.Sequence(lambda n: f"Change {n}")
    owner = factory.SubFactory(UserFactory)


class DepartmentTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DepartmentTask

    change = factory.SubFactory(ChangeRequestFactory)
    department = factory.SubFactory(DepartmentFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    estimate_hours = Decimal("4")


class TaskDependencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskDependency

    predecessor = factory.SubFactory(DepartmentTaskFactory)
    successor = factory.SubFactory(
        DepartmentTaskFactory, change=factory.SelfAttribute("..predecessor.change")
    )


def change(client, *, by, now=MON_0900, **kwargs) -> ChangeRequest:
    """A change opened through the service, titled "Web landscape" unless told."""
    return services.create_change(
        client=client, title=kwargs.pop("title", "Web landscape"), by=by, now=now, **kwargs
    )


def task(change, department, *, by, hours="4", now=MON_0900, **kwargs) -> DepartmentTask:
    return services.add_task(
        change,
        department=department,
        title=kwargs.pop("title", f"{department.code} work"),
        estimate_hours=Decimal(hours),
        by=by,
        now=now,
        **kwargs,
    )


def chain(*tasks, by, now=MON_0900) -> None:
    """Finish-to-start dependencies along ``tasks``."""
    for first, second in itertools.pairwise(tasks):
        services.add_dependency(predecessor=first, successor=second, by=by, now=now)
