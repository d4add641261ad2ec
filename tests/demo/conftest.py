from __future__ import annotations

from collections import Counter

import pytest

from tamdesk.demo import history, loader
from tamdesk.demo.generator import build_plan


@pytest.fixture(autouse=True)
def _fast_hashing_and_no_demo_password(settings, monkeypatch):
    # Every load hashes one password; the default hasher takes half a second by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.delenv("TAMDESK_DEMO_PASSWORD", raising=False)


@pytest.fixture(autouse=True)
def _demo_changes_only_when_marked(request, monkeypatch):
    # The change requests take most of a load (every step of their history goes through the
    # change services, which re-schedule the change each time): only the tests marked
    # ``demo_changes`` load them; the others test the rest of the demo as fast as before.
    if request.node.get_closest_marker("demo_changes") is None:
        monkeypatch.setattr(loader, "load_changes", lambda: Counter())


@pytest.fixture(autouse=True)
def _demo_live_source_only_when_marked(request, monkeypatch):
    # The live source opens incidents of its own: the tests that count the demo's incidents
    # load without it; those marked ``demo_live`` load it.
    if request.node.get_closest_marker("demo_live") is None:
        monkeypatch.setattr(loader, "load_live_source", lambda: {})


@pytest.fixture(scope="session", autouse=True)
def _no_demo_history_unless_asked():
    # The incident history is thousands of incidents through the importer: a load imports one
    # only when the test asks for it (``history_incidents=``, small), so the other tests load
    # the demo as fast as before. Session-wide, so module-scoped loads see it too.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(history, "DEFAULT_INCIDENTS", 0)
        yield


@pytest.fixture(autouse=True)
def _demo_home_of_its_own(settings, tmp_path):
    # Where a load writes its history file.
    settings.HOME = tmp_path / "home"


@pytest.fixture(scope="session")
def plan():
    return build_plan()
