"""gunicorn's configuration for ``tamdesk serve`` (``--config python:tamdesk.config.gunicorn``).

One slow request must not stall the site, so each worker process serves requests on a pool of
threads (``gthread``): a request that runs long holds one thread, the others keep answering. The
worker's ``--timeout`` then guards the process itself (a worker whose main loop stops answering is
restarted), not a request: a request is never cut off, so slow ones are logged instead, with their
URL:

- while it runs, once it has taken ``TAMDESK_SLOW_REQUEST_SECONDS`` (a watchdog thread per worker);
- when it ends, with its duration and status, if it took that long;
- when the worker is aborted (timeout) or exits, every request it was still serving.

Settings given on the command line or in ``GUNICORN_CMD_ARGS`` win over the values here.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from tamdesk.core.env import env_int

worker_class = "gthread"
threads = 4
timeout = 30
graceful_timeout = 30
keepalive = 5
# The longest request line (method, URL with its query, protocol) answered rather than refused
# with 414; gunicorn's maximum. The API schema documents the 414.
limit_request_line = 8190

SLOW_REQUEST_SECONDS = max(1, env_int("TAMDESK_SLOW_REQUEST_SECONDS", 10))


@dataclass
class InFlight:
    method: str
    uri: str
    started: float
    reported: bool = False

    def seconds(self) -> float:
        return time.monotonic() - self.started

    def describe(self) -> str:
        return f"{self.method} {self.uri}"


_lock = threading.Lock()
_in_flight: dict[int, InFlight] = {}  # by the id of the thread serving it


def pre_request(worker, req) -> None:
    with _lock:
        _in_flight[threading.get_ident()] = InFlight(req.method, req.uri, time.monotonic())


def post_request(worker, req, environ, resp) -> None:
    with _lock:
        request = _in_flight.pop(threading.get_ident(), None)
    if request is not None and request.seconds() >= SLOW_REQUEST_SECONDS:
        worker.log.warning(
            "Slow request: %s took %.1f s (status %s)",
            request.describe(),
            request.seconds(),
            getattr(resp, "status_code", getattr(resp, "status", "?")),
        )


def report_running(worker) -> None:
    """Log, once each, the requests running for ``SLOW_REQUEST_SECONDS`` or longer."""
    with _lock:
        slow = [r for r in _in_flight.values() if not r.reported]
        slow = [r for r in slow if r.seconds() >= SLOW_REQUEST_SECONDS]
        for request in slow:
            request.reported = True
    for request in slow:
        worker.log.warning(
            "Slow request: %s still running after %.1f s (worker %s)",
            request.describe(),
            request.seconds(),
            worker.pid,
        )


def _watch(worker) -> None:
    while True:
        time.sleep(min(1.0, SLOW_REQUEST_SECONDS / 2))
        report_running(worker)


def post_worker_init(worker) -> None:
    threading.Thread(target=_watch, args=(worker,), name="slow-requests", daemon=True).start()


def _log_unfinished(worker, why: str) -> None:
    with _lock:
        unfinished = list(_in_flight.values())
    for request in unfinished:
        worker.log.error(
            "Worker %s %s while serving %s for %.1f s",
            worker.pid,
            why,
            request.describe(),
            request.seconds(),
        )


def worker_abort(worker) -> None:
    """The arbiter aborts a worker that missed its ``timeout``: name what it was serving."""
    _log_unfinished(worker, "aborted (timeout)")


def worker_exit(server, worker) -> None:
    _log_unfinished(worker, "exited")
