"""A report written as free text (a WeChat message, an e-mail): what the problem and case are.

People may label lines (单位：…, 企业：…, 类别：…); what is left is the account itself. The
problem is its first sentence, the case the whole account.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PROBLEM_CHARS = 100
CASE_CHARS = 5000
_TRUNCATED = "……（内容过长，以下从略）"
_LABELLED = re.compile(r"^\s*(涉及单位|单位|企业|地点|类别|问题类别)\s*[:：]\s*(.+?)\s*$")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_FIELDS = {"涉及单位": "unit", "单位": "unit", "企业": "enterprise", "地点": "enterprise",
           "类别": "category", "问题类别": "category"}


@dataclass(frozen=True)
class FreeTextReport:
    problem: str
    case: str
    unit: str | None = None
    enterprise: str | None = None
    category: str | None = None


def read_free_text(text: str, subject: str | None = None) -> FreeTextReport | None:
    """The report in ``text`` (titled ``subject`` if any), or None when there is no text."""
    labels: dict[str, str] = {}
    account: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        labelled = _LABELLED.match(unicodedata.normalize("NFKC", line))
        if labelled and _FIELDS[labelled.group(1)] not in labels:
            labels[_FIELDS[labelled.group(1)]] = labelled.group(2)
        else:
            account.append(line.rstrip())
    body = "\n".join(account).strip()
    title = (subject or "").strip()
    if not body and not title:
        return None
    return FreeTextReport(
        problem=_clip(title or _first_sentence(body), PROBLEM_CHARS, "…"),
        case=_clip(body or title, CASE_CHARS, _TRUNCATED),
        unit=labels.get("unit"), enterprise=labels.get("enterprise"),
        category=labels.get("category"),
    )


def _first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0].strip() or text.strip()


def _clip(text: str, limit: int, marker: str) -> str:
    return text if len(text) <= limit else text[: limit - len(marker)] + marker
