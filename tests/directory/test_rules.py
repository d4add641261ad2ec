"""One home per rule in the directory: the contact e-mail rule (``Contact.check_email``) — the
page, the API and the model refuse a second contact of a client with the same address with one
message, on the field ``email`` — and the assignee rule (``is_engineer_of``,
``assignee_refusal``): work goes to engineers, a task to one of its department, on every path."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tamdesk.changes.forms import TaskEditForm, TaskForm
from tamdesk.changes.models import DepartmentTask
from tamdesk.core.exceptions import DomainError
from tamdesk.directory.models import Contact, assignable_people, assignee_refusal, is_engineer_of
from tamdesk.sla.forms import IncidentOpenForm
from tamdesk.sla.models import Incident
from tests.changes.factories import change, task
from tests.conftest import api_as
from tests.directory.factories import ContactFactory, DepartmentFactory, EngineerFactory
from tests.directory.test_views_forms import contact_data

pytestmark = pytest.mark.django_db


def test_the_page_the_api_and_the_model_refuse_a_taken_email_with_one_message(
    client, users, tam_client
):
    taken = ContactFactory(client=tam_client, email="jane@acme.example")
    with pytest.raises(ValidationError) as refusal:
        Contact(client=tam_client, name="Jane again", email=taken.email).full_clean()
    (message,) = refusal.value.message_dict["email"]
    client.force_login(users.tam)

    form = client.post("/directory/contacts/new/", contact_data(tam_client.pk)).context["form"]
    answer = api_as(users.tam).post(
        "/api/v1/contacts/",
        {"client": tam_client.pk, "name": "Jane again", "email": taken.email},
        format="json",
    )

    assert message == "This client already has a contact with this e-mail."
    assert form.errors["email"] == [message]
    assert answer.status_code == 400 and answer.json()["code"] == "invalid"
    assert answer.json()["errors"]["email"] == [message]
    assert Contact.objects.count() == 1


def test_a_contact_keeps_its_own_email_and_another_client_may_share_it(users, tam_client):
    own = ContactFactory(client=tam_client, email="jane@acme.example")
    elsewhere = ContactFactory(email="jane@acme.example")

    own.full_clean()
    elsewhere.full_clean()
    answer = api_as(users.tam).patch(
        f"/api/v1/contacts/{own.pk}/", {"email": "jane@acme.example"}, format="json"
    )

    assert answer.status_code == 200


# --- the assignee rule ---------------------------------------------------------------------------


@pytest.fixture
def vmware(db):
    return DepartmentFactory(code="vmware", name="VMware virtualization")


def test_the_pickers_offer_exactly_the_people_the_rule_accepts(users, vmware):
    EngineerFactory(department=vmware, user__username="retired", user__is_active=False)
    offered = list(assignable_people())
    pickers = [
        TaskForm().fields["assignee"].queryset,
        TaskEditForm.base_fields["assignee"].queryset,
        IncidentOpenForm().fields["assignee"].queryset,
    ]

    assert offered and all(is_engineer_of(user) and user.is_active for user in offered)
    assert users.administrator not in offered  # no engineer profile
    for queryset in pickers:
        assert list(queryset) == offered


@pytest.mark.parametrize(
    ("who", "where", "refused"),
    [
        ("engineer", "network", False),
        ("engineer", "vmware", True),  # an engineer, of another department
        ("administrator", "network", True),  # no engineer profile
    ],
)
def test_a_task_assignee_is_refused_with_one_message_by_the_service_the_model_and_the_api(
    who, where, refused, users, tam_client, department, vmware
):
    person, team = getattr(users, who), {"network": department, "vmware": vmware}[where]
    web = change(tam_client, by=users.tam)
    message = assignee_refusal(person, team)
    answer = api_as(users.tam).post(
        "/api/v1/change-tasks/",
        {"change": web.pk, "department": team.pk, "title": "VMs", "estimate_hours": "4",
         "assignee": person.pk},
        format="json",
    )  # fmt: skip

    assert (message is not None) == refused
    if refused:
        with pytest.raises(DomainError) as refusal:
            task(web, team, by=users.tam, assignee=person)
        with pytest.raises(ValidationError) as invalid:
            DepartmentTask(change=web, department=team, assignee=person).clean()
        assert (refusal.value.code, refusal.value.message) == ("invalid_assignee", message)
        assert invalid.value.message_dict == {"assignee": [message]}
        assert (answer.json()["code"], answer.json()["errors"]) == (
            "invalid_assignee",
            {"assignee": [message]},
        )
    else:
        assert answer.status_code == 201


def test_an_incident_goes_to_an_engineer_on_every_path(users, tam_client):
    message = assignee_refusal(users.administrator)
    api = api_as(users.tam)
    opening = {"client": tam_client.pk, "title": "Mail relay", "priority": "p3"}

    refused = api.post("/api/v1/incidents/", {**opening, "assignee": users.administrator.pk})
    opened = api.post("/api/v1/incidents/", {**opening, "assignee": users.engineer.pk})
    reassigned = api.post(
        f"/api/v1/incidents/{opened.json()['id']}/events/",
        {"kind": "reassigned", "assignee": users.administrator.pk},
        format="json",
    )

    assert message == f"{users.administrator.get_full_name()} is not an engineer."
    assert (refused.json()["code"], refused.json()["errors"]) == (
        "invalid_assignee",
        {"assignee": [message]},
    )
    assert opened.status_code == 201
    assert reassigned.json()["code"] == "invalid_assignee"
    assert message in str(reassigned.json()["errors"])
    assert Incident.objects.get().assignee == users.engineer
