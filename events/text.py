"""Constrained text types shared by events, submissions and commands."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

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
