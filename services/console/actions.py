"""Each console form as the fields of one staff command, read the way the CLI reads its flags
(dates as people write them, milestones as ``YYYY-MM-DD:内容`` lines)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.datastructures import FormData

from events.bilingual import BilingualError
from events.commands import (
    AnswerReporter,
    ApproveExtension,
    Assign,
    Close,
    ConfirmProposal,
    ExtendDeadline,
    NoteProgress,
    Propose,
    RefuseExtension,
    RequestExtension,
    ReturnProposal,
    SubmitFix,
    Triage,
    VerifyFix,
)
from events.lifecycle import Milestone
from events.vocabulary import Category, Channel, TypicalReason
from services.cli.dates import parse_date


class ActionRefusedError(BilingualError, ValueError):
    """A console form whose fields cannot make a command, said to the person."""


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value.strip() or None if isinstance(value, str) else None


def _date(form: FormData, name: str, zh: str, en: str) -> Any:
    text = _text(form, name)
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError:
        raise ActionRefusedError(
            f"{zh}无法识别：{text}（例如 2026年12月31日 或 2026-12-31）",
            f"{en} not understood: {text} (e.g. 2026-12-31)",
        ) from None


def _milestones(text: str | None) -> tuple[Milestone, ...]:
    steps = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        due, colon, what = line.replace("：", ":").partition(":")
        if not colon or not what.strip():
            raise ActionRefusedError(
                f"路线图节点应写作 日期:内容，每行一个：{line}",
                f"a milestone is date:what, one per line: {line}",
            )
        try:
            day = parse_date(due.strip())
        except ValueError:
            raise ActionRefusedError(
                f"路线图节点日期无法识别：{due}", f"milestone date not understood: {due}"
            ) from None
        steps.append(Milestone(due=day, description=what.strip()))
    return tuple(steps)


def triage(form: FormData, _: list[str]) -> dict[str, Any]:
    decline = _text(form, "decline_reason")
    category = _text(form, "category")
    duplicate = _text(form, "duplicate_of")
    return {
        "model": Triage,
        "category": Category(category) if category else None,
        "root_cause": _text(form, "root_cause"),
        "cause": _text(form, "cause"),
        "typical": form.get("typical") == "on",
        "typical_reasons": tuple(TypicalReason(str(r)) for r in form.getlist("typical_reasons")),
        "duplicate_of": duplicate,
        "decline_reason": decline,
    }


def assign(form: FormData, _: list[str]) -> dict[str, Any]:
    immediate = form.get("immediate") == "on"
    steps = _milestones(_text(form, "milestones"))
    if immediate and steps:
        raise ActionRefusedError(
            "立行立改的问题不设路线图节点", "a fix-on-the-spot problem has no milestones"
        )
    return {
        "model": Assign,
        "leader": _text(form, "leader"),
        "department": _text(form, "department"),
        "measures": _text(form, "measures"),
        "deadline": _date(form, "deadline", "整改时限", "deadline"),
        "immediate": immediate,
        "milestones": steps,
    }


def propose(form: FormData, _: list[str]) -> dict[str, Any]:
    """The unit's own four determinations; a deadline that is not a date is kept as written."""
    written = _text(form, "deadline")
    try:
        deadline = parse_date(written) if written else None
    except ValueError:
        deadline = None
    return {
        "model": Propose,
        "leader": _text(form, "leader"),
        "department": _text(form, "department"),
        "measures": _text(form, "measures"),
        "deadline": deadline,
        "deadline_as_written": written if written and deadline is None else None,
        "immediate": form.get("immediate") == "on",
    }


def confirm(form: FormData, _: list[str]) -> dict[str, Any]:
    """The office confirms the unit's proposal, completing (or replacing) what it names."""
    return {
        "model": ConfirmProposal,
        "leader": _text(form, "leader"),
        "department": _text(form, "department"),
        "measures": _text(form, "measures"),
        "deadline": _date(form, "deadline", "整改时限", "deadline"),
        "milestones": _milestones(_text(form, "milestones")),
    }


def return_proposal(form: FormData, _: list[str]) -> dict[str, Any]:
    return {"model": ReturnProposal, "reason": _text(form, "reason")}


def progress(form: FormData, _: list[str]) -> dict[str, Any]:
    milestone = _text(form, "milestone")
    return {
        "model": NoteProgress,
        "note": _text(form, "note"),
        "milestone": int(milestone) if milestone and milestone.isdigit() else None,
    }


def submit_fix(form: FormData, evidence: list[str]) -> dict[str, Any]:
    return {"model": SubmitFix, "summary": _text(form, "summary"), "evidence": tuple(evidence)}


def verify(form: FormData, _: list[str]) -> dict[str, Any]:
    reject = form.get("decision") == "reject"
    reason = _text(form, "reason")
    if reject and not reason:
        raise ActionRefusedError("退回须说明理由", "a send-back needs a reason")
    return {"model": VerifyFix, "reject_reason": reason if reject else None}


def close(_: FormData, __: list[str]) -> dict[str, Any]:
    return {"model": Close}


def answer(form: FormData, _: list[str]) -> dict[str, Any]:
    channel = _text(form, "channel")
    return {
        "model": AnswerReporter,
        "message": _text(form, "message"),
        "channel": Channel(channel) if channel else None,
    }


def extend(form: FormData, _: list[str]) -> dict[str, Any]:
    """The signed-in leader approves: ``approved_by`` is added as their name."""
    return {
        "model": ExtendDeadline,
        "deadline": _date(form, "deadline", "新的整改时限", "new deadline"),
        "reason": _text(form, "reason"),
    }


def request_extension(form: FormData, _: list[str]) -> dict[str, Any]:
    return {
        "model": RequestExtension,
        "deadline": _date(form, "deadline", "申请的整改时限", "deadline asked for"),
        "reason": _text(form, "reason"),
    }


def approve_extension(_: FormData, __: list[str]) -> dict[str, Any]:
    return {"model": ApproveExtension}


def refuse_extension(form: FormData, _: list[str]) -> dict[str, Any]:
    return {"model": RefuseExtension, "reason": _text(form, "reason")}


ACTIONS: dict[str, Callable[[FormData, list[str]], dict[str, Any]]] = {
    "triage": triage,
    "assign": assign,
    "propose": propose,
    "confirm": confirm,
    "return": return_proposal,
    "progress": progress,
    "submit-fix": submit_fix,
    "verify": verify,
    "close": close,
    "answer": answer,
    "extend": extend,
    "request-extension": request_extension,
    "approve-extension": approve_extension,
    "refuse-extension": refuse_extension,
}
"""The verb in the form's URL → how its fields become the command."""
