"""How an order (督办) or circular (通报) is shown: in the trail, on the board, as JSON."""

from __future__ import annotations

from datetime import date
from typing import Any

from projections.models.broadcasts import BroadcastLine
from projections.models.facts import local_date
from projections.models.supervision import NoticeLine
from services.cli.options import Session


def notice_headers(session: Session) -> list[str]:
    t = session.out.t
    return [t("单位", "unit"), t("类型", "kind"), t("编号", "no."), t("事由", "reason"),
            t("下发日", "issued"), t("下发人", "issued by"), t("回复期限", "respond by"),
            t("回复", "response"), t("问题编号", "problem id")]


def notice_state(session: Session, notice: NoticeLine, today: date) -> str:
    """已回复 (on which day), 已阅 / 待阅 (no response asked), 逾期未回复, or 待回复."""
    t = session.out.t
    if notice.responded_at is not None:
        day = local_date(notice.responded_at).isoformat()
        return t(f"已回复（{day}）：{notice.response}", f"responded ({day}): {notice.response}")
    if not notice.response_required:
        return t("已阅", "read") if notice.read_at is not None else t("待阅", "not read yet")
    if notice.response_overdue or notice.late(today):
        return t("逾期未回复", "overdue, no response")
    return t("待回复", "awaiting response")


def notice_cells(session: Session, notice: NoticeLine, today: date) -> list[object]:
    return [notice.unit, notice.notice.label(session.out.lang), notice.number, notice.reason,
            local_date(notice.issued_at).isoformat(), notice.issued_by,
            notice.due.isoformat() if notice.due else "", notice_state(session, notice, today),
            notice.problem_id]


def notice_record(notice: NoticeLine) -> dict[str, Any]:
    return {"unit": notice.unit, "problem_id": notice.problem_id or None,
            "notice": notice.notice.value, "number": notice.number, "reason": notice.reason,
            "issued_at": notice.issued_at.isoformat(), "issued_by": notice.issued_by,
            "due": notice.due.isoformat() if notice.due else None,
            "responded_at": notice.responded_at.isoformat() if notice.responded_at else None,
            "response": notice.response or None, "response_overdue": notice.response_overdue,
            "triggers": [t.value for t in notice.triggers], "broadcast": notice.broadcast or None,
            "response_required": notice.response_required,
            "read_at": notice.read_at.isoformat() if notice.read_at else None,
            "read_by": notice.read_by or None}


def broadcast_record(line: BroadcastLine) -> dict[str, Any]:
    """A circular to all units as JSON: who has read it, who must respond, who still owes."""
    return {"broadcast": line.broadcast, "reason": line.reason,
            "triggers": [t.value for t in line.triggers], "issued_at": line.issued_at.isoformat(),
            "issued_by": line.issued_by, "due": line.due.isoformat() if line.due else None,
            "read": line.read, "unread": line.unread, "responders": line.responders,
            "owing": line.owing}
