from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClientStatus(models.TextChoices):
    ONBOARDING = "onboarding", _("Onboarding")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    FORMER = "former", _("Former")


class ClientTier(models.TextChoices):
    STANDARD = "standard", _("Standard")
    BUSINESS = "business", _("Business")
    PREMIUM = "premium", _("Premium")
    STRATEGIC = "strategic", _("Strategic")


class ContactKind(models.TextChoices):
    TECHNICAL = "technical", _("Technical specialist")
    DECISION_MAKER = "decision_maker", _("Decision-maker")
    OTHER = "other", _("Other")


class AccountRole(models.TextChoices):
    TAM = "tam", _("TAM")
    BACKUP_TAM = "backup_tam", _("Backup TAM")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    ARCHITECT = "architect", _("Architect")


class ComponentKind(models.TextChoices):
    NETWORK = "network", _("Network")
    VIRTUAL_RESOURCES = "virtual_resources", _("Virtual resources")
    OS = "os", _("Operating system")
    WEB_SERVER = "web_server", _("Web server")
    APPLICATION_RUNTIME = "application_runtime", _("Application runtime")
    DATABASE = "database", _("Database")
    BACKUP = "backup", _("Backup")
    SECURITY = "security", _("Security")
    MONITORING = "monitoring", _("Monitoring")
    OTHER = "other", _("Other")


class CompetencyField(models.TextChoices):
    NETWORK = "network", _("Networking")
    VIRTUALIZATION = "virtualization", _("Virtualization")
    UNIX = "unix", _("Unix / Linux")
    WINDOWS = "windows", _("Microsoft / Windows")
    DATABASE = "database", _("Databases")
    BACKUP = "backup", _("Backup and storage")
    SECURITY = "security", _("Information security")
    MONITORING = "monitoring", _("Monitoring")
    WEB = "web", _("Web servers and applications")
    DEVELOPMENT = "development", _("Software development")
    DATACENTER = "datacenter", _("Data-center engineering")
    ARCHITECTURE = "architecture", _("Solution architecture")
    SUPPORT = "support", _("Technical support")


class CompetencyLevel(models.IntegerChoices):
    BASIC = 1, _("Basic")
    WORKING = 2, _("Working")
    ADVANCED = 3, _("Advanced")
    EXPERT = 4, _("Expert")
