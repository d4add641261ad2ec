"""Which policy measures an incident (docs/domains/sla.md): the client's own policy version in
force at the opening, else its tier's — so a client whose own policy starts later is measured by
the tier's policy before that date. The incident shows which policy and version and why, on its
page and in the API."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.conftest import api_as
from tests.sla.factories import at, incident, office_calendar, policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def policies(tam_client):
    """The premium tier's policy since January; the client's own from 1 December 2026."""
    tam_client.tier = "premium"
    tam_client.save()
    calendar = office_calendar()
    tier = policy(tier="premium", calendar=calendar, name="Premium tier")
    own = policy(
        client=tam_client,
        calendar=calendar,
        valid_from=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        name="Acme contract",
    )
    return tier, own


def test_before_its_own_policy_starts_the_client_is_measured_by_its_tier(
    tam_client, users, policies
):
    (_tier, tier_version), (_own, own_version) = policies
    before = incident(tam_client, by=users.tam, opened=at(0))  # 23 November
    after = incident(tam_client, by=users.tam, opened=at(0, days=8), title="Later")  # 1 December

    assert (before.policy_version, before.policy_source) == (tier_version, "tier")
    assert (after.policy_version, after.policy_source) == (own_version, "own")


def test_without_any_policy_there_is_no_source(tam_client, users):
    record = incident(tam_client, by=users.tam)
    assert record.policy_version is None and record.policy_source is None


def test_the_api_names_the_policy_the_version_and_why(tam_client, users, policies):
    (tier, tier_version), (own, own_version) = policies
    before = incident(tam_client, by=users.tam, opened=at(0))
    after = incident(tam_client, by=users.tam, opened=at(0, days=8), title="Later")
    api = api_as(users.tam)

    with time_machine.travel(at(1, days=8), tick=False):
        one = api.get(f"/api/v1/incidents/{before.pk}/").json()
        listed = {item["id"]: item for item in api.get("/api/v1/incidents/").json()["results"]}

    assert (one["policy"], one["policy_version"], one["policy_version_number"]) == (
        tier.pk,
        tier_version.pk,
        1,
    )
    assert one["policy_source"] == "tier"
    assert listed[after.pk]["policy"] == own.pk
    assert listed[after.pk]["policy_version"] == own_version.pk
    assert listed[after.pk]["policy_source"] == "own"


def test_the_api_gives_nulls_without_a_policy(tam_client, users):
    record = incident(tam_client, by=users.tam)
    with time_machine.travel(at(1), tick=False):
        data = api_as(users.tam).get(f"/api/v1/incidents/{record.pk}/").json()
    assert (data["policy"], data["policy_version"], data["policy_version_number"]) == (
        None,
        None,
        None,
    )
    assert data["policy_source"] is None


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_page_says_which_policy_and_why(client, users, tam_client, policies, language):
    (_tier, tier_version), (_own, own_version) = policies
    before = incident(tam_client, by=users.tam, opened=at(0))
    after = incident(tam_client, by=users.tam, opened=at(0, days=8), title="Later")
    client.force_login(users.tam)

    with time_machine.travel(at(1, days=8), tick=False):
        headers = {"HTTP_ACCEPT_LANGUAGE": language}
        tier_page = client.get(before.get_absolute_url(), **headers).content.decode()
        own_page = client.get(after.get_absolute_url(), **headers).content.decode()

    assert 'data-policy-source="tier"' in tier_page
    assert tier_version.get_absolute_url() in tier_page
    assert 'data-policy-source="own"' in own_page
    assert own_version.get_absolute_url() in own_page
    if language == "en":
        assert "no policy of its own in force when the incident opened" in tier_page
        assert "The client's own policy." in own_page
