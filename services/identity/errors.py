"""Why an identity request was refused: a stable code and the reason in both languages."""

from __future__ import annotations


class IdentityError(Exception):
    """A refusal: ``code`` for programs, ``zh``/``en`` for people."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code, self.zh, self.en = code, zh, en

    def info(self) -> dict[str, str]:
        return {"code": self.code, "zh": self.zh, "en": self.en}
