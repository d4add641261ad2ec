"""The Russian catalogue is complete, consistent with its compiled .mo and used by Django."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

import tamdesk

CATALOGUE = Path(tamdesk.__file__).resolve().parent / "locale" / "ru" / "LC_MESSAGES"
PO_PATH = CATALOGUE / "django.po"
MO_PATH = CATALOGUE / "django.mo"
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[sd]")
RUSSIAN_PLURAL_FORMS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);"
)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("%%", "")))


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def test_the_catalogue_has_russian_headers(po):
    assert po.metadata["Language"] == "ru"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert po.metadata["Plural-Forms"] == RUSSIAN_PLURAL_FORMS


def test_every_entry_is_translated_and_none_is_fuzzy(po):
    assert len(po) > 0
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []
    assert not po.metadata_is_fuzzy


def test_plural_entries_fill_all_three_russian_forms(po):
    plural_entries = [entry for entry in po if entry.msgid_plural]

    assert plural_entries
    for entry in plural_entries:
        assert sorted(entry.msgstr_plural) == [0, 1, 2], entry.msgid
        assert all(entry.msgstr_plural.values()), entry.msgid


def test_translations_keep_the_placeholders_of_the_source(po):
    mismatches = []
    for entry in po:
        if entry.msgid_plural:
            expected = placeholders(entry.msgid_plural)
            translations = list(entry.msgstr_plural.values())
        else:
            expected = placeholders(entry.msgid)
            translations = [entry.msgstr]
        mismatches += [
            (entry.msgid, text) for text in translations if placeholders(text) != expected
        ]

    assert mismatches == []


def test_the_compiled_catalogue_matches_the_source(po):
    mo = polib.mofile(str(MO_PATH))

    def as_dict(catalogue):
        return {
            (entry.msgctxt, entry.msgid): (
                tuple(sorted(entry.msgstr_plural.items())) if entry.msgid_plural else entry.msgstr
            )
            for entry in catalogue
            if entry.msgid and not entry.obsolete and "fuzzy" not in entry.flags
        }

    assert as_dict(mo) == as_dict(po)


def test_django_translates_into_russian():
    with translation.override("ru"):
        assert translation.gettext("Clients") == "Клиенты"
        assert translation.ngettext("%(counter)s record", "%(counter)s records", 3) == (
            "%(counter)s записи"
        )
        assert translation.ngettext("%(counter)s record", "%(counter)s records", 5) == (
            "%(counter)s записей"
        )


@pytest.mark.django_db
def test_the_login_page_is_shown_in_russian(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="ru"' in content
    assert "Войти" in content
    assert "Пароль" in content
