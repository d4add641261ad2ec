"""The SLA rules, role by role: everyone with a role reads policies and incidents; administrators
and service managers manage policies; the people who work incidents open them and record their
events; nobody deletes an incident."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from tamdesk.sla.imports import inbound
from tamdesk.sla.models import IncidentSource, MonthlyReport, OLATarget
from tests.sla.factories import incident, policy
from tests.support import ROLES

pytestmark = pytest.mark.django_db

READERS = set(ROLES) - {"norole"}
POLICY_MANAGERS = {"admin", "administrator", "service_manager"}
INCIDENT_WORKERS = {"admin", "administrator", "service_manager", "tam", "other_tam", "lead"}
INCIDENT_WORKERS |= {"engineer"}
OLA_READERS = POLICY_MANAGERS | {"lead"}


SOURCE_MANAGERS = {"admin", "administrator", "service_manager"}


@pytest.fixture
def records(users, tam_client):
    sla, _version = policy(client=tam_client)
    return sla, incident(tam_client, by=users.tam)


@pytest.mark.parametrize("role", ROLES)
def test_rules(users, records, role):
    user = getattr(users, role)
    sla, web = records

    assert user.has_perm("sla.view_slapolicy", sla) is (role in READERS)
    assert user.has_perm("sla.view_incident", web) is (role in READERS)
    for verb in ("add", "change", "delete"):
        assert user.has_perm(f"sla.{verb}_slapolicy", sla) is (role in POLICY_MANAGERS), verb
    assert user.has_perm("sla.add_incident") is (role in INCIDENT_WORKERS)
    assert user.has_perm("sla.change_incident", web) is (role in INCIDENT_WORKERS)
    # A TAM works the incidents of every client, not only their own (other_tam).
    # Nobody deletes an incident (a superuser holds every permission, but neither the pages
    # nor the API offer a deletion).
    assert user.has_perm("sla.delete_incident", web) is (role == "admin")


@pytest.mark.parametrize("role", ROLES)
def test_live_source_rules(users, role):
    user = getattr(users, role)
    source = IncidentSource(name="Live", preset="servicenow")
    inbound.create_source(source, by=users.service_manager)

    for verb in ("view", "add", "change"):
        assert user.has_perm(f"sla.{verb}_incidentsource", source) is (role in SOURCE_MANAGERS)
    assert user.has_perm("sla.view_inbounddelivery") is (role in SOURCE_MANAGERS)
    # A source is deactivated, never deleted; its deliveries are written by the webhook only.
    assert user.has_perm("sla.delete_incidentsource", source) is (role == "admin")
    assert user.has_perm("sla.change_inbounddelivery") is (role == "admin")
    visible = IncidentSource.objects.visible_to(user)
    assert list(visible) == ([source] if role in SOURCE_MANAGERS else [])


@pytest.mark.parametrize("role", ROLES)
def test_ola_target_rules(users, department, role):
    user = getattr(users, role)
    target = OLATarget.objects.create(department=department, priority="p1", target_seconds=3600)

    assert user.has_perm("sla.view_olatarget", target) is (role in OLA_READERS)
    for verb in ("add", "change", "delete"):
        assert user.has_perm(f"sla.{verb}_olatarget", target) is (role in POLICY_MANAGERS), verb
    readable = OLATarget.objects.visible_to(user).filter(pk=target.pk).exists()
    assert readable is (role in OLA_READERS)


def test_anonymous_has_no_sla_permission(records):
    sla, web = records
    anonymous = AnonymousUser()

    assert not anonymous.has_perm("sla.view_slapolicy", sla)
    assert not anonymous.has_perm("sla.view_incident", web)
    assert not anonymous.has_perm("sla.add_incident")


# --- monthly client reports ------------------------------------------------------------------
MONTHLY_GENERATORS = {"admin", "administrator", "service_manager", "tam"}
MONTHLY_SENDERS = {"admin", "service_manager", "tam"}


@pytest.mark.parametrize("role", ROLES)
def test_monthly_report_rules(users, tam_client, role):
    user = getattr(users, role)
    report = MonthlyReport(client=tam_client, month=dt.date(2026, 10, 1))

    assert user.has_perm("sla.view_monthlyreport", report) is (role in READERS)
    assert user.has_perm("sla.add_monthlyreport", tam_client) is (role in MONTHLY_GENERATORS)
    assert user.has_perm("sla.change_monthlyreport", report) is (role in MONTHLY_SENDERS)
    # other_tam is a TAM, of other clients: a client of their own, yes; Acme, no.
    assert user.has_perm("sla.add_monthlyreport") is (role in MONTHLY_GENERATORS | {"other_tam"})
    assert user.has_perm("sla.delete_monthlyreport", report) is (role == "admin")
