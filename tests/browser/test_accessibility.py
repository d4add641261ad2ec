"""Accessibility with the demo organisation loaded (every page has data in many states: unread
notifications, breached and paused incidents, late changes):

- axe-core (WCAG 2.1 A and AA rules) finds no serious or critical violation on the main page of
  every domain, in English and in Russian;
- keyboard focus survives the htmx swaps (task actions, Mark read, sort headers, pages, the
  calendar's months) and the incident list's periodic refresh;
- a 390 px phone scrolls no page sideways; an anchor lands below the sticky top bar.

Fast by design: the demo is loaded once per test, one browser context is logged in per role and
language, and axe is injected from the vendored copy (tests/browser/vendor/README.md) into each
page. The third-party Swagger UI (/api/docs/) is not ours and is not checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db.models import Count
from django.urls import reverse
from playwright.sync_api import Browser, Page

from tamdesk.calendars.models import Calendar
from tamdesk.changes.models import ChangeRequest, ChangeTemplate, TemplateDependency, TemplateTask
from tamdesk.changes.playbooks import load_playbooks
from tamdesk.demo.generator import build_plan
from tamdesk.demo.loader import load_demo
from tamdesk.directory.models import Client, Department
from tamdesk.sla.models import Incident
from tests.browser.conftest import TIMEOUT_MS, login

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
PASSWORD = "demo-password-42"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
LANGUAGES = ["en", "ru"]


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_playbooks(ChangeTemplate, TemplateTask, TemplateDependency)  # a flushed database
    load_demo(build_plan(), password=PASSWORD, history_incidents=12)  # a small history


def _pages() -> dict[str, list[str]]:
    """The pages to check, per demo user name."""
    client = Client.objects.order_by("pk").first()
    # The change with the most tasks: the richest table, Gantt chart and dependency graph.
    change = ChangeRequest.objects.annotate(n=Count("tasks")).order_by("-n", "pk").first()
    incident = Incident.objects.order_by("-pk").first()
    calendar = Calendar.objects.order_by("pk").first()
    department = Department.objects.order_by("pk").first()
    admin_pages = [
        reverse("home"),
        reverse("directory:client_list"),
        reverse("directory:client_detail", args=[client.pk]),
        reverse("directory:department_list"),
        reverse("directory:engineer_list"),
        reverse("directory:user_list"),
        reverse("calendars:calendar_list"),
        reverse("calendars:calendar_detail", args=[calendar.pk]),
        reverse("sla:policy_list"),
        reverse("sla:incident_list"),
        reverse("sla:incident_detail", args=[incident.pk]),
        reverse("sla:source_list"),
        reverse("changes:change_list"),
        reverse("changes:change_detail", args=[change.pk]),
        reverse("changes:board"),
        reverse("changes:department_queue", args=[department.pk]),
        reverse("notifications:inbox"),
        reverse("notifications:outbox"),
        reverse("jobs"),
    ]
    admin = _user("admin")
    admin_pages.append(reverse("directory:user_detail", args=[admin.pk]))
    # The TAM's home and inbox differ from the administrator's (their clients, their unread
    # notifications); every role has a home of its own (tamdesk.workspace).
    return {
        "admin": admin_pages,
        "tam": [reverse("home"), reverse("notifications:inbox")],
        **{
            role: [reverse("home")]
            for role in ("engineer", "lead", "service_manager", "programme_lead")
        },
    }


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _context(browser: Browser, live_server, language: str = "en", **options):
    # The test injects axe-core and evaluates checks as script, which the site's
    # Content-Security-Policy forbids (rightly); tests/browser/test_security.py checks the policy.
    context = browser.new_context(
        base_url=live_server.url, locale=language, bypass_csp=True, **options
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return context


def _violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    found = []
    for violation in result["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
        found.append(
            f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} nodes): "
            f"{violation['help']} — {'; '.join(targets)}"
        )
    return found


def test_main_pages_have_no_serious_accessibility_violation(browser: Browser, live_server, demo):
    pages = _pages()
    problems = []
    for language in LANGUAGES:
        for username, paths in pages.items():
            context = _context(browser, live_server, language)
            page = context.new_page()
            login(page, _user(username), PASSWORD)
            for path in paths:
                response = page.goto(path)
                assert response is not None
                if response.status != 200:
                    problems.append(f"[{language}] {username} {path}: HTTP {response.status}")
                    continue
                assert page.locator("html").get_attribute("lang") == language
                problems += [f"[{language}] {username} {path}: {v}" for v in _violations(page)]
            context.close()

    assert not problems, "\n".join(problems)


# --- keyboard focus and small screens ------------------------------------------------------

FOCUSED = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    const scope = element.closest("[id]");
    return {tag: element.tagName, text: element.textContent.replace(/\\s+/g, " ").trim(),
            scope: scope ? scope.id : null};
}"""


def _focused(page: Page) -> dict | None:
    return page.evaluate(FOCUSED)


def _settled(page: Page) -> None:
    page.wait_for_function("!document.querySelector('.htmx-request, .htmx-settling')")


def test_keyboard_focus_survives_htmx_swaps(browser: Browser, live_server, demo):
    context = _context(browser, live_server)
    page = context.new_page()
    login(page, _user("admin"), PASSWORD)

    # The calendar's next month: focus stays on "Next month".
    calendar = Calendar.objects.order_by("pk").first()
    page.goto(reverse("calendars:calendar_detail", args=[calendar.pk]))
    title = page.locator("#calendar-month-title").inner_text()
    page.locator("#calendar-month a[rel=next]").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"document.querySelector('#calendar-month-title').innerText !== {title!r}"
    )
    _settled(page)
    assert _focused(page) == {"tag": "A", "text": "Next month", "scope": "calendar-month"}

    # A sort header of the incident list: focus stays on the header.
    page.goto(reverse("sla:incident_list"))
    page.locator("#list-results a.app-sort-link", has_text="Priority").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**ordering=priority*")
    _settled(page)
    focused = _focused(page)
    assert focused["tag"] == "A" and focused["text"].startswith("Priority")

    # The 30-second refresh waits while the focus is in the table: the focused link stays.
    page.evaluate("document.activeElement.dataset.mark = 'kept'")
    page.evaluate("htmx.trigger('#incident-refresh', 'every')")
    page.evaluate(
        "htmx.ajax('GET', location.href, {source: '#incident-refresh', target: '#list-results'})"
    )
    page.wait_for_timeout(500)
    assert page.evaluate("document.activeElement.dataset.mark") == "kept"
    # ... and when a swap does replace the table, the focus moves to the same header.
    page.evaluate("htmx.ajax('GET', location.href, {target: '#list-results', swap: 'innerHTML'})")
    page.wait_for_function("!document.querySelector('[data-mark]')")
    _settled(page)
    assert _focused(page)["text"].startswith("Priority")

    # The next page of the outbox: focus stays on "Next page".
    page.goto(reverse("notifications:outbox"))
    page.locator("#list-results a[rel=next]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**page=2*")
    _settled(page)
    assert _focused(page)["text"] == "Next page"

    # A task action: focus moves to the next action of the same task's row.
    change = ChangeRequest.objects.annotate(n=Count("tasks")).order_by("-n", "pk").first()
    page.goto(reverse("changes:change_detail", args=[change.pk]))
    start = page.locator("#task-table button[value=start]").first
    row_id = start.evaluate("button => button.closest('tr').id")
    start.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.getElementById({row_id!r}).dataset.status === 'in_progress'")
    _settled(page)
    focused = _focused(page)
    assert focused["tag"] == "BUTTON" and focused["scope"] == row_id
    context.close()

    # Mark read in the TAM's inbox: focus moves to "Mark unread" of the same notification.
    context = _context(browser, live_server)
    page = context.new_page()
    login(page, _user("tam"), PASSWORD)
    page.goto(reverse("notifications:inbox"))
    unread = page.locator(".app-unread").first
    row_id = unread.get_attribute("id")
    unread.get_by_role("button", name=re.compile("^Mark read")).focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"!document.getElementById({row_id!r}).classList.contains('app-unread')")
    _settled(page)
    focused = _focused(page)
    assert focused["scope"] == row_id and focused["text"].startswith("Mark unread")
    context.close()


def test_a_phone_scrolls_no_page_sideways_and_nothing_hides_under_the_top_bar(
    browser: Browser, live_server, demo
):
    change = ChangeRequest.objects.annotate(n=Count("tasks")).order_by("-n", "pk").first()
    calendar = Calendar.objects.order_by("pk").first()
    context = _context(browser, live_server, viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, _user("admin"), PASSWORD)
    for path in (
        reverse("changes:change_detail", args=[change.pk]),
        reverse("calendars:calendar_detail", args=[calendar.pk]),
        reverse("sla:incident_list"),
        reverse("notifications:outbox"),
    ):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide on a 390 px phone"

    context.close()

    # Instant scrolling (Bootstrap scrolls smoothly otherwise), so positions can be read at once.
    context = _context(
        browser, live_server, viewport={"width": 1400, "height": 700}, reduced_motion="reduce"
    )
    page = context.new_page()
    login(page, _user("admin"), PASSWORD)
    page.goto(reverse("changes:change_detail", args=[change.pk]) + "#tasks")
    bar = page.locator("header.app-topbar").bounding_box()
    below_bar = bar["y"] + bar["height"]
    assert page.locator("#tasks").bounding_box()["y"] >= below_bar

    # Moving backwards through the outbox, no focused control hides under the sticky bar.
    page.goto(reverse("notifications:outbox"))
    page.locator("#list-results a[rel=next]").focus()
    for _ in range(30):
        page.keyboard.press("Shift+Tab")
        top = page.evaluate(
            "document.activeElement.closest('main')"
            " ? document.activeElement.getBoundingClientRect().top : null"
        )
        assert top is None or top >= below_bar, page.evaluate("document.activeElement.outerHTML")
    context.close()
