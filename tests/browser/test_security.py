"""The pages work under the Content-Security-Policy: no violation is reported while a person
browses, uses htmx and the dropdowns, or opens the Swagger UI; API tokens are made and revoked on
their page; a locked-out login says why."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import login
from tests.calendars.factories import CalendarFactory

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def test_pages_raise_no_policy_violation(page: Page, users, tam_client):
    calendar = CalendarFactory()
    page.add_init_script(RECORD_VIOLATIONS)
    login(page, users.admin)
    seen = {}
    for path in [
        "/",
        "/directory/clients/",
        tam_client.get_absolute_url(),
        f"/calendars/{calendar.pk}/",
        "/sla/incidents/",
        "/changes/",
        "/changes/board/",
        "/notifications/",
        "/jobs/",
        "/account/api-tokens/",
    ]:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        seen[path] = violations(page)
    # htmx at work: a filtered list swapped in place; the user menu (Bootstrap's dropdown).
    page.goto("/directory/clients/?q=Acme")
    page.locator("#user-menu-button").click()
    expect(page.locator(".dropdown-menu a[href='/account/api-tokens/']")).to_be_visible()
    page.wait_for_load_state("networkidle")
    seen["htmx"] = violations(page)

    assert {path: found for path, found in seen.items() if found} == {}


def test_the_swagger_ui_works_under_its_policy(page: Page, users):
    page.add_init_script(RECORD_VIOLATIONS)
    login(page, users.engineer)

    page.goto("/api/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("tamdesk API")
    expect(page.locator(".opblock-tag").first).to_be_visible()
    assert violations(page) == []


def test_a_person_makes_copies_and_revokes_a_token(page: Page, users):
    login(page, users.tam)
    page.goto("/account/api-tokens/")

    page.fill("#id_name", "Backup script")
    page.fill("#id_days", "7")
    page.get_by_role("button", name="Create token").click()

    key = page.locator("#new-token").input_value()
    assert key.startswith("tdk_")
    expect(page.locator("table")).to_contain_text("Backup script")
    page.reload()
    expect(page.locator("#new-token")).to_have_count(0)

    page.get_by_role("button", name="Revoke Backup script").click()
    expect(page.locator(".alert-success")).to_contain_text("revoked")
    expect(page.locator("table")).not_to_contain_text("Backup script")


def test_a_locked_out_login_says_why(page: Page, users, settings):
    settings.LOGIN_FAILURE_LIMIT = settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        page.goto("/accounts/login/")
        page.fill("#id_username", "tam")
        page.fill("#id_password", "wrong")
        page.locator("form:has(#id_username) [type=submit]").click()
        page.wait_for_load_state()

    expect(page.locator("#lockout-message")).to_contain_text("Too many failed login attempts")
    expect(page.get_by_role("link", name="Back to the login page")).to_be_visible()
