"""Pages of the directory under ``/directory/``; names ``directory:<model>_<action>``."""

from django.urls import path

from tamdesk.directory.views import (
    account_team,
    clients,
    components,
    contacts,
    departments,
    engineers,
    users,
)

app_name = "directory"
urlpatterns = [
    path("users/", users.UserList.as_view(), name="user_list"),
    path("users/new/", users.UserCreate.as_view(), name="user_create"),
    path("users/<int:pk>/", users.UserDetail.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", users.UserUpdate.as_view(), name="user_update"),
    path("clients/", clients.ClientList.as_view(), name="client_list"),
    path("clients/new/", clients.ClientCreate.as_view(), name="client_create"),
    path("clients/<int:pk>/", clients.ClientDetail.as_view(), name="client_detail"),
    path("clients/<int:pk>/edit/", clients.ClientUpdate.as_view(), name="client_update"),
    path("clients/<int:pk>/delete/", clients.ClientDelete.as_view(), name="client_delete"),
    path("contacts/", contacts.ContactList.as_view(), name="contact_list"),
    path("contacts/new/", contacts.ContactCreate.as_view(), name="contact_create"),
    path("contacts/<int:pk>/", contacts.ContactDetail.as_view(), name="contact_detail"),
    path("contacts/<int:pk>/edit/", contacts.ContactUpdate.as_view(), name="contact_update"),
    path("contacts/<int:pk>/delete/", contacts.ContactDelete.as_view(), name="contact_delete"),
    path("components/", components.ComponentList.as_view(), name="component_list"),
    path("components/new/", components.ComponentCreate.as_view(), name="component_create"),
    path("components/<int:pk>/", components.ComponentDetail.as_view(), name="component_detail"),
    path(
        "components/<int:pk>/edit/", components.ComponentUpdate.as_view(), name="component_update"
    ),
    path(
        "components/<int:pk>/delete/",
        components.ComponentDelete.as_view(),
        name="component_delete",
    ),
    path("account-team/", account_team.AssignmentList.as_view(), name="assignment_list"),
    path("account-team/new/", account_team.AssignmentCreate.as_view(), name="assignment_create"),
    path(
        "account-team/<int:pk>/",
        account_team.AssignmentDetail.as_view(),
        name="assignment_detail",
    ),
    path(
        "account-team/<int:pk>/edit/",
        account_team.AssignmentUpdate.as_view(),
        name="assignment_update",
    ),
    path(
        "account-team/<int:pk>/delete/",
        account_team.AssignmentDelete.as_view(),
        name="assignment_delete",
    ),
    path("departments/", departments.DepartmentList.as_view(), name="department_list"),
    path("departments/new/", departments.DepartmentCreate.as_view(), name="department_create"),
    path("departments/<int:pk>/", departments.DepartmentDetail.as_view(), name="department_detail"),
    path(
        "departments/<int:pk>/edit/",
        departments.DepartmentUpdate.as_view(),
        name="department_update",
    ),
    path(
        "departments/<int:pk>/delete/",
        departments.DepartmentDelete.as_view(),
        name="department_delete",
    ),
    path("engineers/", engineers.EngineerList.as_view(), name="engineer_list"),
    path("engineers/new/", engineers.EngineerCreate.as_view(), name="engineer_create"),
    path("engineers/<int:pk>/", engineers.EngineerDetail.as_view(), name="engineer_detail"),
    path("engineers/<int:pk>/edit/", engineers.EngineerUpdate.as_view(), name="engineer_update"),
    path("engineers/<int:pk>/delete/", engineers.EngineerDelete.as_view(), name="engineer_delete"),
]
