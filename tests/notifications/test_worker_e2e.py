"""End to end, as an administrator does it: ``tamdesk worker`` running as a process, ``tamdesk
notifications send-test`` queueing a message that the worker delivers to a real SMTP server —
with the queue in the SQLite file of TAMDESK_HOME, and once in Redis."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest
import redis

from tests.notifications.test_queue import redis_or_skip
from tests.test_cli import TAMDESK, clean_env

REDIS_URL = "redis://127.0.0.1:6379/9"


def tamdesk(*args: str, env: dict[str, str], timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(TAMDESK), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory) -> Path:
    """A database migrated once by ``tamdesk migrate``, copied into each test's home."""
    home = tmp_path_factory.mktemp("migrated")
    result = tamdesk("migrate", "--no-input", "-v", "0", env=clean_env(home))
    assert result.returncode == 0, result.stderr
    return home / "tamdesk.sqlite3"


@pytest.fixture
def home(tmp_path, migrated_db) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(migrated_db, home / "tamdesk.sqlite3")
    return home


@pytest.fixture
def redis_db():
    """Redis database 9, empty, for this test alone (a lock keeps a concurrent run of the
    suite out of it)."""
    redis_or_skip(REDIS_URL)
    client = redis.Redis.from_url(REDIS_URL)
    lock = client.lock("tamdesk-tests:e2e", timeout=120, blocking_timeout=90)
    assert lock.acquire(), "Redis database 9 stayed busy with another test run"

    def flush() -> None:
        for key in client.scan_iter():
            if key != b"tamdesk-tests:e2e":
                client.delete(key)

    flush()
    yield REDIS_URL
    flush()
    lock.release()
    client.close()


class Worker:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [str(TAMDESK), "worker"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text()

    def stop(self) -> int:
        """Ctrl+C, as in a terminal: the worker finishes what it runs and exits."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


def send_test_through_a_worker(home: Path, smtp_server, **extra_env: str) -> None:
    env = clean_env(
        home,
        TAMDESK_SMTP_HOST="127.0.0.1",
        TAMDESK_SMTP_PORT=str(smtp_server.port),
        **extra_env,
    )
    worker = Worker(env, home / "worker.log")
    try:
        sent = tamdesk(
            "notifications", "send-test", "--to", "someone@example.com", "--wait", "30", env=env
        )
        assert sent.returncode == 0, f"{sent.stderr}\n--- worker:\n{worker.output()}"
        assert "Queued test e-mail #1 to someone@example.com." in sent.stdout
        assert "sent at " in sent.stdout
        [message] = smtp_server.messages
        assert message["To"] == "someone@example.com"
        assert message["Subject"] == "tamdesk test message"
    finally:
        code = worker.stop()
    assert code == 0, worker.output()
    assert "Consumer exiting" in worker.output()

    # With no worker running, the message waits and the command says why.
    waiting = tamdesk(
        "notifications", "send-test", "--to", "other@example.com", "--wait", "1", env=env
    )
    assert waiting.returncode != 0
    assert "still pending after 1 s: is a worker running" in waiting.stderr
    assert len(smtp_server.messages) == 1
    with sqlite3.connect(home / "tamdesk.sqlite3") as db:
        rows = db.execute(
            "SELECT address, status, attempts FROM notifications_notification ORDER BY id"
        ).fetchall()
    assert rows == [("someone@example.com", "sent", 1), ("other@example.com", "pending", 0)]


def test_a_worker_delivers_the_test_email_through_the_queue_file(home, smtp_server):
    send_test_through_a_worker(home, smtp_server)
    assert (home / "jobs.sqlite3").exists()


def test_a_worker_delivers_the_test_email_through_redis(home, smtp_server, redis_db):
    send_test_through_a_worker(home, smtp_server, TAMDESK_REDIS_URL=redis_db)
    assert redis.Redis.from_url(redis_db).llen("huey.redis.tamdesk") == 1  # the waiting one
