"""Measuring text for paper: how many lines a cell's text wraps to, and so how tall its row is.

Spreadsheets do not grow a row to fit wrapped text when the file is written by a program (only
when a person edits the cell), so an export must set each row's height itself. Chinese
characters are full width, Latin letters and digits half: widths come from Unicode's East Asian
Width property, with ambiguous characters (“”、…) counted full width, as CJK fonts draw them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

PIXELS_PER_WIDTH_UNIT = 7
"""An Excel column width unit is one digit of the default font: 7 pixels at 96 dpi."""
CELL_PADDING_PIXELS = 5
LINE_SPACING = 1.3
"""Line height over font size, as Excel and LibreOffice lay out CJK fonts."""
ROW_PADDING_POINTS = 4.0
MAX_ROW_HEIGHT = 409.0
"""The tallest row a spreadsheet allows, in points."""


def char_width(char: str) -> int:
    """Half-width cells a character takes: 2 for CJK (and ambiguous), 0 for marks, else 1."""
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F", "A") else 1


def text_width(text: str) -> int:
    return sum(char_width(char) for char in text)


def cells_per_line(column_width: float, font_points: float) -> int:
    """Half-width cells that fit on one line of a column ``column_width`` units wide."""
    usable_pixels = column_width * PIXELS_PER_WIDTH_UNIT - CELL_PADDING_PIXELS
    half_cell_pixels = font_points * 96 / 72 / 2
    return max(2, int(usable_pixels // half_cell_pixels))


def wrapped_lines(text: str, capacity: int) -> int:
    """Lines ``text`` takes when wrapped at ``capacity`` half-width cells (a word of Latin
    letters moves to the next line whole, as spreadsheets wrap it)."""
    total = 0
    for paragraph in text.split("\n"):
        lines, used = 1, 0
        for word in _words(paragraph):
            width = text_width(word)
            if used + width > capacity and used > 0:
                lines, used = lines + 1, 0
            while width > capacity:  # longer than a line: broken wherever it must be
                lines, width = lines + 1, width - capacity
            used += width
        total += lines
    return total


def _words(text: str) -> Iterable[str]:
    """Full-width characters one by one; runs of half-width ones together with a space after."""
    word = ""
    for char in text:
        if char_width(char) == 2:
            if word:
                yield word
                word = ""
            yield char
        else:
            word += char
            if char == " ":
                yield word
                word = ""
    if word:
        yield word


def row_height(cells: Iterable[tuple[str, float]], font_points: float) -> float:
    """Points a row needs so that each (text, column width) cell shows all its lines."""
    lines = max((wrapped_lines(text, cells_per_line(width, font_points))
                 for text, width in cells), default=1)
    return min(MAX_ROW_HEIGHT, lines * font_points * LINE_SPACING + ROW_PADDING_POINTS)
