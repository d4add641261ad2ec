"""Small query helpers shared by the directory pages."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_of(queryset: models.QuerySet, field: str) -> Coalesce:
    """An annotation counting the rows of ``queryset`` whose ``field`` points at the outer row
    (a subquery, so that several counts on one list do not multiply each other's joins)."""
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), 0)
