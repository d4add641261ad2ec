"""Pages of the core app. The home page belongs to the directory (core must not import it), so
``config/urls.py`` maps ``/`` to ``tamdesk.directory.views.home.home``."""

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
