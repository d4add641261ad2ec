"""List pages: search, filters, sorting, 25 rows a page, the htmx fragment, a bounded number of
queries whatever the number of rows."""

from __future__ import annotations

import pytest

from tests.directory.factories import (
    AssignmentFactory,
    ClientFactory,
    CompetencyFactory,
    ComponentFactory,
    ContactFactory,
    DepartmentFactory,
    EngineerFactory,
)

pytestmark = pytest.mark.django_db
LISTS = [
    "/directory/clients/",
    "/directory/contacts/",
    "/directory/components/",
    "/directory/account-team/",
    "/directory/departments/",
    "/directory/engineers/",
]


@pytest.fixture
def many(users, department):
    """30 clients, each with a TAM, two contacts and two components; 30 engineers with
    competencies in 30 departments."""
    for number in range(30):
        other_department = DepartmentFactory(name=f"Department {number:02d}")
        engineer = EngineerFactory(department=other_department)
        CompetencyFactory(engineer=engineer, field="unix")
        client = ClientFactory(name=f"Client {number:02d}", status="active")
        AssignmentFactory(client=client, user=users.tam, role="tam")
        ContactFactory.create_batch(2, client=client)
        ComponentFactory(client=client, department=department)
        ComponentFactory(client=client, department=other_department)


@pytest.mark.parametrize("url", LISTS)
def test_list_query_count_does_not_grow_with_the_rows(
    client, users, many, url, django_assert_max_num_queries
):
    client.force_login(users.tam)

    with django_assert_max_num_queries(10):
        response = client.get(url)

    assert response.status_code == 200
    assert 'rel="next"' in response.content.decode()  # more than one page


def test_htmx_request_gets_only_the_table(client, users, many):
    client.force_login(users.tam)

    response = client.get("/directory/clients/?q=Client+1", HTTP_HX_REQUEST="true")

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'id="list-filter"' not in content
    assert "<table" in content
    assert "Client 10" in content
    assert "Client 02" not in content
    assert "HX-Request" in response["Vary"]


def test_full_page_includes_the_filter_form_and_the_table(client, users, many):
    client.force_login(users.tam)

    response = client.get("/directory/clients/")

    content = response.content.decode()
    assert "<html" in content
    assert 'id="list-filter"' in content
    assert 'hx-get="/directory/clients/"' in content
    assert 'hx-push-url="true"' in content
    assert 'id="list-results"' in content


def test_pages_have_25_rows(client, users, many):
    client.force_login(users.tam)

    first = client.get("/directory/clients/").context["page_obj"]
    second = client.get("/directory/clients/?page=2").context["page_obj"]

    assert len(first.object_list) == 25
    assert [c.name for c in second.object_list] == [f"Client {n:02d}" for n in range(25, 30)]


def test_search_filter_and_sort(client, users, many, tam_client):
    tam_client.status = "suspended"
    tam_client.save()
    client.force_login(users.tam)

    found = client.get("/directory/clients/?q=acme").context["page_obj"].object_list
    suspended = client.get("/directory/clients/?status=suspended").context["page_obj"]
    descending = client.get("/directory/clients/?ordering=-name").context["page_obj"]

    assert [c.name for c in found] == ["Acme Retail"]
    assert [c.name for c in suspended.object_list] == ["Acme Retail"]
    assert descending.object_list[0].name == "Client 29"


def test_sort_header_toggles_the_direction_and_keeps_the_filters(client, users, many):
    client.force_login(users.tam)

    content = client.get("/directory/clients/?status=active&ordering=name&page=2").content.decode()

    assert 'aria-sort="ascending"' in content
    assert 'href="/directory/clients/?status=active&amp;ordering=-name"' in content
    assert 'href="/directory/clients/?status=active&amp;ordering=code"' in content
    # The current ordering travels with the filter form.
    assert '<input type="hidden" name="ordering" value="name" form="list-filter">' in content


def test_invalid_filter_value_is_ignored_not_an_error(client, users, many):
    client.force_login(users.tam)

    response = client.get("/directory/clients/?status=nonsense&page=abc")

    assert response.status_code == 200
    assert response.context["page_obj"].number == 1


def test_filter_selects_start_with_any(client, users, many):
    client.force_login(users.tam)

    content = client.get("/directory/contacts/").content.decode()

    assert '<option value="" selected>Any</option>' in content
    assert '<option value="unknown" selected>Any</option>' in content
    assert "---------" not in content


def test_competency_filter_on_engineers(client, users, many):
    client.force_login(users.tam)

    page = client.get("/directory/engineers/?competency=unix").context["page_obj"]

    assert page.paginator.count == 30
