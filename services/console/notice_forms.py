"""The console's one notice form and its list's buttons, as ``events.notice_commands``.

One form issues an order or a circular on a problem, on a unit, or (a circular) to all units;
the list's buttons mark a notice read or answer it. The fields are read the way the CLI reads
its flags, and a refusal says what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from events.notice_commands import IssueNotice, MarkNoticeRead, NoticeCommand, RespondToNotice
from events.vocabulary import Notice, Trigger, Via
from services.console.actions import ActionRefusedError
from services.console.actions import _date as form_date


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value.strip() or None if isinstance(value, str) else None


def _target(form: FormData) -> dict[str, Any]:
    """``target`` = problem (with ``problem_id``), unit (with ``unit``) or all (all units)."""
    target = _text(form, "target") or ("problem" if _text(form, "problem_id") else "unit")
    if target == "problem":
        problem_id = _text(form, "problem_id")
        if problem_id is None:
            raise ActionRefusedError("缺少问题编号", "the problem id is missing")
        return {"problem_id": problem_id}
    if target == "unit":
        unit = _text(form, "unit")
        if unit is None:
            raise ActionRefusedError("请选择单位", "choose the unit")
        return {"unit": unit}
    if target != "all":
        raise ActionRefusedError("请选择对象：问题、单位或全体单位",
                                 "choose a problem, a unit or all units")
    return {}


def _kind(form: FormData) -> Notice:
    try:
        return Notice(_text(form, "notice") or "")
    except ValueError:
        raise ActionRefusedError("请选择督办或通报", "choose an order or a circular") from None


def _number(form: FormData) -> int:
    text = _text(form, "number") or ""
    if not text.isdigit():
        raise ActionRefusedError("缺少督办、通报的编号", "the notice's number is missing")
    return int(text)


def _built(model: type[NoticeCommand], **fields: Any) -> NoticeCommand:
    try:
        return model(via=Via.WEB, **fields)
    except ValidationError as invalid:
        first = invalid.errors(include_url=False)[0]
        message = str(first.get("ctx", {}).get("error", first["msg"]))
        zh, _, en = message.partition(" / ")
        field = ".".join(str(p) for p in first["loc"])
        if not en:
            zh, en = f"填写有误：{field or zh}", f"invalid {field}: {message}"
        raise ActionRefusedError(zh, en) from None


def issue_command(form: FormData, actor: str) -> NoticeCommand:
    """下发督办、通报 from the one form."""
    try:
        triggers = tuple(Trigger(t) for t in form.getlist("trigger") if isinstance(t, str))
    except ValueError:
        raise ActionRefusedError("事由不在通知所列之内",
                                 "not one of the notice's triggers") from None
    written = [v for v in form.getlist("responder") if isinstance(v, str)]
    written += re.split(r"[\n,，、;；]", _text(form, "responders_text") or "")
    responders = tuple(dict.fromkeys(u.strip() for u in written if u.strip()))
    return _built(IssueNotice, actor=actor, notice=_kind(form), reason=_text(form, "reason"),
                  due=form_date(form, "due", "回复期限", "reply due"), triggers=triggers,
                  responders=responders, **_target(form))


def respond_command(form: FormData, actor: str) -> NoticeCommand:
    return _built(RespondToNotice, actor=actor, notice=_kind(form), number=_number(form),
                  response=_text(form, "response"), **_target(form))


def read_command(form: FormData, actor: str) -> NoticeCommand:
    return _built(MarkNoticeRead, actor=actor, notice=_kind(form), number=_number(form),
                  **_target(form))


NOTICE_FORMS: dict[str, Callable[[FormData, str], NoticeCommand]] = {
    "issue": issue_command, "respond": respond_command, "read": read_command}
"""The verb in the form's URL → how its fields become the command."""
