"""Which rows the demo loader created, so that ``tamdesk demo --reset`` deletes exactly those."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoRecord(models.Model):
    """A department, user or client created by the demo loader.

    Only these roots are recorded: the rows that hang off them (engineer profiles, competencies,
    contacts, components, account-team assignments) belong to the demo through them.
    """

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("type"), on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("object ID"))

    class Meta:
        verbose_name = _("demo record")
        verbose_name_plural = _("demo records")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="demo_record_unique_object"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.content_type.app_label}.{self.content_type.model} #{self.object_id}"
