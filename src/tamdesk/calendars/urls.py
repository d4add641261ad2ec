"""Pages of the calendars under ``/calendars/``; names ``calendars:<model>_<action>``."""

from django.urls import path

from tamdesk.calendars import views

app_name = "calendars"
urlpatterns = [
    path("", views.CalendarList.as_view(), name="calendar_list"),
    path("new/", views.CalendarCreate.as_view(), name="calendar_create"),
    path("<int:pk>/", views.CalendarDetail.as_view(), name="calendar_detail"),
    path("<int:pk>/edit/", views.CalendarUpdate.as_view(), name="calendar_update"),
    path("<int:pk>/delete/", views.CalendarDelete.as_view(), name="calendar_delete"),
    path("<int:pk>/hours/", views.CalendarHours.as_view(), name="calendar_hours"),
    path(
        "<int:pk>/import-holidays/",
        views.CalendarImportHolidays.as_view(),
        name="calendar_import_holidays",
    ),
    path("exceptions/", views.ExceptionList.as_view(), name="exception_list"),
    path("exceptions/new/", views.ExceptionCreate.as_view(), name="exception_create"),
    path("exceptions/<int:pk>/edit/", views.ExceptionUpdate.as_view(), name="exception_update"),
    path("exceptions/<int:pk>/delete/", views.ExceptionDelete.as_view(), name="exception_delete"),
]
