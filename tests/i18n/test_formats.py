"""Dates and times are written one way per language: ISO-like in English, the Russian way in
Russian — whichever named format a template asks for (``tamdesk.core.formats``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from tamdesk.core.templatetags.tamdesk_ui import hours
from tests.changes.factories import change

AT = dt.datetime(2022, 7, 25, 14, 5, tzinfo=dt.UTC)
EXPECTED = {
    "en": {"date": "2022-07-25", "datetime": "2022-07-25 14:05"},
    "ru": {"date": "25.07.2022", "datetime": "25.07.2022 14:05"},
}


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("{{ at }}", "datetime"),
        ('{{ at|date:"DATETIME_FORMAT" }}', "datetime"),
        ('{{ at|date:"SHORT_DATETIME_FORMAT" }}', "datetime"),
        ("{{ day }}", "date"),
        ("{{ at|date }}", "date"),
        ('{{ day|date:"SHORT_DATE_FORMAT" }}', "date"),
    ],
)
def test_every_named_format_writes_the_languages_way(language, source, kind):
    with translation.override(language), timezone.override("UTC"):
        text = Template(source).render(Context({"at": AT, "day": AT.date()}))

    assert text == EXPECTED[language][kind]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_change_page_writes_dates_in_the_languages_way(client, users, tam_client, language):
    made = change(tam_client, by=users.tam)
    made.committed_on = dt.date(2022, 7, 25)
    made.save(update_fields=["committed_on"])
    client.force_login(users.tam)

    content = client.get(
        reverse("changes:change_detail", args=[made.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    assert EXPECTED[language]["date"] in content
    assert "07/25/2022" not in content and "July 25, 2022" not in content


@pytest.mark.parametrize(
    ("value", "language", "text"),
    [
        (0, "en", "0"),
        (Decimal("40.00"), "en", "40"),
        (Decimal("2.50"), "en", "2.5"),
        (Decimal("0.25"), "en", "0.25"),
        (Decimal("2.50"), "ru", "2,5"),
        (Decimal("168.00"), "ru", "168"),
        (None, "en", "—"),
    ],
)
def test_hours_are_written_one_way(value, language, text):
    # The queue's load column mixed "0" and "40.00".
    with translation.override(language):
        assert hours(value) == text
