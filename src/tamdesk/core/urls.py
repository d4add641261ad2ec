"""Pages of the core app. The home page and the jobs page (a core view given its sections) are
the workspace's (``tamdesk.workspace.urls``)."""

from django.urls import path

from tamdesk.core import views

app_name = "core"
urlpatterns = [
    path("account/api-tokens/", views.ApiTokensPage.as_view(), name="api_tokens"),
    path(
        "account/api-tokens/<int:pk>/revoke/",
        views.ApiTokenRevoke.as_view(),
        name="api_token_revoke",
    ),
]
