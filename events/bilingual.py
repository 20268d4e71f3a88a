"""Errors a person reads: what they say in Chinese (the default) and in English (on request)."""

from __future__ import annotations


class BilingualError(Exception):
    """Carries ``zh`` and ``en``; ``str()`` is the English, for logs."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en
