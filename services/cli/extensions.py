"""``rectify extension``: 申请延期 — a unit's staff member asks for a later deadline, the unit's
leader approves or refuses it (``rectify extend`` stays the leader's direct extension)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import click

from events.commands import ApproveExtension, RefuseExtension, RequestExtension
from projections.models.extensions import ExtensionRequest, read_extension_requests
from services.cli.dates import DATE
from services.cli.options import Session, common_options
from services.cli.reading import READ_STORE, ReadSource, open_store
from services.cli.sending import built
from services.cli.staff import EXPECTED_VERSION, PROBLEM, send_command


@click.group()
def extension() -> None:
    """延期申请：申请、批准、不予批准、查看 / extension requests."""


@extension.command("request")
@common_options
@PROBLEM
@click.option("--deadline", required=True, type=DATE, help="申请的整改时限")
@click.option("--reason", required=True, help="延期理由")
@EXPECTED_VERSION
def request(session: Session, problem_id: UUID, deadline: date, reason: str,
            expected_version: int | None) -> None:
    """申请延期（单位承办人）/ ask the unit's leader for a later deadline."""
    send_command(session, built(session, RequestExtension, problem_id=problem_id,
                                        deadline=deadline, reason=reason,
                                        expected_version=expected_version))


@extension.command("approve")
@common_options
@PROBLEM
@EXPECTED_VERSION
def approve(session: Session, problem_id: UUID, expected_version: int | None) -> None:
    """批准待审批的延期申请（单位负责人）/ approve the pending request."""
    send_command(session, built(session, ApproveExtension, problem_id=problem_id,
                                        expected_version=expected_version))


@extension.command("refuse")
@common_options
@PROBLEM
@click.option("--reason", required=True, help="不予批准的理由")
@EXPECTED_VERSION
def refuse(session: Session, problem_id: UUID, reason: str,
           expected_version: int | None) -> None:
    """不予批准待审批的延期申请（单位负责人）/ refuse the pending request."""
    send_command(session, built(session, RefuseExtension, problem_id=problem_id,
                                        reason=reason, expected_version=expected_version))


@extension.command("list")
@common_options
@click.option("--unit", default=None, help="只看此单位 / only this unit")
@click.option("--pending", is_flag=True, help="只看待审批的 / only those waiting")
@READ_STORE
def list_requests(session: Session, unit: str | None, pending: bool,
                  read_store: ReadSource) -> None:
    """延期申请及审批结果 / extension requests and what was decided."""
    store = open_store(session, read_store)
    try:
        found = read_extension_requests(store, {unit} if unit else None, pending_only=pending)
    finally:
        store.close()
    if session.out.format == "json":
        session.out.json({"requests": [request_record(r) for r in found]})
        return
    t, lang = session.out.t, session.out.lang
    session.out.table(
        [t("问题", "problem"), t("单位", "unit"), t("申请人", "asked by"),
         t("原时限", "deadline"), t("申请时限", "asked for"), t("理由", "reason"),
         t("状态", "state"), t("审批人", "decided by"), t("审批意见", "decision")],
        [[r.problem_id, r.unit, r.requested_by, r.current_deadline.isoformat(),
          r.deadline.isoformat(), r.reason, r.state.label(lang), r.decided_by or "",
          r.decision_reason or ""] for r in found])


def request_record(request: ExtensionRequest) -> dict[str, Any]:
    """One request as ``--format json`` writes it (here and on the board)."""
    return {**vars(request), "state": request.state.value,
            "requested_at": request.requested_at.isoformat(),
            "current_deadline": request.current_deadline.isoformat(),
            "deadline": request.deadline.isoformat(),
            "decided_at": request.decided_at.isoformat() if request.decided_at else None}


EXTENSION_COMMANDS = (extension,)
"""Registered by ``services.cli.main``."""
