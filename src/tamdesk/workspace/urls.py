"""The pages the workspace composes from the domains: the home page of every role and the
background jobs page (a core page, given its sections here)."""

from django.urls import path

from tamdesk.core.views import JobsPage
from tamdesk.workspace import views
from tamdesk.workspace.sections import JOBS_PAGE_SECTIONS

urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/", JobsPage.as_view(sections=JOBS_PAGE_SECTIONS), name="jobs"),
]
