"""What a person sees over HTTP: Chinese unless they ask for English; field errors in both."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from events.vocabulary import Language

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "channel": ("渠道", "channel"),
    "intake_id": ("编号", "intake id"),
    "unit": ("涉及单位", "unit"),
    "category": ("问题类别", "category"),
    "problem": ("执法问题", "problem"),
    "case": ("具体情况", "case"),
    "enterprise": ("涉及企业或地点", "enterprise or place"),
    "reporter": ("举报人", "reporter"),
    "reporter.name": ("姓名", "name"),
    "reporter.phone": ("电话", "phone"),
    "filed_by": ("填报人", "filed by"),
}

_REASONS_ZH = {
    "missing": "必须填写",
    "string_too_short": "不能为空",
    "string_too_long": "内容过长",
    "enum": "不是可选的值",
    "literal_error": "不是可选的值",
    "string_pattern_mismatch": "格式不正确",
    "json_invalid": "不是有效的 JSON",
    "extra_forbidden": "不认识的字段",
    "string_type": "应当是文字",
    "model_attributes_type": "应当是对象",
    "dict_type": "应当是对象",
}


def language(request: Request) -> Language:
    """``?lang=en`` first, then the browser's first preference; Chinese by default."""
    asked = request.query_params.get("lang")
    if asked in ("zh", "en"):
        return "en" if asked == "en" else "zh"
    preferred = request.headers.get("accept-language", "").split(",")[0].strip().lower()
    return "en" if preferred.startswith("en") else "zh"


@dataclass(frozen=True)
class FieldReason:
    """Why one field was refused, in both languages."""

    field: str
    zh: str
    en: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "zh": self.zh, "en": self.en}


def field_reasons(errors: Sequence[Any]) -> list[FieldReason]:
    """Pydantic's errors, without the request part of the location, said for people."""
    reasons: list[FieldReason] = []
    for error in errors:
        if error["type"] == "staff_fields":  # one model rule about several fields
            reasons.extend(FieldReason(f, f"{FIELD_LABELS[f][0]}：此渠道须填写",
                                       f"{f}: required for staff channels")
                           for f in error["ctx"]["fields"])
            continue
        location = [str(p) for p in error["loc"] if p not in ("body", "query", "path")]
        field = ".".join(location) or "(body)"
        zh_label, _ = FIELD_LABELS.get(field, (field, field))
        zh_reason = _REASONS_ZH.get(error["type"], error["msg"])
        reasons.append(FieldReason(field, f"{zh_label}：{zh_reason}", f"{field}: {error['msg']}"))
    return reasons
