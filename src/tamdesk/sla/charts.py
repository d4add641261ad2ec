"""The charts the SLA pages and the monthly report draw as SVG on the server (no script, nothing
from a CDN): the templates place the shapes whose coordinates are computed here, as plain strings
— never through the locale's number format (Russian writes ``220,0``)."""

from __future__ import annotations

from dataclasses import dataclass

from tamdesk.sla import reports


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    height: str
    kind: str
    percent: float


@dataclass(frozen=True)
class Column:
    label: str
    x: str
    bars: tuple[Bar, ...]


def compliance_chart(rows: list[reports.Row], *, height: int = 160, step: int = 56) -> dict:
    """Bars of reaction and resolution compliance per month: coordinates as plain strings (never
    through the locale's number format). A month with nothing decided has no bar."""
    columns = []
    for i, row in enumerate(rows):
        bars = []
        for j, kind in enumerate(reports.KINDS):
            percent = getattr(row, kind).compliance_percent
            if percent is None:
                continue
            h = round(height * percent / 100, 1)
            x = 40 + i * step + j * 20
            bars.append(Bar(str(x), f"{10 + height - h:.1f}", f"{h:.1f}", kind, percent))
        columns.append(Column(row.month, str(40 + i * step + 18), tuple(bars)))
    return {
        "columns": columns,
        "width": str(40 + max(len(rows), 1) * step),
        "height": str(height + 40),
        "base": str(10 + height),
        "mid": str(10 + height // 2),
        "top": "10",
        "label_y": str(height + 28),
    }
