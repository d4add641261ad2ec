"""Every response carries a Content-Security-Policy without inline script or style, and a
Permissions-Policy; the templates hold nothing such a policy would block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

import tamdesk

pytestmark = pytest.mark.django_db
PACKAGE = Path(tamdesk.__file__).parent


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


@pytest.mark.parametrize("url", ["/accounts/login/", "/healthz", "/api/v1/clients/"])
def test_anonymous_responses_carry_the_headers(client, url):
    response = client.get(url)
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions


def test_pages_of_a_signed_in_user_carry_the_headers(client, users, tam_client):
    client.force_login(users.tam)
    for url in [reverse("home"), tam_client.get_absolute_url(), reverse("core:api_tokens")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], url
        assert response["Permissions-Policy"], url


def test_the_swagger_ui_relaxes_only_its_styles(client, users):
    client.force_login(users.engineer)
    policy = directives(client.get("/api/docs/")["Content-Security-Policy"])
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"]


def test_htmx_adds_no_inline_style(client, users):
    client.force_login(users.tam)
    html = client.get(reverse("home")).content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in html


def page_templates() -> list[Path]:
    """Every HTML template of the pages (e-mail bodies are not pages: mail clients need inline
    styles, and no policy applies there)."""
    return [
        path
        for path in PACKAGE.rglob("templates/**/*.html")
        if "email" not in path.relative_to(PACKAGE).parts
    ]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


def test_no_template_has_inline_script_handlers_or_styles():
    templates = page_templates()
    assert len(templates) > 50
    offenders = [
        f"{path.relative_to(PACKAGE)}: {pattern.pattern}"
        for path in templates
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, STYLE)
        if pattern.search(path.read_text())
    ]
    assert offenders == []
