"""The browser can reach the app, and a person can log in."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import login


def test_healthz_answers_ok_in_the_browser(page: Page):
    response = page.goto("/healthz")

    assert response is not None
    assert response.status == 200
    body = json.loads(page.locator("body").inner_text())
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"


def test_login_page_renders_and_logging_in_lands_on_home(page: Page, live_server, users, password):
    page.goto("/accounts/login/")
    expect(page.locator("#id_username")).to_be_visible()
    expect(page.locator("#id_password")).to_be_visible()

    login(page, users.tam, password)

    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/$"))
    expect(page.locator("#id_password")).to_have_count(0)
