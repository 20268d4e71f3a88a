"""Charts drawn on the server as SVG (no script, no chart library): horizontal bars, one per
row, each with its label and its figure written out, so the chart reads without colour too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

ROW_HEIGHT, LABEL_WIDTH, BAR_WIDTH, FIGURE_WIDTH = 26, 190, 360, 90


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str
    """The figure as written beside the bar (``85%``, ``3``)."""


def bars(title: str, rows: Sequence[Bar], colour: str = "#9b1c1c",
         top: float | None = None) -> Markup:
    """An accessible SVG bar chart; ``top`` is the full-length value (default: the largest)."""
    largest = top if top is not None else max((r.value for r in rows), default=0) or 1
    width = LABEL_WIDTH + BAR_WIDTH + FIGURE_WIDTH
    height = ROW_HEIGHT * max(len(rows), 1) + 8
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" '
             'xmlns="http://www.w3.org/2000/svg">', f"<title>{escape(title)}</title>"]
    for index, row in enumerate(rows):
        y = 4 + index * ROW_HEIGHT
        length = round(BAR_WIDTH * max(row.value, 0) / largest, 1)
        parts += [
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end" font-size="13" '
            f'fill="#1d2939">{escape(row.label)}</text>',
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{BAR_WIDTH}" height="16" '
            'fill="#f2f4f7"/>',
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length}" height="16" '
            f'fill="{colour}"/>',
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{y + 17}" font-size="13" '
            f'fill="#1d2939">{escape(row.shown)}</text>',
        ]
    if not rows:
        parts.append(f'<text x="{LABEL_WIDTH}" y="20" font-size="13" fill="#667085">—</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"
