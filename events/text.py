"""Constrained text types shared by events, submissions and commands.

What arrives from any channel is cleaned on the way in (``Input*``): Unicode NFC, control
characters removed (tab and newline kept in free text), and in names and identifiers also the
invisible characters that make look-alikes (bidirectional overrides, zero-width characters) and
runs of white space. So ``济水分局\\u0007`` and ``沁园\\u200b分局`` are the units they look like,
and nothing written downstream (a workbook, a terminal, a header) can be broken by them.
Recorded events keep the plain types: what they hold was cleaned before it was recorded.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import BaseModel, StringConstraints, model_validator

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 and C1 control characters but tab (09) and line feed (0a); carriage return goes too."""
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u180e]")
"""Zero-width characters, directional marks, embeddings, overrides and isolates."""
_OVERRIDES = re.compile(r"[\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]")
"""Zero-width spaces and directional embeddings, overrides and isolates: they hide or reorder
what a reader sees (zero-width joiners stay: emoji need them)."""
_SPACES = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """Free text as a person wrote it, minus what no person types: NFC, no control characters,
    no zero-width spaces or directional overrides."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    return _OVERRIDES.sub("", _CONTROLS.sub("", text)).strip()


def clean_name(text: str) -> str:
    """A name or identifier: NFC, one line, no invisible characters, single spaces."""
    text = _INVISIBLE.sub("", _CONTROLS.sub("", unicodedata.normalize("NFC", text)))
    return _SPACES.sub(" ", text).strip()


def fold_name(text: str) -> str:
    """A name for comparison only: full-width folded to half-width (NFKC), spaces removed."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", clean_name(text))).casefold()


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
"""Free text a person wrote: never empty, bounded."""

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
"""A person's, unit's or department's name."""

Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9+\-() ]{3,30}$")
]
"""A telephone number as people write it: digits, spaces, +, -, parentheses."""

ChannelId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]
"""The id a channel gives a submission (form id, Message-ID, WeChat MsgId, ticket, row key)."""


NAME_FIELDS = frozenset({"actor", "unit", "leader", "department", "approved_by", "filed_by",
                         "enterprise", "intake_id", "operator", "name", "target_unit"})
"""Fields that name someone or something, or identify it: cleaned as names."""


def _cleaned(value: Any, as_name: bool) -> Any:
    if isinstance(value, str):
        return clean_name(value) if as_name else clean_text(value)
    if isinstance(value, list | tuple):
        return [_cleaned(item, as_name) for item in value]
    if isinstance(value, dict):
        return {key: _cleaned(item, key in NAME_FIELDS) for key, item in value.items()}
    return value


class CleanInput(BaseModel):
    """A model of what comes in from outside: every text in it cleaned before validation."""

    @model_validator(mode="before")
    @classmethod
    def _clean(cls, data: Any) -> Any:
        return _cleaned(data, as_name=False) if isinstance(data, dict) else data
