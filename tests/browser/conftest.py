"""Browser tests: Playwright's sync API driving Debian's chromium against pytest-django's
``live_server``.

Everything under tests/browser is marked ``browser`` (``pytest -m browser`` runs them, ``-m "not
browser"`` leaves them out). When /usr/bin/chromium is missing the tests are skipped with a
message, unless ``CI`` is set: then they fail. Playwright's own browser download is not used.

A failing test leaves a screenshot in ``test-results/``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.directory.factories import PASSWORD

# Playwright's sync API runs an asyncio loop in the test thread, which makes Django refuse ORM
# calls from that thread (SynchronousOnlyOperation). The tests are synchronous code; allow it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machine's network is closed: no background connections, updates or sync.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BROWSER_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BROWSER_DIR.parent.parent / "test-results"
TIMEOUT_MS = 10_000


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # Remembered on the item so that the ``page`` fixture can take a screenshot on failure.
    setattr(item, f"_report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; browser tests are required when CI is set", pytrace=False)
        pytest.skip(message)
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def _role_groups(transactional_db):
    """The role groups come from a data migration, and the flush after each transactional test
    removes them; put them back so that fixtures can assign roles."""
    from django.contrib.auth.models import Group

    from tamdesk.core.roles import Role

    for role in Role:
        Group.objects.get_or_create(name=role.value)


@pytest.fixture
def page(request, browser: Browser, live_server, transactional_db) -> Iterator[Page]:
    """A page in a new browser context per test; ``page.goto("/path")`` opens the live server."""
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = getattr(request.node, "_report_call", None)
    if report is not None and report.failed:
        RESULTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(RESULTS_DIR / f"{name}.png"), full_page=True)
    context.close()


def login(page: Page, user, password: str = PASSWORD) -> None:
    """Log in through the login form (Django's AuthenticationForm field names)."""
    page.goto("/accounts/login/")
    page.fill("#id_username", user.get_username())
    page.fill("#id_password", password)
    page.locator("form:has(#id_username) [type=submit]").click()
    page.wait_for_load_state()
