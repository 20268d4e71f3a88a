"""``rectify summary``: the campaign summary (总结), per unit and overall, md / xlsx / json."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from projections.facts import local_date
from projections.summary import read_summary
from projections.summary_export import to_json, to_markdown, to_xlsx
from services.cli.options import Session, common_options
from services.cli.reading import (
    AS_OF,
    OUTPUT,
    READ_STORE,
    ReadSource,
    emit,
    open_store,
    today_in_china,
    views_as_of,
)

SUMMARY_MODELS = ("problems", "supervision", "stages")
"""What the summary reads: the read models an as-of view must rebuild."""


@click.command()
@common_options(formats=("md", "xlsx", "json"))
@click.option("--unit", default=None, help="只看此单位 / only this unit")
@AS_OF
@OUTPUT
@READ_STORE
def summary(session: Session, unit: str | None, as_of: datetime | None, output: Path | None,
            read_store: ReadSource) -> None:
    """专项整治工作总结（数据）：按单位和全局 / the campaign summary, per unit and overall."""
    if as_of is not None:
        store, today = session.run(views_as_of(session, as_of, SUMMARY_MODELS)), local_date(as_of)
    else:
        store, today = open_store(session, read_store), today_in_china()
    try:
        figures = read_summary(store, today, unit)
    finally:
        store.close()
    if unit is not None and not figures.units:
        session.out.fail(f"没有“{unit}”的数据", f"nothing recorded for {unit!r}")
    lang = session.out.lang
    if session.out.format == "xlsx":
        data = to_xlsx(figures, lang)
    elif session.out.format == "json":
        data = to_json(figures).encode("utf-8")
    else:
        data = to_markdown(figures, lang).encode("utf-8")
    name = f"{'总结' if lang == 'zh' else 'summary'}-{unit or '全部单位'}-{today}.xlsx"
    emit(session, data, output, name)
