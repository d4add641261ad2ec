"""``/healthz`` says which dependency failed, never its internals (host, port, database name)."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from rest_framework.test import APIClient

SECRET_DETAILS = 'connection to server at "db.internal" (10.0.0.5), port 5432 failed: tamdesk_prod'


@pytest.mark.django_db
def test_a_database_down_is_named_without_its_details(monkeypatch, caplog):
    from tamdesk.core import views

    class Down:
        def cursor(self):
            raise OperationalError(SECRET_DETAILS)

        vendor = "postgresql"

    monkeypatch.setattr(views, "connection", Down())
    response = APIClient().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"status": "error", "error": "unavailable"}
    assert response.json()["status"] == "error"
    assert "db.internal" not in response.content.decode()
    assert "5432" not in response.content.decode()
    # The operator finds the reason in the log.
    assert SECRET_DETAILS in caplog.text
