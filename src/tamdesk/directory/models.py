"""The directory: departments, engineers, clients, contacts, account teams and components —
the base every later feature hangs off."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Also imported from here by the forms and by migration 0001.
from tamdesk.calendars.time_zones import time_zone_choices, validate_time_zone  # noqa: F401
from tamdesk.core.models import TimeStampedModel
from tamdesk.directory.choices import (
    AccountRole,
    ClientStatus,
    ClientTier,
    CompetencyField,
    CompetencyLevel,
    ComponentKind,
    ContactKind,
)
from tamdesk.directory.querysets import (
    AccountTeamQuerySet,
    ClientQuerySet,
    ComponentQuerySet,
    ContactQuerySet,
    DepartmentQuerySet,
    EngineerQuerySet,
)

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
    _("Use letters, digits, hyphens and underscores, starting with a letter or digit."),
)


class Department(TimeStampedModel):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        "Engineer",
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_departments",
    )
    queue_email = models.EmailField(_("queue address"), blank=True)
    calendar = models.ForeignKey(
        "calendars.Calendar",
        verbose_name=_("working calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="departments",
        help_text=_("When the department works: its hours, time zone and holidays."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:department_detail", args=[self.pk])


class Engineer(TimeStampedModel):
    """The engineering profile of a user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="engineer",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="engineers",
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Moscow", validators=[validate_time_zone]
    )

    objects = EngineerQuerySet.as_manager()

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__username"]
        verbose_name = _("engineer")
        verbose_name_plural = _("engineers")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    def get_absolute_url(self) -> str:
        return reverse("directory:engineer_detail", args=[self.pk])


def is_engineer_of(user, department_id: int | None = None) -> bool:
    """Whether work may be assigned to ``user``: the assignee rule's one home. Work — an
    incident, a department task — goes to an engineer (a user with an engineer profile); a
    task to an engineer of its department (``department_id``)."""
    engineer = getattr(user, "engineer", None)
    return engineer is not None and department_id in (None, engineer.department_id)


def assignee_refusal(user, department: Department | None = None) -> str | None:
    """Why ``user`` cannot be assigned the work (of ``department``, for a task); None if they
    can be, or if nobody is assigned."""
    if user is None or is_engineer_of(user, department.pk if department else None):
        return None
    person = user.get_full_name() or user.get_username()
    if department is not None:
        return gettext("%(person)s is not an engineer of %(department)s.") % {
            "person": person,
            "department": department.name,
        }
    return gettext("%(person)s is not an engineer.") % {"person": person}


def assignable_people():
    """Who the forms offer to assign work to: the active users ``is_engineer_of`` accepts."""
    return (
        get_user_model()
        .objects.filter(is_active=True, engineer__isnull=False)
        .order_by("last_name", "first_name", "username")
    )


class Competency(models.Model):
    engineer = models.ForeignKey(
        Engineer, verbose_name=_("engineer"), on_delete=models.CASCADE, related_name="competencies"
    )
    field = models.CharField(_("field"), max_length=32, choices=CompetencyField.choices)
    level = models.PositiveSmallIntegerField(
        _("level"), choices=CompetencyLevel.choices, default=CompetencyLevel.WORKING
    )

    class Meta:
        ordering = ["-level", "field"]
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        constraints = [
            models.UniqueConstraint(
                fields=["engineer", "field"], name="competency_unique_field_per_engineer"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=4), name="competency_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_field_display()}: {self.get_level_display()}"


class Client(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.CharField(
        _("short code"), max_length=16, unique=True, validators=[code_validator]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ClientStatus.choices, default=ClientStatus.ONBOARDING
    )
    tier = models.CharField(
        _("tier"), max_length=16, choices=ClientTier.choices, default=ClientTier.STANDARD
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Moscow", validators=[validate_time_zone]
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ClientStatus.values), name="client_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(tier__in=ClientTier.values), name="client_tier_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:client_detail", args=[self.pk])


class Contact(TimeStampedModel):
    """A person on the client's side."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    messenger = models.CharField(_("messenger handle"), max_length=100, blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=ContactKind.choices, default=ContactKind.TECHNICAL
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["client__name", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "email"],
                condition=~Q(email=""),
                name="contact_unique_email_per_client",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ContactKind.values), name="contact_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:contact_detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        self.check_email()

    def check_email(self) -> None:
        """The contact e-mail rule, its one home: two contacts of a client never share an
        address (the constraint ``contact_unique_email_per_client`` is the last line). The
        contact form (through ``clean``) and the API's serializer call it; refused on
        ``email``."""
        if not self.email or self.client_id is None:
            return
        others = Contact.objects.filter(client_id=self.client_id, email=self.email)
        if others.exclude(pk=self.pk).exists():
            raise ValidationError(
                {"email": _("This client already has a contact with this e-mail.")}
            )


class AccountTeamAssignment(TimeStampedModel):
    """Who holds a role on a client's account team, and from when to when.

    History is kept: a new TAM does not overwrite the old one, the old assignment gets an end date.
    """

    client = models.ForeignKey(
        Client,
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="account_assignments",
    )
    role = models.CharField(_("role"), max_length=16, choices=AccountRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="account_assignments",
    )
    start_on = models.DateField(_("start date"), default=timezone.localdate)
    end_on = models.DateField(_("end date"), null=True, blank=True)

    objects = AccountTeamQuerySet.as_manager()

    class Meta:
        ordering = ["client__name", "role", "-start_on"]
        verbose_name = _("account-team assignment")
        verbose_name_plural = _("account-team assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="assignment_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(role__in=AccountRole.values), name="assignment_role_valid"
            ),
            models.UniqueConstraint(
                fields=["client", "role"],
                condition=Q(end_on__isnull=True),
                name="assignment_one_open_per_client_role",
            ),
        ]

    def __str__(self) -> str:
        person = self.user.get_full_name() or self.user.get_username()
        return f"{self.client}: {self.get_role_display()} — {person}"

    def get_absolute_url(self) -> str:
        return reverse("directory:assignment_detail", args=[self.pk])

    def is_current_on(self, day) -> bool:
        return self.start_on <= day and (self.end_on is None or self.end_on >= day)

    @property
    def is_current(self) -> bool:
        return self.is_current_on(timezone.localdate())


class Component(TimeStampedModel):
    """A piece of the client's landscape, owned by a department."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="components"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=ComponentKind.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        related_name="components",
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    identifiers = models.TextField(
        _("identifiers"), blank=True, help_text=_("Host names, addresses, IDs — one per line.")
    )
    url = models.URLField(_("link"), blank=True)

    objects = ComponentQuerySet.as_manager()

    class Meta:
        ordering = ["client__name", "department__name", "name"]
        verbose_name = _("component")
        verbose_name_plural = _("components")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "name"], name="component_unique_name_per_client"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ComponentKind.values), name="component_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:component_detail", args=[self.pk])

    @property
    def identifier_list(self) -> list[str]:
        return [line.strip() for line in self.identifiers.splitlines() if line.strip()]
