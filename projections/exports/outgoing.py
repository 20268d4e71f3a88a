"""What leaves the system as a file: text a document can hold, and packages that open.

Office files are XML, and XML 1.0 cannot hold most control characters: one NUL in a unit name
once made an unreadable workbook. So every export passes its text through ``printable`` on the
way out (the stored events keep what was recorded), and every Office package is parsed back
before it is handed over: an export that would not open fails with ``ExportError`` instead.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from xml.etree.ElementTree import ParseError

from defusedxml.ElementTree import fromstring

_NOT_PRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f"  # C0 controls other than tab, line feed, carriage return
    "\x7f-\x9f"  # DEL and the C1 controls: legal XML, but no reader shows them as text
    "\ud800-\udfff\ufffe\uffff]"  # lone surrogates and the two non-characters XML excludes
)

class ExportError(Exception):
    """An export could not be made whole; nothing of it may be handed out."""


def printable(text: str) -> str:
    """``text`` without the characters XML 1.0 (and so Excel and Word) cannot hold."""
    return _NOT_PRINTABLE.sub("", text)


def printable_all(value: object) -> object:
    """``value`` with ``printable`` applied to every string in it, through dicts and lists."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, Mapping):
        return {printable_all(k): printable_all(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable_all(item) for item in value]
    return value


def checked_package(data: bytes, what: str) -> bytes:
    """``data`` if it is a zip whose every XML part parses; else ``ExportError`` saying where."""
    part = ""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            for part in package.namelist():
                if part.endswith((".xml", ".rels")):
                    fromstring(package.read(part))
    except (zipfile.BadZipFile, ParseError) as broken:
        raise ExportError(f"{what} ({part or 'zip'}): {broken}") from broken
    return data
