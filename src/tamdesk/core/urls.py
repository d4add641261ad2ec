from django.urls import path

from tamdesk.core import views

app_name = "core"
urlpatterns = [
    path("", views.healthz, name="home"),
]
