"""List endpoints: the shared FilterSets, ``search``, ``ordering``, pagination and a query budget
that does not grow with the number of rows."""

from __future__ import annotations

import pytest

from tests.conftest import api_as
from tests.directory.factories import (
    AssignmentFactory,
    ClientFactory,
    CompetencyFactory,
    ComponentFactory,
    ContactFactory,
    DepartmentFactory,
    EngineerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(users):
    """A service manager: she reads every row, so the lists show what the filters keep (what
    each role reads is tests/core/test_read_scoping.py)."""
    return api_as(users.service_manager)


def _names(response, key: str = "name") -> list:
    assert response.status_code == 200, response.data
    return [item[key] for item in response.data["results"]]


def test_departments_filter_search_ordering(api, department):
    DepartmentFactory(code="dba", name="DBA", description="PostgreSQL and Oracle")
    DepartmentFactory(code="old", name="Old desk", is_active=False)
    assert _names(api.get("/api/v1/departments/?is_active=false")) == ["Old desk"]
    assert _names(api.get("/api/v1/departments/?search=oracle")) == ["DBA"]
    assert _names(api.get("/api/v1/departments/?q=oracle")) == ["DBA"]
    assert _names(api.get("/api/v1/departments/?ordering=-code")) == [
        "Old desk",
        "Network group",
        "DBA",
    ]


def test_engineers_filter_search_ordering(api, users, department):
    unix = DepartmentFactory(code="unix", name="Unix")
    alpha = EngineerFactory(
        department=unix, user=UserFactory(username="alpha", last_name="Aaronson"), position="SRE"
    )
    CompetencyFactory(engineer=alpha, field="unix", level=4)
    CompetencyFactory(engineer=users.tam.engineer, field="unix", level=2)
    CompetencyFactory(engineer=users.tam.engineer, field="network", level=4)

    assert _names(api.get(f"/api/v1/engineers/?department={unix.pk}"), "username") == ["alpha"]
    assert _names(api.get("/api/v1/engineers/?competency=unix&ordering=name"), "username") == [
        "alpha",
        "tam",
    ]
    assert _names(api.get("/api/v1/engineers/?search=aaronson"), "username") == ["alpha"]
    assert _names(api.get("/api/v1/engineers/?ordering=-department"), "username")[0] == "alpha"


def test_clients_filter_search_ordering(api, department):
    ClientFactory(name="Beta", code="B", status="former", tier="premium", notes="big bank")
    ClientFactory(name="Alpha", code="A", status="active", tier="premium")
    gamma = ClientFactory(name="Gamma", code="G", status="active", tier="standard")
    ComponentFactory(client=gamma, department=department)

    assert _names(api.get("/api/v1/clients/?tier=premium")) == ["Alpha", "Beta"]
    assert _names(api.get("/api/v1/clients/?status=active&tier=standard")) == ["Gamma"]
    assert _names(api.get(f"/api/v1/clients/?department={department.pk}")) == ["Gamma"]
    assert _names(api.get("/api/v1/clients/?search=bank")) == ["Beta"]
    assert _names(api.get("/api/v1/clients/?ordering=-name")) == ["Gamma", "Beta", "Alpha"]
    assert _names(api.get("/api/v1/clients/?ordering=status,-name")) == ["Gamma", "Alpha", "Beta"]


def test_contacts_filter_search_ordering(api, tam_client):
    other = ClientFactory(name="Other")
    ContactFactory(client=tam_client, name="Boris", kind="decision_maker", phone="+7 495")
    ContactFactory(client=tam_client, name="Alla", kind="technical", is_active=False)
    ContactFactory(client=other, name="Cyril", kind="technical", messenger="@cyril")

    assert _names(api.get(f"/api/v1/contacts/?client={tam_client.pk}")) == ["Alla", "Boris"]
    assert _names(api.get("/api/v1/contacts/?kind=technical&ordering=-name")) == ["Cyril", "Alla"]
    assert _names(api.get("/api/v1/contacts/?is_active=false")) == ["Alla"]
    assert _names(api.get("/api/v1/contacts/?search=@cyril")) == ["Cyril"]
    assert _names(api.get("/api/v1/contacts/?search=other")) == ["Cyril"]


def test_assignments_filter_search_ordering(api, users, tam_client):
    old = AssignmentFactory(client=tam_client, role="service_manager", user=users.service_manager)
    old.end_on = "2024-06-30"
    old.save()

    def roles(query: str) -> list[str]:
        return _names(api.get(f"/api/v1/account-team-assignments/?{query}"), "role")

    assert roles(f"client={tam_client.pk}&ordering=role") == ["architect", "service_manager", "tam"]
    assert roles("current=true&ordering=-role") == ["tam", "architect"]
    assert roles("current=false") == ["service_manager"]
    assert roles("role=tam") == ["tam"]
    assert roles(f"user={users.architect.pk}") == ["architect"]
    assert roles("search=service_manager") == ["service_manager"]


def test_components_filter_search_ordering(api, tam_client, department):
    backup = DepartmentFactory(code="backup", name="Backup")
    ComponentFactory(client=tam_client, department=backup, kind="backup", name="veeam")
    ComponentFactory(
        client=tam_client, department=department, name="core-sw", identifiers="10.0.0.1"
    )
    ComponentFactory(client=ClientFactory(name="Zeta"), department=department, name="edge")

    assert _names(api.get(f"/api/v1/components/?department={backup.pk}")) == ["veeam"]
    assert _names(api.get("/api/v1/components/?kind=network&ordering=-name")) == ["edge", "core-sw"]
    assert _names(api.get(f"/api/v1/components/?client={tam_client.pk}&ordering=name")) == [
        "core-sw",
        "veeam",
    ]
    assert _names(api.get("/api/v1/components/?search=10.0.0.1")) == ["core-sw"]
    assert _names(api.get("/api/v1/components/?ordering=-client,name")) == [
        "edge",
        "core-sw",
        "veeam",
    ]


def test_pagination(api):
    for number in range(5):
        ClientFactory(name=f"Client {number}")
    first = api.get("/api/v1/clients/?page_size=2")
    assert first.data["count"] == 5
    assert _names(first) == ["Client 0", "Client 1"]
    assert first.data["previous"] is None
    assert first.data["next"].endswith("/api/v1/clients/?page=2&page_size=2")
    last = api.get("/api/v1/clients/?page_size=2&page=3")
    assert _names(last) == ["Client 4"]
    assert last.data["next"] is None


def test_page_past_the_end_is_not_found(api):
    response = api.get("/api/v1/clients/?page=9")
    assert response.status_code == 404
    assert response.data["code"] == "not_found"


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("clients", "ordering=notes"),
        ("clients", "status=gone"),
        ("contacts", "client=999999"),
        ("engineers", "competency=magic"),
        ("components", "kind=toaster"),
    ],
)
def test_invalid_filter_is_a_field_error(api, path, query):
    response = api.get(f"/api/v1/{path}/?{query}")
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert list(response.data["errors"]) == [query.split("=")[0]]


def _populate(users, department, count: int) -> None:
    for number in range(count):
        client = ClientFactory()
        engineer = EngineerFactory(department=department, user=UserFactory(roles=["Engineer"]))
        CompetencyFactory(engineer=engineer, field="unix")
        CompetencyFactory(engineer=engineer, field="network")
        ContactFactory(client=client)
        ComponentFactory(client=client, department=department)
        AssignmentFactory(client=client, user=users.tam, role="tam")
        DepartmentFactory(lead=engineer if number % 2 else None)


@pytest.mark.parametrize(
    ("path", "budget"),
    [
        ("departments", 3),
        ("engineers", 5),
        ("clients", 3),
        ("contacts", 3),
        ("account-team-assignments", 3),
        ("components", 3),
    ],
)
def test_list_query_budget(users, department, django_assert_max_num_queries, path, budget):
    """The user's roles, the count, the page and one query per prefetch (engineers: groups and
    competencies) — whatever the number of rows. As the TAM of every client: the rows are
    scoped by subqueries, not by one query per row."""
    _populate(users, department, 30)
    api = api_as(users.tam)
    with django_assert_max_num_queries(budget):
        response = api.get(f"/api/v1/{path}/")
    assert response.status_code == 200
    assert len(response.data["results"]) >= 30
