"""``tamdesk demo`` as a management command (in-process; the CLI runs it in tests/test_cli.py)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from tamdesk.core.management.commands import serve
from tamdesk.demo.changes import SCENARIOS
from tamdesk.demo.management.commands import demo as demo_command
from tamdesk.directory.models import Client, Department

pytestmark = pytest.mark.django_db


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_loads_prints_the_accounts_and_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("TAMDESK_DEMO_PASSWORD", "from-the-env-1")

    output = demo("--no-serve")

    assert (
        "created 3 calendars, 16 departments, 66 users, 60 engineers, 13 of them TAMs, 40 clients"
        in output
    )
    for line in ("tam ", "Ivan Petrov", "TAM, Engineer — Network group", "programme_lead"):
        assert line in output
    assert "Password of every demo user: the value of TAMDESK_DEMO_PASSWORD." in output
    assert authenticate(username="lead", password="from-the-env-1") is not None


@pytest.mark.demo_changes
def test_demo_loads_the_changes_and_says_where_to_find_them():
    output = demo("--no-serve")

    assert f"12 incidents, {len(SCENARIOS)} changes in" in output
    assert "log in as `tam` and open Changes" in output


def test_demo_twice_creates_nothing_and_keeps_the_generated_password():
    first = demo("--no-serve")
    password = first.split("Password of the new demo users: ")[1].split()[0]

    second = demo("--no-serve")

    assert "is already loaded: nothing new to create." in second
    assert "Passwords of the demo users were not changed" in second
    assert password not in second
    assert Client.objects.count() == 40
    assert authenticate(username="admin", password=password) is not None


def test_demo_reset_reloads_and_scale_two_doubles_the_clients():
    demo("--no-serve")
    Client.objects.filter(code="POLUS-MKT").update(notes="edited by hand")

    output = demo("--no-serve", "--reset", "--scale", "2")

    assert "Deleted the demo data: " in output and "40 clients" in output
    assert Client.objects.count() == 80
    assert Client.objects.get(code="POLUS-MKT").notes.startswith("The complex project")


def test_demo_with_another_seed_differs():
    demo("--no-serve", "--seed", "5")
    names = set(Client.objects.values_list("name", flat=True))
    demo("--no-serve", "--reset")
    assert set(Client.objects.values_list("name", flat=True)) != names


@pytest.mark.parametrize("scale", ["0", "201"])
def test_demo_refuses_a_scale_out_of_range(scale):
    with pytest.raises(CommandError, match="--scale"):
        demo("--no-serve", "--scale", scale)
    assert not Department.objects.exists()


def test_demo_then_serves_on_the_given_address(monkeypatch, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    started = []
    monkeypatch.setattr(serve, "run", lambda web, companions: started.append(web) or 0)

    output = demo("--host", "127.0.0.2", "--port", "8765", "--workers", "3")

    assert "tamdesk" in output and "http://127.0.0.2:8765/" in output
    assert started == [serve.gunicorn_argv(host="127.0.0.2", port=8765, workers=3)]


def test_a_failed_reload_keeps_the_previous_demo(monkeypatch):
    demo("--no-serve")

    def fail(plan, **options):
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo_command, "load_demo", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        demo("--no-serve", "--reset")
    assert Client.objects.count() == 40
