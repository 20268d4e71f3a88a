"""Finding problems by their text, unit or tracking code, among the units one may read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console import views
from services.console.access import readable_units
from services.console.context import today
from services.console.web import Web


def router(web: Web) -> APIRouter:
    router, console = APIRouter(), web.console

    @router.get("/search")
    async def search(request: Request, q: str = "") -> Response:
        session, staff = await web.signed_in(request)
        lines = await console.read(views.search, today(), q, console.tracking_key,
                                   readable_units(staff)) if q.strip() else []
        return web.page(request, "search.html", session, staff, q=q, lines=lines)

    return router
