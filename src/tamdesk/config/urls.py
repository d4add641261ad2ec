from django.contrib.auth import views as auth_views
from django.urls import include, path

from tamdesk.core import views as core_views
from tamdesk.core.api_docs import ApiDocsView, ApiSchemaView

# The API answers its errors in its own shape, the pages with HTML (tamdesk.core.api).
handler400 = "tamdesk.core.api.bad_request"
handler403 = "tamdesk.core.api.permission_denied"
handler404 = "tamdesk.core.api.page_not_found"
# The 500 page offers home and the language switch; under /api/ it answers in the API shape.
handler500 = "tamdesk.core.views.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The home page and the background jobs page, composed by the workspace.
    path("", include("tamdesk.workspace.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        core_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("api/schema/", ApiSchemaView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("tamdesk.config.api_urls")),
    path("directory/", include("tamdesk.directory.urls")),
    path("calendars/", include("tamdesk.calendars.urls")),
    path("notifications/", include("tamdesk.notifications.urls")),
    path("sla/", include("tamdesk.sla.urls")),
    path("changes/", include("tamdesk.changes.urls")),
    path("", include("tamdesk.core.urls")),
]
