from __future__ import annotations

import pytest

from tamdesk.demo.generator import build_plan


@pytest.fixture(autouse=True)
def _fast_hashing_and_no_demo_password(settings, monkeypatch):
    # Every load hashes one password; the default hasher takes half a second by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.delenv("TAMDESK_DEMO_PASSWORD", raising=False)


@pytest.fixture(scope="session")
def plan():
    return build_plan()
