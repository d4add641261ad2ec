"""``tamdesk serve``'s gunicorn: threaded workers, so one slow request does not stall the site, and
slow or aborted requests logged with their URL (tamdesk.config.gunicorn)."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from tamdesk.config import gunicorn as conf
from tamdesk.core.management.commands import serve


class FakeLog:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def warning(self, message, *args) -> None:
        self.lines.append(("warning", message % args))

    def error(self, message, *args) -> None:
        self.lines.append(("error", message % args))


@pytest.fixture
def worker(monkeypatch):
    monkeypatch.setattr(conf, "_in_flight", {})
    return SimpleNamespace(log=FakeLog(), pid=4242)


def _request(uri: str) -> SimpleNamespace:
    return SimpleNamespace(method="GET", uri=uri)


def test_serve_runs_threaded_workers_with_the_config_file():
    argv = serve.gunicorn_argv(host="127.0.0.1", port=8123, workers=2, threads=6, python="/py")
    assert argv[argv.index("--config") + 1] == "python:tamdesk.config.gunicorn"
    assert argv[argv.index("--threads") + 1] == "6"
    assert serve.gunicorn_argv(host="127.0.0.1", port=1, workers=1).count("4") == 1


def test_gunicorn_reads_the_config_file():
    config = Config()
    names = ("worker_class", "threads", "timeout", "graceful_timeout", "keepalive")
    for name in (*names, "limit_request_line"):
        config.set(name, getattr(conf, name))
    assert config.worker_class_str == "gthread"
    assert (config.threads, config.timeout, config.graceful_timeout) == (4, 30, 30)
    assert config.limit_request_line == 8190
    for hook in ("pre_request", "post_request", "post_worker_init", "worker_abort"):
        config.set(hook, getattr(conf, hook))  # gunicorn checks the hooks' signatures


def test_a_slow_request_is_logged_with_its_url_when_it_ends(worker, monkeypatch):
    monkeypatch.setattr(conf, "SLOW_REQUEST_SECONDS", 0.05)
    conf.pre_request(worker, _request("/changes/12/?tab=gantt"))
    time.sleep(0.06)
    conf.post_request(
        worker, _request("/changes/12/?tab=gantt"), {}, SimpleNamespace(status="200 OK")
    )
    assert len(worker.log.lines) == 1
    level, line = worker.log.lines[0]
    assert level == "warning"
    assert line.startswith("Slow request: GET /changes/12/?tab=gantt took 0.")
    assert line.endswith("(status 200 OK)")
    assert conf._in_flight == {}


def test_a_quick_request_is_not_logged(worker):
    conf.pre_request(worker, _request("/healthz"))
    conf.post_request(worker, _request("/healthz"), {}, SimpleNamespace(status="200 OK"))
    assert worker.log.lines == []


def test_the_watchdog_logs_a_request_still_running_once(worker, monkeypatch):
    monkeypatch.setattr(conf, "SLOW_REQUEST_SECONDS", 0.1)
    conf.pre_request(worker, _request("/changes/12/"))  # this thread "serves" it
    conf.report_running(worker)
    assert worker.log.lines == []
    time.sleep(0.15)
    conf.report_running(worker)
    conf.report_running(worker)
    assert len(worker.log.lines) == 1
    assert worker.log.lines[0][1].startswith(
        "Slow request: GET /changes/12/ still running after 0."
    )


def test_an_aborted_worker_names_what_it_was_serving(worker):
    done = threading.Event()

    def serve_one() -> None:
        conf.pre_request(worker, _request("/changes/12/"))
        done.wait(5)

    thread = threading.Thread(target=serve_one)
    thread.start()
    time.sleep(0.05)
    conf.pre_request(worker, _request("/healthz"))
    conf.worker_abort(worker)
    done.set()
    thread.join()
    lines = sorted(line for _level, line in worker.log.lines)
    assert len(lines) == 2
    assert lines[0].startswith("Worker 4242 aborted (timeout) while serving GET /changes/12/ for ")
    assert lines[1].startswith("Worker 4242 aborted (timeout) while serving GET /healthz for ")
