"""How an order (督办) or circular (通报) is shown: in the trail, on the board, as JSON."""

from __future__ import annotations

from datetime import date
from typing import Any

from projections.models.facts import local_date
from projections.models.supervision import NoticeLine
from services.cli.options import Session


def notice_headers(session: Session) -> list[str]:
    t = session.out.t
    return [t("单位", "unit"), t("类型", "kind"), t("编号", "no."), t("事由", "reason"),
            t("下发日", "issued"), t("下发人", "issued by"), t("回复期限", "respond by"),
            t("回复", "response"), t("问题编号", "problem id")]


def notice_state(session: Session, notice: NoticeLine, today: date) -> str:
    """已回复 (on which day), 逾期未回复, or 待回复."""
    t = session.out.t
    if notice.responded_at is not None:
        day = local_date(notice.responded_at).isoformat()
        return t(f"已回复（{day}）：{notice.response}", f"responded ({day}): {notice.response}")
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
            "response": notice.response or None, "response_overdue": notice.response_overdue}
