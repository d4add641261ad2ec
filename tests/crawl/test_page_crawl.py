"""The page crawl: every page of the URL conf, as every demo account, in English and in Russian,
over the demo organisation with data in every state (see ``conftest.py``).

A page fails on a server error (5xx), on an English text of the catalogue left untranslated on a
Russian page, on a number with a decimal comma in an SVG or ``data-`` attribute, and on a title or
main heading starting in lower case.

``PAGES`` lists every URL name of the HTML site with how to fill its path: a new URL name that is
not listed fails ``test_every_url_name_is_crawled``, so a new page cannot be skipped. The JSON API
(``/api/v1/``) is not crawled here: the schema fuzzing covers it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tamdesk.calendars.models import Calendar, CalendarException
from tamdesk.changes.models import ChangeRequest, DepartmentTask, TaskDependency
from tamdesk.core.models import ApiToken
from tamdesk.directory.models import (
    AccountTeamAssignment,
    Client,
    Component,
    Contact,
    Department,
    Engineer,
)
from tamdesk.notifications.models import Notification, WebhookSubscription
from tamdesk.sla.models import (
    Incident,
    IncidentImport,
    IncidentSource,
    MonthlyReport,
    OLATarget,
    SLAPolicy,
)
from tests.crawl.conftest import DEMO_ACCOUNTS
from tests.crawl.markup import lower_case_headings, read_page
from tests.crawl.untranslated import untranslated_texts

pytestmark = pytest.mark.django_db
User = get_user_model()

API_PREFIX = "api/v1/"
LANGUAGES = ("en", "ru")
#: Pages that are not ours to translate (the third-party API explorer, machine formats).
NOT_TRANSLATED = {"healthz", "api-schema", "api-docs"}

Kwargs = dict[str, object]


def none() -> list[Kwargs]:
    return [{}]


def first(model, **lookup) -> Callable[[], list[Kwargs]]:
    """The first row of ``model`` (matching ``lookup``)."""

    def fill() -> list[Kwargs]:
        row = model.objects.filter(**lookup).order_by("pk").first()
        assert row is not None, f"the demo has no {model.__name__} {lookup}"
        return [{"pk": row.pk}]

    return fill


def every(model) -> Callable[[], list[Kwargs]]:
    """Every row of ``model``: its page in every state the demo has."""

    def fill() -> list[Kwargs]:
        pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
        assert pks, f"the demo has no {model.__name__}"
        return [{"pk": pk} for pk in pks]

    return fill


def task_action() -> list[Kwargs]:
    task = DepartmentTask.objects.order_by("pk").first()
    return [{"pk": task.pk, "action": "start"}]


#: Every URL name of the site and how to fill its path (``none`` for none). POST-only URLs are
#: requested too: a GET must answer 405, never 5xx.
PAGES: dict[str, Callable[[], list[Kwargs]]] = {
    "healthz": none,
    "set_language": none,
    "home": none,
    "login": none,
    "logout": none,
    "password_change": none,
    "password_change_done": none,
    "api-schema": none,
    "api-docs": none,
    "jobs": none,
    "core:api_tokens": none,
    "core:api_token_revoke": first(ApiToken),
    # directory
    "directory:user_list": none,
    "directory:user_create": none,
    "directory:user_detail": first(User, username="tam"),
    "directory:user_update": first(User, username="tam"),
    "directory:client_list": none,
    "directory:client_create": none,
    "directory:client_detail": first(Client, account_assignments__user__username="tam"),
    "directory:client_update": first(Client, account_assignments__user__username="tam"),
    "directory:client_delete": first(Client, account_assignments__user__username="tam"),
    "directory:contact_list": none,
    "directory:contact_create": none,
    "directory:contact_detail": first(Contact),
    "directory:contact_update": first(Contact),
    "directory:contact_delete": first(Contact),
    "directory:component_list": none,
    "directory:component_create": none,
    "directory:component_detail": first(Component),
    "directory:component_update": first(Component),
    "directory:component_delete": first(Component),
    "directory:assignment_list": none,
    "directory:assignment_create": none,
    "directory:assignment_detail": first(AccountTeamAssignment),
    "directory:assignment_update": first(AccountTeamAssignment),
    "directory:assignment_delete": first(AccountTeamAssignment),
    "directory:department_list": none,
    "directory:department_create": none,
    "directory:department_detail": first(Department, code="unix"),
    "directory:department_update": first(Department, code="unix"),
    "directory:department_delete": first(Department, code="unix"),
    "directory:engineer_list": none,
    "directory:engineer_create": none,
    "directory:engineer_detail": first(Engineer, user__username="tam"),
    "directory:engineer_update": first(Engineer, user__username="tam"),
    "directory:engineer_delete": first(Engineer, user__username="tam"),
    # calendars
    "calendars:calendar_list": none,
    "calendars:calendar_create": none,
    "calendars:calendar_detail": every(Calendar),
    "calendars:calendar_update": first(Calendar),
    "calendars:calendar_delete": first(Calendar),
    "calendars:calendar_hours": first(Calendar),
    "calendars:calendar_import_holidays": first(Calendar),
    "calendars:exception_list": none,
    "calendars:exception_create": none,
    "calendars:exception_update": first(CalendarException),
    "calendars:exception_delete": first(CalendarException),
    # notifications
    "notifications:inbox": none,
    "notifications:bell": none,
    "notifications:inbox_read_all": none,
    "notifications:notification_open": first(Notification),
    "notifications:notification_read": first(Notification),
    "notifications:notification_unread": first(Notification),
    "notifications:preferences": none,
    "notifications:outbox": none,
    "notifications:outbox_retry_dead": none,
    "notifications:outbox_detail": first(Notification, status="dead"),
    "notifications:outbox_retry": first(Notification, status="dead"),
    "notifications:webhook_list": none,
    "notifications:webhook_create": none,
    "notifications:webhook_detail": first(WebhookSubscription),
    "notifications:webhook_update": first(WebhookSubscription),
    "notifications:webhook_delete": first(WebhookSubscription),
    "notifications:webhook_regenerate_secret": first(WebhookSubscription),
    # sla
    "sla:incident_list": none,
    "sla:incident_create": none,
    "sla:incident_detail": every(Incident),
    "sla:incident_update": first(Incident),
    "sla:incident_clocks": first(Incident),
    "sla:incident_event_create": first(Incident),
    "sla:report": none,
    "sla:import_list": none,
    "sla:import_create": none,
    "sla:import_detail": every(IncidentImport),
    "sla:import_start": first(IncidentImport),
    "sla:import_cancel": first(IncidentImport),
    "sla:import_resume": first(IncidentImport),
    "sla:import_rejects": first(IncidentImport, status="done"),
    "sla:monthly_report_list": none,
    "sla:monthly_report_create": none,
    "sla:monthly_report_detail": every(MonthlyReport),
    "sla:monthly_report_pdf": first(MonthlyReport),
    "sla:monthly_report_approve": first(MonthlyReport),
    "sla:monthly_report_resend": first(MonthlyReport),
    "sla:policy_list": none,
    "sla:policy_create": none,
    "sla:policy_detail": every(SLAPolicy),
    "sla:policy_update": first(SLAPolicy),
    "sla:policy_version_create": first(SLAPolicy),
    "sla:policy_delete": first(SLAPolicy),
    "sla:source_list": none,
    "sla:source_create": none,
    "sla:source_detail": every(IncidentSource),
    "sla:source_update": first(IncidentSource),
    "sla:source_rotate_token": first(IncidentSource),
    "sla:ola_list": none,
    "sla:ola_create": none,
    "sla:ola_update": first(OLATarget),
    "sla:ola_delete": first(OLATarget),
    # changes
    "changes:change_list": none,
    "changes:board": none,
    "changes:change_create": none,
    "changes:change_create_from_playbook": none,
    "changes:change_detail": every(ChangeRequest),
    "changes:change_update": first(ChangeRequest),
    "changes:change_transition": first(ChangeRequest),
    "changes:status_update": every(ChangeRequest),
    "changes:comment_create": first(ChangeRequest),
    "changes:task_create": first(ChangeRequest),
    "changes:dependency_create": first(ChangeRequest),
    "changes:dependency_delete": first(TaskDependency),
    "changes:task_update": first(DepartmentTask),
    "changes:task_action": task_action,
    "changes:department_queue_index": none,
    "changes:department_queue": every(Department),
}


def url_names() -> Iterator[tuple[str, str]]:
    """(URL name with its namespaces, route) of every named URL of the site outside the API."""

    def walk(patterns, route: str, namespace: str) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
                yield from walk(pattern.url_patterns, route + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, route + str(pattern.pattern)

    for name, route in walk(get_resolver().url_patterns, "", ""):
        if not route.startswith(API_PREFIX):
            yield name, route


def test_every_url_name_is_crawled():
    names = {name for name, _route in url_names()}

    assert sorted(names - set(PAGES)) == [], "add the new pages to PAGES"
    assert sorted(set(PAGES) - names) == [], "remove the pages that are gone from PAGES"


@pytest.fixture(scope="module")
def urls(demo) -> list[tuple[str, str]]:
    """(URL name, URL) of every page to request."""
    return [
        (name, reverse(name, kwargs=kwargs)) for name in sorted(PAGES) for kwargs in PAGES[name]()
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("username", DEMO_ACCOUNTS)
def test_every_page_works_for_every_role_in_both_languages(client, demo, urls, username, language):
    client.force_login(demo.users[username])
    problems = []
    for name, url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code >= 500:
            problems.append(f"{url} ({name}): {response.status_code}")
            continue
        if "text/html" not in response.get("Content-Type", "") or not response.content:
            continue
        page = read_page(response.content.decode())
        problems += [f"{url} ({name}): malformed number {found}" for found in page.malformed]
        headings = lower_case_headings(page, known=demo.data_texts)
        problems += [f"{url} ({name}): lower-case heading {text!r}" for text in headings]
        if language == "ru" and name not in NOT_TRANSLATED:
            untranslated = untranslated_texts(page.texts, known=demo.data_texts)
            problems += [f"{url} ({name}): untranslated {text!r}" for text in untranslated]
    assert problems == []
