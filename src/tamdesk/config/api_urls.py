"""Routes of the REST API, included at ``/api/v1/``. Every route is listed here explicitly."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from tamdesk.calendars.api import CalendarExceptionViewSet, CalendarViewSet
from tamdesk.changes.api import (
    ChangeRequestViewSet,
    ChangeTemplateViewSet,
    DepartmentTaskViewSet,
    TaskDependencyViewSet,
)
from tamdesk.core.jobs_api import JobRunViewSet
from tamdesk.core.tokens_api import ApiTokenViewSet, ObtainTokenView
from tamdesk.directory.api import (
    AccountTeamAssignmentViewSet,
    ClientViewSet,
    ComponentViewSet,
    ContactViewSet,
    DepartmentViewSet,
    EngineerViewSet,
)
from tamdesk.notifications.api import (
    NotificationPreferencesView,
    NotificationViewSet,
    OutboxViewSet,
    WebhookSubscriptionViewSet,
)
from tamdesk.sla.api import IncidentViewSet, SLAPolicyViewSet
from tamdesk.sla.import_api import IncidentImportViewSet
from tamdesk.sla.inbound_api import InboundIncidentsView
from tamdesk.sla.report_api import SLAReportViewSet

router = SimpleRouter()
router.register("departments", DepartmentViewSet, basename="department")
router.register("engineers", EngineerViewSet, basename="engineer")
router.register("clients", ClientViewSet, basename="client")
router.register("contacts", ContactViewSet, basename="contact")
router.register(
    "account-team-assignments", AccountTeamAssignmentViewSet, basename="accountteamassignment"
)
router.register("components", ComponentViewSet, basename="component")
router.register("calendars", CalendarViewSet, basename="calendar")
router.register("calendar-exceptions", CalendarExceptionViewSet, basename="calendarexception")

router.register("notifications", NotificationViewSet, basename="notification")
router.register("outbox", OutboxViewSet, basename="outbox")
router.register("webhook-subscriptions", WebhookSubscriptionViewSet, basename="webhooksubscription")
router.register("job-runs", JobRunViewSet, basename="jobrun")
router.register("auth/tokens", ApiTokenViewSet, basename="apitoken")
router.register("sla-policies", SLAPolicyViewSet, basename="slapolicy")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("incident-imports", IncidentImportViewSet, basename="incidentimport")
router.register("changes", ChangeRequestViewSet, basename="changerequest")
router.register("change-tasks", DepartmentTaskViewSet, basename="departmenttask")
router.register("task-dependencies", TaskDependencyViewSet, basename="taskdependency")
router.register("change-templates", ChangeTemplateViewSet, basename="changetemplate")

app_name = "api"
urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="auth_token"),
    path(
        "notification-preferences/",
        NotificationPreferencesView.as_view(),
        name="notification_preferences",
    ),
    # A report, not a collection of records: its two routes are listed here, outside the router.
    path("sla-report/", SLAReportViewSet.as_view({"get": "list"}), name="slareport-list"),
    path(
        "sla-report/violations/",
        SLAReportViewSet.as_view({"get": "violations"}),
        name="slareport-violations",
    ),
    # A live incident source's webhook, authenticated by the source's token (not a user).
    path(
        "inbound/incidents/<int:id>/",
        InboundIncidentsView.as_view(),
        name="inbound_incidents",
    ),
    path(
        "sla-report/departments/",
        SLAReportViewSet.as_view({"get": "departments"}),
        name="slareport-departments",
    ),
    path("", include(router.urls)),
]
