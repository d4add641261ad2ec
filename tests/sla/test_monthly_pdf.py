"""The monthly report's PDF renders, in the reader's language with times in the reader's zone:
its extracted text holds the client, the figures, the violations and — rendered in Russian —
Cyrillic text (the DejaVu font embedded, not boxes)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from tamdesk.sla import monthly
from tests.sla.reporting import build

pytestmark = pytest.mark.django_db
DEC_1 = dt.datetime(2026, 12, 1, 7, tzinfo=dt.UTC)


@pytest.fixture
def report(tam_client, users):
    build(tam_client, users)
    return monthly.generate_report(client=tam_client, month=dt.date(2026, 10, 1), now=DEC_1)


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_pdf_in_english_has_the_client_figures_and_violations(report):
    pdf = monthly.render_pdf(report, language="en", time_zone="Europe/Moscow")

    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    assert "SLA report of Acme Retail for October 2026" in text
    assert "Compliance per priority" in text
    # P1: two incidents, reaction 1 met 1 breached: 50.0 %.
    assert "P1 — critical 2 1 1 50.0" in text
    assert "Not investigated yet" in text
    assert "Times in Europe/Moscow." in text
    # The a2 breach of the reaction target: 10 October 10:30 UTC = 13:30 in Moscow.
    assert "10/10/2026 13:30" in text or "2026-10-10 13:30" in text
    assert "Draft, not approved yet." in text


def test_the_pdf_in_russian_has_cyrillic_text_and_the_readers_zone(report):
    pdf = monthly.render_pdf(report, language="ru", time_zone="Asia/Yekaterinburg")

    text = text_of(pdf)
    assert "Acme Retail" in text
    # Strings of the catalogue (the report's own come with the next catalogue update).
    assert "Нарушения SLA" in text
    assert "Октябрь 2026" in text
    assert "Архитектор" in text
    assert "Asia/Yekaterinburg" in text
    assert "15:30" in text  # 10:30 UTC in Yekaterinburg (UTC+5)
