"""Finding English left on a Russian page: a visible text that is, whole, a message of the Russian
catalogue (with its placeholders filled in) whose translation differs from it.

Strict: every translated message is looked for, plural forms and placeholders included. Without
false positives: only whole texts match (a text node, a title or a label, whitespace collapsed), a
message needs a word of three letters or more besides its placeholders, and messages translated
as themselves (names, codes) are left out."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from pathlib import Path

import polib

import tamdesk

PO_PATH = Path(tamdesk.__file__).resolve().parent / "locale" / "ru" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[sd]|\{\{[^}]*\}\}")
WORD = re.compile(r"[A-Za-z]{3,}")
SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return SPACE.sub(" ", text).strip()


class Catalogue:
    """The English messages of the catalogue, as exact texts and as patterns."""

    def __init__(self, entries: Iterable[polib.POEntry]) -> None:
        self.exact: set[str] = set()
        self.patterns: dict[str, list[re.Pattern]] = defaultdict(list)
        for entry in entries:
            if entry.obsolete or not entry.translated():
                continue
            translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else []
            pairs = [(entry.msgid, entry.msgstr or (translations[0] if translations else ""))]
            if entry.msgid_plural:
                pairs.append((entry.msgid_plural, translations[-1]))
            for english, russian in pairs:
                self._add(normalise(english.replace("%%", "%")), normalise(russian))

    def _add(self, english: str, russian: str) -> None:
        if english == russian:
            return
        literal = PLACEHOLDER.sub(" ", english)
        words = WORD.findall(literal)
        if not words:
            return
        if not PLACEHOLDER.search(english):
            self.exact.add(english)
            return
        parts = PLACEHOLDER.split(english)
        pattern = re.compile(".+?".join(re.escape(part) for part in parts) + r"\Z")
        self.patterns[max(words, key=len).lower()].append(pattern)

    def is_english(self, text: str) -> bool:
        text = normalise(text)
        if text in self.exact:
            return True
        words = {word.lower() for word in WORD.findall(text)}
        return any(pattern.match(text) for word in words for pattern in self.patterns.get(word, ()))


@functools.cache
def catalogue() -> Catalogue:
    return Catalogue(polib.pofile(str(PO_PATH)))


def untranslated_texts(texts: Iterable[str], *, known: Collection[str] = ()) -> list[str]:
    """The texts (of a Russian page) that are messages of the catalogue left in English, but for
    the ``known`` texts (the names records were given)."""
    found = catalogue()
    chunks = {normalise(text) for text in texts}
    return sorted(text for text in chunks - set(known) if found.is_english(text))
