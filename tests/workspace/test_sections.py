"""The workspace's one list (``workspace/sections.py``): the sidebar shows a person the pages
they may open, and every page that reads a list gets the workspace's."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.template.loader import get_template
from django.urls import reverse

from tamdesk.directory.views.client_page import page_sections
from tamdesk.workspace.sections import (
    CLIENT_SECTIONS,
    DIGEST_SECTIONS,
    HOME_SECTIONS,
    SIDEBAR,
)

pytestmark = pytest.mark.django_db


def sidebar_links(client) -> set[str]:
    content = client.get("/").content.decode()
    nav = content[content.index('id="sidebar"') : content.index("</nav>")]
    entries = [entry for group in SIDEBAR for entry in group.entries]
    return {entry.url_name for entry in entries if f'href="{reverse(entry.url_name)}"' in nav}


def test_an_engineer_sees_no_administration_in_the_sidebar(client, users):
    client.force_login(users.engineer)

    links = sidebar_links(client)

    assert {"home", "directory:client_list", "sla:incident_list", "changes:board"} <= links
    assert not links & {"jobs", "notifications:outbox", "directory:user_list"}


def test_an_administrator_sees_every_entry_of_the_sidebar(client, users):
    client.force_login(users.administrator)

    links = sidebar_links(client)

    assert links == {entry.url_name for group in SIDEBAR for entry in group.entries}


def test_the_client_page_reads_the_workspaces_list():
    assert settings.CLIENT_PAGE_SECTIONS == "tamdesk.workspace.sections.CLIENT_SECTIONS"
    assert page_sections() is CLIENT_SECTIONS
    assert [section.key for section in CLIENT_SECTIONS] == [
        "account-team",
        "sla",
        "changes",
        "contacts",
        "components",
    ]


def test_every_listed_section_has_its_template_and_a_unique_key():
    for sections in (CLIENT_SECTIONS, HOME_SECTIONS):
        assert len({s.key for s in sections}) == len(sections)
        for section in sections:
            get_template(section.template)
    assert [s.key for s in DIGEST_SECTIONS] == [
        "sla_risks",
        "clients_missing_contacts",
        "unread_notifications",
    ]
