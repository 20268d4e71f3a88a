"""Rendering: Jinja2 templates in Chinese by default (English with ``?lang=en``), every page
with the signed-in person, the language switch and, for forms, the CSRF token."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from events.vocabulary import Labelled, Notice, Trigger
from projections.models.facts import CHINA_TIME

TEMPLATES = Path(__file__).parent / "templates"
LANG_COOKIE = "rectify_lang"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.globals.update(Notice=Notice, triggers=list(Trigger))
"""What the notice form offers on every page that shows it."""


def language(request: Request) -> str:
    wanted = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "zh"
    return "en" if wanted == "en" else "zh"


def _written(day: date | None, lang: str) -> str:
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else day.isoformat()


def _moment(moment: datetime, lang: str) -> str:
    local = moment.astimezone(CHINA_TIME)
    return local.strftime("%Y年%m月%d日 %H:%M" if lang == "zh" else "%Y-%m-%d %H:%M")


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)

    def t(zh: str, en: str) -> str:
        return zh if lang == "zh" else en

    def label(value: Labelled) -> str:
        return value.label("en" if lang == "en" else "zh")

    html = _env.get_template(template).render(
        lang=lang,
        t=t,
        label=label,
        written=lambda d: _written(d, lang),
        moment=lambda m: _moment(m, lang),
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(
            LANG_COOKIE, lang, httponly=True, samesite="strict", max_age=365 * 24 * 3600
        )
    return response
