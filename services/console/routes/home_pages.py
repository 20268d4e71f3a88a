"""Each role's own desk: the campaign office's inbox and queues (to triage, assign, confirm
plans, verify, close and answer), and a unit's problems, orders and extension requests."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response

from events.vocabulary import ProblemStatus
from projections.models.extensions import read_extension_requests
from services.console import views
from services.console.access import may
from services.console.context import today
from services.console.web import Web


def router(web: Web) -> APIRouter:
    router, console = APIRouter(), web.console

    @router.get("/office")
    async def office(request: Request) -> Response:
        session, staff = await web.signed_in(request)
        if not may(staff, "problem.triage"):
            await web.forbidden(request, staff, "office")
        lines: list[views.ProblemLine] = await console.read(views.problem_lines, today())
        by = _by_status(lines)
        unanswered = [
            p
            for p in lines
            if p.channel.is_public
            and not p.answered
            and p.status in (ProblemStatus.VERIFIED, ProblemStatus.CLOSED)
        ]
        inbox = await console.read(
            views.with_intake, by(ProblemStatus.REPORTED), console.tracking_key
        )
        proposals = await console.read(views.pending_proposals)
        return web.page(
            request,
            "office.html",
            session,
            staff,
            inbox=inbox,
            to_assign=by(ProblemStatus.TRIAGED),
            proposed=[p for p in lines if p.problem_id in proposals],
            to_verify=by(ProblemStatus.FIX_SUBMITTED),
            to_close=by(ProblemStatus.VERIFIED),
            unanswered=unanswered,
            rectifying=by(ProblemStatus.RECTIFYING),
        )

    @router.get("/unit")
    async def unit(request: Request) -> Response:
        session, staff = await web.signed_in(request)
        units = {u for u in staff.units("unit_staff", "unit_leader") if u is not None}
        if not units:
            await web.forbidden(request, staff, "unit")
        lines = await console.read(views.problem_lines, today(), units)
        orders = await console.read(views.open_notices, units)
        unit_orders = await console.read(views.open_unit_notices, units)
        extensions = await console.read(read_extension_requests, units, None, True)
        return web.page(
            request,
            "unit.html",
            session,
            staff,
            units=sorted(units),
            lines=lines,
            leader=staff.holds("unit_leader"),
            orders=orders,
            unit_orders=unit_orders,
            extensions=extensions,
        )

    return router


def _by_status(
    lines: list[views.ProblemLine],
) -> Callable[[ProblemStatus], list[views.ProblemLine]]:
    def of(status: ProblemStatus) -> list[views.ProblemLine]:
        return [p for p in lines if p.status is status]

    return of
