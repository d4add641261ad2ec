"""The typed readers of TAMDESK_* variables (tamdesk.core.env) behind the settings module."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from tamdesk.core.env import data_home, env_bool, env_list, env_str, secret_key


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " True "])
def test_env_bool_reads_true(monkeypatch, raw):
    monkeypatch.setenv("TAMDESK_X", raw)

    assert env_bool("TAMDESK_X", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "off", ""])
def test_env_bool_reads_false(monkeypatch, raw):
    monkeypatch.setenv("TAMDESK_X", raw)

    assert env_bool("TAMDESK_X", True) is False


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_unset_gives_the_default(monkeypatch, default):
    monkeypatch.delenv("TAMDESK_X", raising=False)

    assert env_bool("TAMDESK_X", default) is default


@pytest.mark.parametrize("raw", ["2", "maybe", "enabled", "y"])
def test_env_bool_refuses_anything_else_and_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv("TAMDESK_X", raw)

    with pytest.raises(ImproperlyConfigured, match=r"TAMDESK_X must be a boolean"):
        env_bool("TAMDESK_X", False)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("TAMDESK_X", " tamdesk.example, ,10.0.0.5,  localhost ,")

    assert env_list("TAMDESK_X", ["default"]) == ["tamdesk.example", "10.0.0.5", "localhost"]


def test_env_list_set_but_empty_is_an_empty_list(monkeypatch):
    monkeypatch.setenv("TAMDESK_X", "")

    assert env_list("TAMDESK_X", ["default"]) == []


def test_env_list_unset_gives_the_default(monkeypatch):
    monkeypatch.delenv("TAMDESK_X", raising=False)

    assert env_list("TAMDESK_X", ["a", "b"]) == ["a", "b"]


def test_env_str_unset_gives_the_default(monkeypatch):
    monkeypatch.delenv("TAMDESK_X", raising=False)

    assert env_str("TAMDESK_X", "UTC") == "UTC"


def test_data_home_creates_the_configured_directory(monkeypatch, tmp_path):
    home = tmp_path / "nested" / "tamdesk"
    monkeypatch.setenv("TAMDESK_HOME", str(home))

    assert data_home() == home
    assert home.is_dir()


def test_data_home_defaults_to_the_xdg_data_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("TAMDESK_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))

    assert data_home() == tmp_path / "xdg" / "tamdesk"
    assert (tmp_path / "xdg" / "tamdesk").is_dir()


def test_secret_key_is_generated_once_and_reused(monkeypatch, tmp_path):
    monkeypatch.delenv("TAMDESK_SECRET_KEY", raising=False)

    first = secret_key(tmp_path)
    second = secret_key(tmp_path)

    assert first == second
    assert len(first) >= 50
    assert (tmp_path / "secret_key").read_text(encoding="utf-8") == first
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_secret_key_differs_between_homes(monkeypatch, tmp_path):
    monkeypatch.delenv("TAMDESK_SECRET_KEY", raising=False)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()

    assert secret_key(tmp_path / "a") != secret_key(tmp_path / "b")


def test_secret_key_from_the_environment_wins_and_writes_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("TAMDESK_SECRET_KEY", "configured-key")

    assert secret_key(tmp_path) == "configured-key"
    assert not (tmp_path / "secret_key").exists()


def test_secret_key_reads_an_existing_file(monkeypatch, tmp_path):
    monkeypatch.delenv("TAMDESK_SECRET_KEY", raising=False)
    (tmp_path / "secret_key").write_text("kept-from-last-run\n", encoding="utf-8")

    assert secret_key(tmp_path) == "kept-from-last-run"


def _load_settings(tmp_path, **env: str) -> subprocess.CompletedProcess:
    """Import the settings module in a fresh interpreter with only ``env`` as TAMDESK_*."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("TAMDESK_")}
    clean.update({"TAMDESK_HOME": str(tmp_path / "home"), **env})
    code = (
        "import json; from tamdesk.config import settings as s; print(json.dumps({"
        "'DEBUG': s.DEBUG, 'ALLOWED_HOSTS': s.ALLOWED_HOSTS, 'TIME_ZONE': s.TIME_ZONE, "
        "'SSL': s.SECURE_SSL_REDIRECT, 'HSTS': s.SECURE_HSTS_SECONDS, "
        "'ENGINE': s.DATABASES['default']['ENGINE'], 'NAME': str(s.DATABASES['default']['NAME']), "
        "'SECRET_KEY': s.SECRET_KEY}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=60
    )


def test_settings_defaults_are_safe_without_configuration(tmp_path):
    result = _load_settings(tmp_path)

    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["DEBUG"] is False
    assert loaded["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]"]
    assert loaded["TIME_ZONE"] == "UTC"
    assert loaded["SSL"] is False
    assert loaded["ENGINE"] == "django.db.backends.sqlite3"
    assert loaded["NAME"] == str(tmp_path / "home" / "tamdesk.sqlite3")
    assert loaded["SECRET_KEY"] == (tmp_path / "home" / "secret_key").read_text(encoding="utf-8")


def test_settings_read_the_production_variables(tmp_path):
    result = _load_settings(
        tmp_path,
        TAMDESK_DEBUG="0",
        TAMDESK_HTTPS="1",
        TAMDESK_ALLOWED_HOSTS="tamdesk.example,tamdesk.internal",
        TAMDESK_TIME_ZONE="Europe/Moscow",
        TAMDESK_DATABASE_URL="postgres://tamdesk@db.internal:5432/tamdesk",
        TAMDESK_SECRET_KEY="k" * 60,
    )

    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["ALLOWED_HOSTS"] == ["tamdesk.example", "tamdesk.internal"]
    assert loaded["TIME_ZONE"] == "Europe/Moscow"
    assert loaded["SSL"] is True
    assert loaded["HSTS"] == 31_536_000
    assert loaded["ENGINE"] == "django.db.backends.postgresql"
    assert loaded["NAME"] == "tamdesk"
    assert loaded["SECRET_KEY"] == "k" * 60
    assert not (tmp_path / "home" / "secret_key").exists()


def test_settings_refuse_a_bad_boolean(tmp_path):
    result = _load_settings(tmp_path, TAMDESK_DEBUG="maybe")

    assert result.returncode != 0
    assert "ImproperlyConfigured: TAMDESK_DEBUG must be a boolean" in result.stderr
