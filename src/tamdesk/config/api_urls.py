"""Routes of the REST API, included at ``/api/v1/``. Every route is listed here explicitly."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from tamdesk.directory.api import (
    AccountTeamAssignmentViewSet,
    ClientViewSet,
    ComponentViewSet,
    ContactViewSet,
    DepartmentViewSet,
    EngineerViewSet,
    ObtainTokenView,
)

router = SimpleRouter()
router.register("departments", DepartmentViewSet, basename="department")
router.register("engineers", EngineerViewSet, basename="engineer")
router.register("clients", ClientViewSet, basename="client")
router.register("contacts", ContactViewSet, basename="contact")
router.register(
    "account-team-assignments", AccountTeamAssignmentViewSet, basename="accountteamassignment"
)
router.register("components", ComponentViewSet, basename="component")

app_name = "api"
urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="auth_token"),
    path("", include(router.urls)),
]
