"""``tamdesk serve``: apply migrations, collect static files and run the production web server
(gunicorn) — never Django's development server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from tamdesk import __version__

DEFAULT_WORKERS = 2
# Each worker process serves this many requests at once, one per thread: a slow request holds
# one thread, not the process (see tamdesk.config.gunicorn).
DEFAULT_THREADS = 4
GUNICORN_CONFIG = "python:tamdesk.config.gunicorn"
WSGI_APPLICATION = "tamdesk.config.wsgi:application"
_WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104


def bind_address(host: str, port: int) -> str:
    """``host:port`` as gunicorn's ``--bind`` wants it (IPv6 in brackets)."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


def display_url(host: str, port: int) -> str:
    """The URL to open in a browser (a wildcard address is reached on localhost)."""
    return f"http://{bind_address(_WILDCARDS.get(host, host), port)}/"


BASE_URL_VARIABLE = "TAMDESK_BASE_URL"


def adopt_base_url(host: str, port: int) -> str | None:
    """When ``TAMDESK_BASE_URL`` is not configured (unset or empty), make the address being served
    the base URL of the links in e-mails and webhooks: in this process's settings and in the
    environment of the processes it starts (the web server, the worker). Returns the URL adopted,
    or None when one is configured (it is left as it is)."""
    if os.environ.get(BASE_URL_VARIABLE, "").strip():
        return None
    url = display_url(host, port).rstrip("/")
    os.environ[BASE_URL_VARIABLE] = url
    settings.BASE_URL = url
    return url


def _gunicorn_has_option(option: str) -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(option in setting.cli for setting in KNOWN_SETTINGS if setting.cli)


def gunicorn_argv(
    *,
    host: str,
    port: int,
    workers: int,
    threads: int = DEFAULT_THREADS,
    python: str | None = None,
) -> list[str]:
    """The command line of the web server: threaded workers, their timeouts and the slow-request
    log come from ``tamdesk.config.gunicorn``. Extra gunicorn options can be given in the
    ``GUNICORN_CMD_ARGS`` environment variable (they win over that file)."""
    # gunicorn 27+ opens a control socket in ~/.gunicorn, shared by every instance of the user;
    # tamdesk does not use it and keeps its files in TAMDESK_HOME.
    extra = ["--no-control-socket"] if _gunicorn_has_option("--no-control-socket") else []
    return [
        python or sys.executable,
        "-m",
        "gunicorn",
        WSGI_APPLICATION,
        "--bind",
        bind_address(host, port),
        "--workers",
        str(workers),
        "--config",
        GUNICORN_CONFIG,
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        *extra,
    ]


def companion_commands(*, worker: bool = True, python: str | None = None) -> list[list[str]]:
    """The command lines of the processes that run beside the web server and stop with it: the
    background worker (``tamdesk worker``) unless ``worker`` is false. With no companion the web
    server replaces this process."""
    if not worker:
        return []
    return [[python or sys.executable, "-m", "tamdesk.cli", "worker"]]


def run(web: list[str], companions: list[list[str]]) -> int:
    """Run the web server: alone, it replaces this process (so it receives the signals itself
    and this never returns); with companions, all run as children until the first one exits."""
    if not companions:
        os.execv(web[0], web)  # noqa: S606  (our own interpreter and arguments)
    return supervise([web, *companions])


def supervise(commands: list[list[str]], *, grace_seconds: float = 30) -> int:
    """Start every command; pass SIGINT/SIGTERM on to them; when the first one exits, stop the
    others (terminate, then kill after ``grace_seconds``) and return the first one's exit code."""
    processes = [subprocess.Popen(command) for command in commands]  # noqa: S603

    def forward(signum, _frame) -> None:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while (
            code := next((p.returncode for p in processes if p.poll() is not None), None)
        ) is None:
            time.sleep(0.2)
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=grace_seconds)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return code
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class Command(BaseCommand):
    help = (
        "Apply migrations, collect static files and serve tamdesk with gunicorn. Extra gunicorn "
        "options can be given in GUNICORN_CMD_ARGS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to listen on (default: 127.0.0.1)."
        )
        parser.add_argument("--port", type=int, default=8000, help="Port (default: 8000).")
        parser.add_argument(
            "--workers",
            type=int,
            default=DEFAULT_WORKERS,
            help=f"Web server processes (default: {DEFAULT_WORKERS}).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=DEFAULT_THREADS,
            help="Requests each web server process serves at once, one per thread "
            f"(default: {DEFAULT_THREADS}).",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start a background worker beside the web server (run `tamdesk worker` "
            "elsewhere, e.g. on several machines with Redis).",
        )

    def handle(
        self,
        *args,
        host: str,
        port: int,
        workers: int,
        threads: int = DEFAULT_THREADS,
        no_worker: bool = False,
        **options,
    ) -> None:
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        if threads < 1:
            raise CommandError("--threads must be at least 1.")
        if not 0 < port < 65536:
            raise CommandError("--port must be between 1 and 65535.")
        adopted = adopt_base_url(host, port)
        self.stdout.write("Applying database migrations and collecting static files…")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            self.style.SUCCESS(f"tamdesk {__version__} at {display_url(host, port)}")
            + f" (gunicorn on {bind_address(host, port)}, {workers} worker{'s' * (workers != 1)} "
            f"× {threads} thread{'s' * (threads != 1)}; Ctrl+C stops it)"
        )
        if adopted:
            self.stdout.write(
                f"Links in e-mails and webhooks point to {adopted} (set {BASE_URL_VARIABLE} to "
                "the address your users reach)."
            )
        if not no_worker:
            self.stdout.write(
                "Background worker: started beside the web server (--no-worker: not)."
            )
        self.stdout.flush()
        sys.stderr.flush()
        # The children open their own connections; none may be inherited across exec/fork.
        connections.close_all()
        code = run(
            gunicorn_argv(host=host, port=port, workers=workers, threads=threads),
            companion_commands(worker=not no_worker),
        )
        if code:
            raise CommandError(f"The web server exited with status {code}.", returncode=code)
