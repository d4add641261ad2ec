"""The ``tamdesk`` command: version, Django dispatch, and ``serve`` (its gunicorn command line,
the process supervision, and one real start)."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command, load_command_class

from tamdesk import __version__
from tamdesk.cli import main
from tamdesk.core.management.commands import serve

TAMDESK = Path(sys.executable).with_name("tamdesk")


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment for a child ``tamdesk``: SQLite in ``home``, no other TAMDESK_* setting
    (so a PostgreSQL test run never points a child at a real database)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAMDESK_", "DJANGO_"))}
    return {**env, "TAMDESK_HOME": str(home), **extra}


def tamdesk(*args: str, home: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(TAMDESK), *args],
        env=clean_env(home),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_version_in_process(capsys):
    main(["tamdesk", "--version"])
    assert capsys.readouterr().out == f"tamdesk {__version__}\n"


def test_version_of_the_installed_command(tmp_path):
    result = tamdesk("--version", home=tmp_path)
    assert (result.returncode, result.stdout) == (0, f"tamdesk {__version__}\n")


def test_django_commands_run_with_tamdesk_settings(tmp_path):
    check = tamdesk("check", home=tmp_path)
    assert check.returncode == 0, check.stderr
    assert "System check identified no issues" in check.stdout
    helped = tamdesk("help", "serve", home=tmp_path)
    assert helped.returncode == 0 and "--workers" in helped.stdout
    listed = tamdesk("help", home=tmp_path)
    assert "Type 'tamdesk help <subcommand>'" in listed.stdout
    assert "[demo]" in listed.stdout and "serve" in listed.stdout


def test_gunicorn_command_line():
    argv = serve.gunicorn_argv(host="127.0.0.1", port=8123, workers=3, python="/py")
    assert argv[:8] == [
        "/py", "-m", "gunicorn", "tamdesk.config.wsgi:application",
        "--bind", "127.0.0.1:8123", "--workers", "3",
    ]  # fmt: skip
    assert "runserver" not in argv and argv.count("--access-logfile") == 1
    assert serve.gunicorn_argv(host="::1", port=80, workers=1)[5] == "[::1]:80"


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8123/"),
        ("0.0.0.0", "http://127.0.0.1:8123/"),
        ("::", "http://[::1]:8123/"),
        ("tamdesk.example", "http://tamdesk.example:8123/"),
    ],
)
def test_display_url(host, url):
    assert serve.display_url(host, 8123) == url


def test_alone_the_web_server_replaces_the_process(monkeypatch):
    class Replaced(Exception):
        pass

    def execv(path, argv):
        raise Replaced(path, argv)

    monkeypatch.setattr(serve.os, "execv", execv)
    with pytest.raises(Replaced) as replaced:
        serve.run(["/py", "-m", "gunicorn"], [])
    assert replaced.value.args == ("/py", ["/py", "-m", "gunicorn"])


def test_with_companions_all_run_until_the_first_exits():
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    quitter = [sys.executable, "-c", "import sys, time; time.sleep(0.5); sys.exit(3)"]
    started = time.monotonic()

    assert serve.supervise([sleeper, quitter], grace_seconds=5) == 3
    assert time.monotonic() - started < 10


@pytest.fixture
def unset_base_url(monkeypatch):
    """No TAMDESK_BASE_URL configured; whatever a command sets (in the environment and in the
    settings) is undone after the test."""
    from django.conf import settings as django_settings

    monkeypatch.setenv("TAMDESK_BASE_URL", "")
    monkeypatch.setattr(django_settings, "BASE_URL", django_settings.BASE_URL)


def test_serving_adopts_the_served_address_as_base_url(unset_base_url):
    from django.conf import settings as django_settings

    assert serve.adopt_base_url("127.0.0.1", 8080) == "http://127.0.0.1:8080"

    # For this process and for the web server and worker it starts
    assert os.environ["TAMDESK_BASE_URL"] == "http://127.0.0.1:8080"
    assert django_settings.BASE_URL == "http://127.0.0.1:8080"


def test_a_configured_base_url_is_kept(unset_base_url, monkeypatch):
    from django.conf import settings as django_settings

    monkeypatch.setenv("TAMDESK_BASE_URL", "https://tamdesk.example")
    monkeypatch.setattr(django_settings, "BASE_URL", "https://tamdesk.example")

    assert serve.adopt_base_url("0.0.0.0", 8080) is None

    assert os.environ["TAMDESK_BASE_URL"] == "https://tamdesk.example"
    assert django_settings.BASE_URL == "https://tamdesk.example"


@pytest.mark.django_db
def test_serve_on_another_port_links_notifications_to_it(
    monkeypatch, settings, tmp_path, unset_base_url
):
    from tamdesk.notifications.channels import absolute_url

    settings.STATIC_ROOT = tmp_path / "static"
    monkeypatch.setattr(serve, "run", lambda web, companions: None)
    out = StringIO()

    call_command("serve", "--port", "8080", "--workers", "1", stdout=out)

    assert os.environ["TAMDESK_BASE_URL"] == "http://127.0.0.1:8080"
    assert absolute_url("/notifications/") == "http://127.0.0.1:8080/notifications/"
    assert "Links in e-mails and webhooks point to http://127.0.0.1:8080" in out.getvalue()


@pytest.mark.django_db
def test_demo_adopts_the_served_address_before_loading(monkeypatch, unset_base_url):
    from django.conf import settings as django_settings

    from tamdesk.demo.management.commands import demo

    seen = {}

    def stop_before_loading(*args, **kwargs):
        seen["base_url"] = django_settings.BASE_URL
        raise RuntimeError("stop")

    monkeypatch.setattr(demo, "build_plan", stop_before_loading)

    with pytest.raises(RuntimeError, match="stop"):
        call_command("demo", "--port", "8081", stdout=StringIO())

    assert seen["base_url"] == "http://127.0.0.1:8081"
    assert os.environ["TAMDESK_BASE_URL"] == "http://127.0.0.1:8081"


@pytest.mark.django_db
def test_serve_migrates_collects_static_and_starts_gunicorn(
    monkeypatch, settings, tmp_path, unset_base_url
):
    settings.STATIC_ROOT = tmp_path / "static"
    started = []
    monkeypatch.setattr(serve, "run", lambda web, companions: started.append((web, companions)))
    out = StringIO()

    call_command("serve", "--port", "8124", "--workers", "2", stdout=out)

    assert started == [
        (serve.gunicorn_argv(host="127.0.0.1", port=8124, workers=2), serve.companion_commands())
    ]
    assert "http://127.0.0.1:8124/" in out.getvalue()
    assert "Background worker: started beside the web server" in out.getvalue()
    assert (tmp_path / "static" / "rest_framework").is_dir()


def test_companion_is_the_worker_unless_told_not():
    assert serve.companion_commands(python="/py") == [["/py", "-m", "tamdesk.cli", "worker"]]
    assert serve.companion_commands(worker=True) == [
        [sys.executable, "-m", "tamdesk.cli", "worker"]
    ]
    assert serve.companion_commands(worker=False) == []


@pytest.mark.django_db
def test_serve_no_worker_runs_the_web_server_alone(monkeypatch, settings, tmp_path, unset_base_url):
    settings.STATIC_ROOT = tmp_path / "static"
    started = []
    monkeypatch.setattr(serve, "run", lambda web, companions: started.append((web, companions)))
    out = StringIO()

    call_command("serve", "--port", "8125", "--workers", "1", "--no-worker", stdout=out)

    assert started == [(serve.gunicorn_argv(host="127.0.0.1", port=8125, workers=1), [])]
    assert "Background worker" not in out.getvalue()


def test_the_worker_command_is_known():
    worker = load_command_class("tamdesk.core", "worker")
    helped = worker.create_parser("tamdesk", "worker").format_help()
    assert "Run the background worker" in helped and "--workers" in helped
    serve_help = serve.Command().create_parser("tamdesk", "serve").format_help()
    assert "--no-worker" in serve_help


def test_serve_for_real_answers_healthz(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [str(TAMDESK), "serve", "--port", str(port), "--workers", "1"],
        env=clean_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline, status = time.monotonic() + 90, None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    status = r.status
                    break
            except OSError:
                time.sleep(0.3)
        assert status == 200, process.stdout.read() if process.poll() is not None else "timeout"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    output = process.stdout.read()
    assert f"http://127.0.0.1:{port}/" in output and "Starting gunicorn" in output
    assert (tmp_path / "tamdesk.sqlite3").exists()


def test_demo_is_the_same_in_two_fresh_databases(tmp_path):
    homes = [tmp_path / "one", tmp_path / "two"]
    for home in homes:
        # A small imported history (the default's thousands take minutes through the importer).
        result = tamdesk("demo", "--no-serve", "--history-incidents", "40", home=home)
        assert result.returncode == 0, result.stderr
        assert "16 departments" in result.stdout

    def rows(home: Path) -> list[tuple]:
        with sqlite3.connect(home / "tamdesk.sqlite3") as db:
            return db.execute(
                "SELECT c.code, c.name, x.name, x.email, u.username FROM directory_client c "
                "JOIN directory_contact x ON x.client_id = c.id "
                "JOIN directory_accountteamassignment a ON a.client_id = c.id "
                "JOIN auth_user u ON u.id = a.user_id ORDER BY 1, 3, 5"
            ).fetchall()

    assert rows(homes[0]) == rows(homes[1])
    assert len({row[0] for row in rows(homes[0])}) == 40

    def history(home: Path) -> list[tuple]:
        with sqlite3.connect(home / "tamdesk.sqlite3") as db:
            return db.execute(
                "SELECT i.external_id, c.code, i.opened_at, i.status, i.priority, d.code "
                "FROM sla_incident i JOIN directory_client c ON c.id = i.client_id "
                "JOIN directory_department d ON d.id = i.department_id "
                "WHERE i.source_system = 'servicenow' ORDER BY 1"
            ).fetchall()

    assert history(homes[0]) == history(homes[1]) != []
    assert (homes[0] / "demo" / "servicenow-incident-events.csv").read_bytes() == (
        homes[1] / "demo" / "servicenow-incident-events.csv"
    ).read_bytes()
