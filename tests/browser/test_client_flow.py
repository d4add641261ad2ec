"""A TAM logs in, opens a client page, adds a contact (first with a bad e-mail), and switches
the UI to Russian."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tamdesk.directory.models import Contact
from tests.browser.conftest import login


def test_tam_adds_a_contact_from_the_client_page(page: Page, users, tam_client):
    login(page, users.tam)

    # Given the TAM's home lists the client, when they open it
    page.get_by_role("link", name="Acme Retail").first.click()
    expect(page.get_by_role("heading", name=re.compile("Acme Retail"))).to_be_visible()

    # When they add a technical contact with a bad e-mail
    page.locator("#section-contacts").get_by_role("link", name=re.compile("Add")).first.click()
    page.fill("#id_name", "Olga Smirnova")
    page.fill("#id_email", "olga-at-acme")
    page.locator("main form [type=submit]").first.click()

    # Then the field shows the error and nothing is saved
    expect(page.locator("#id_email")).to_have_class(re.compile("is-invalid"))
    expect(page.locator(".invalid-feedback")).to_contain_text("valid email")
    assert not Contact.objects.filter(name="Olga Smirnova").exists()

    # When they correct it, the contact is saved and shown on the client page
    page.fill("#id_email", "olga@acme.example")
    page.locator("main form [type=submit]").first.click()
    expect(page.locator("#id_email")).to_have_count(0)
    contact = Contact.objects.get(name="Olga Smirnova")
    assert contact.client == tam_client and contact.email == "olga@acme.example"
    page.goto(tam_client.get_absolute_url())
    expect(page.locator("#section-contacts")).to_contain_text("Olga Smirnova")


def test_switching_to_russian(page: Page, users, tam_client):
    login(page, users.tam)
    page.goto(tam_client.get_absolute_url())

    page.locator(".language-switcher button[value=ru]").click()

    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator(".language-switcher button[value=ru]")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("body")).to_contain_text("Клиенты")
