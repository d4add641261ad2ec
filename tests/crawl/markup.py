"""Reading a rendered page as a browser would: the numbers in its markup and its visible text.

Used by the page crawl and by the tests of single pages (the Gantt chart in Russian, …)."""

from __future__ import annotations

import re
from collections.abc import Collection
from html.parser import HTMLParser

#: SVG presentation attributes that hold numbers (or lists of numbers).
SVG_NUMBER_ATTRIBUTES = frozenset(
    {
        "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry", "dx", "dy",
        "width", "height", "viewbox", "d", "points", "transform", "stroke-width",
        "stroke-dasharray", "font-size", "fill-opacity", "stroke-opacity", "opacity",
        "refx", "refy", "markerwidth", "markerheight", "offset",
    }
)  # fmt: skip
#: A decimal comma: a digit, a comma, a digit. SVG separates numbers with ", " (comma and a
#: space) or spaces only, and the pages' data attributes hold single numbers, ids and dates.
DECIMAL_COMMA = re.compile(r"\d,\d")
#: Elements whose text is not shown.
HIDDEN_TEXT = frozenset({"script", "style", "template"})
#: Attributes whose text a person reads (or hears).
TEXT_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
#: Elements without an end tag.
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


class PageReader(HTMLParser):
    """Collects the malformed numbers of a page and its visible text in the page's language, one
    chunk per text node or text attribute. Text inside an element in another language (its own
    ``lang``: a language's own name in the switch, a message stored in its recipient's
    language) is in ``foreign_texts``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.malformed: list[str] = []
        self.texts: list[str] = []
        self.foreign_texts: list[str] = []
        self.language = ""
        self.headings: list[str] = []  # the <title> and every <h1>, as shown
        self._heading: list[str] | None = None
        self._svg_depth = 0
        self._hidden_depth = 0
        self._foreign: list[list] = []  # [tag, open elements of that tag] of a foreign element

    def handle_starttag(self, tag, attrs):
        lang = dict(attrs).get("lang")
        if tag == "html":
            self.language = lang or ""
        elif self._foreign and tag == self._foreign[-1][0]:
            self._foreign[-1][1] += 1
        elif lang and lang != self.language and tag not in VOID:
            self._foreign.append([tag, 1])
        self._start(tag, attrs)
        if tag in ("title", "h1") and not self._svg_depth:
            self._heading = []
        if tag == "svg":
            self._svg_depth += 1
        if tag in HIDDEN_TEXT:
            self._hidden_depth += 1

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs)

    def handle_endtag(self, tag):
        if tag in ("title", "h1") and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None
        if self._foreign and tag == self._foreign[-1][0]:
            self._foreign[-1][1] -= 1
            if not self._foreign[-1][1]:
                self._foreign.pop()
        if tag == "svg" and self._svg_depth:
            self._svg_depth -= 1
        if tag in HIDDEN_TEXT and self._hidden_depth:
            self._hidden_depth -= 1

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)
        if not self._hidden_depth and data.strip():
            (self.foreign_texts if self._foreign else self.texts).append(data)

    def _start(self, tag, attrs):
        in_svg = self._svg_depth > 0 or tag == "svg"
        texts = self.foreign_texts if self._foreign else self.texts
        if tag != "html" and dict(attrs).get("lang", self.language) != self.language:
            texts = self.foreign_texts
        for name, value in attrs:
            if value is None:
                continue
            numeric = name.startswith("data-") or (in_svg and name in SVG_NUMBER_ATTRIBUTES)
            if numeric and DECIMAL_COMMA.search(value):
                self.malformed.append(f"<{tag} {name}={value!r}>")
            if name in TEXT_ATTRIBUTES and value.strip():
                texts.append(value)
        if tag == "input" and dict(attrs).get("type") in {"submit", "button"}:
            texts.append(dict(attrs).get("value") or "")


def read_page(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    reader.close()
    return reader


def malformed_numbers(html: str) -> list[str]:
    """The SVG and ``data-`` attributes of ``html`` holding a number with a decimal comma."""
    return read_page(html).malformed


#: Names written in lower case on purpose.
LOWER_CASE_NAMES = frozenset({"tamdesk"})


def lower_case_headings(reader: PageReader, *, known: Collection[str] = ()) -> list[str]:
    """The page's title and main headings that start with a lower-case letter (a model's
    verbose name used as a title, "политики SLA") — unless they start with a name: the product's,
    or one of the ``known`` names of records (a user name)."""
    names = LOWER_CASE_NAMES | set(known)
    return [
        text
        for text in reader.headings
        if text[:1].islower() and text.split(" ", 1)[0] not in names
    ]
