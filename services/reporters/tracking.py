"""查询编号: the tracking number a reporter gets, short enough to read out on a phone line.

``R-7K3F-9QXM``: 40 bits of an HMAC of the problem id under the tracking subkey, in Crockford's
base 32 (no I, L, O or U, so nothing is misread). Keyed, because problem ids derive from channel
ids that may be guessable (a hotline ticket number): without the key, nobody can compute another
reporter's number. Deterministic, so a re-sent report gets the same number again.
"""

from __future__ import annotations

import hmac
from uuid import UUID

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
DIGITS = 8


def tracking_number(key: bytes, problem_id: UUID) -> str:
    """The problem's tracking number, formatted for people: ``R-XXXX-XXXX``."""
    return formatted(code_of(key, problem_id))


def code_of(key: bytes, problem_id: UUID) -> str:
    """The 8 characters of the problem's tracking number: what an index keeps."""
    digest = hmac.digest(key, problem_id.bytes, "sha256")
    value = int.from_bytes(digest[:5], "big")
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(DIGITS)))


def formatted(code: str) -> str:
    """``R-XXXX-XXXX`` from the 8 characters."""
    return f"R-{code[:4]}-{code[4:]}"


def normalize(text: str) -> str | None:
    """The 8 characters of a tracking number however it was typed, or None if it is not one.

    The leading R is required: R is also a digit, so without it a number missing one
    character would read as another number.
    """
    cleaned = "".join(text.upper().split()).replace("-", "").translate(_READ_AS)
    code = cleaned[1:]
    if not cleaned.startswith("R") or len(code) != DIGITS or any(c not in ALPHABET for c in code):
        return None
    return code
