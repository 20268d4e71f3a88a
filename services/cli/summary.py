"""``rectify summary``: the campaign summary (总结), per unit and overall, md / xlsx / json, and
as an official document (docx) from a template a bureau may replace."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from projections.engine.store import ReadStore
from projections.exports.summary_document import DEFAULT_TEMPLATE, document_context, to_docx
from projections.exports.summary_export import to_json, to_markdown, to_xlsx
from projections.models.facts import local_date
from projections.models.ledger import read_ledger
from projections.models.summary import Summary, read_summary
from projections.models.supervision import read_notices
from services.cli.freshness import stale_notice
from services.cli.options import Session, common_options
from services.cli.read_access import check_read
from services.cli.reading import (
    AS_OF,
    OUTPUT,
    READ_STORE,
    ReadSource,
    emit,
    exported,
    open_store,
    today_in_china,
    views_as_of,
)

SUMMARY_MODELS = ("problems", "supervision", "stages", "ledger", "mechanisms", "plans")
"""What the summary reads: the read models an as-of view must rebuild."""
TEMPLATE_IN_DATA_DIR = Path("templates") / "summary.docx"
"""A bureau's own template, when it keeps one in the data directory."""
_SUFFIX = {"xlsx": "xlsx", "docx": "docx", "json": "json", "md": "md"}


def summary_template(data_dir: Path) -> Path:
    """A bureau's own template in the data directory, else the one rectify ships."""
    own = data_dir / TEMPLATE_IN_DATA_DIR
    return own if own.is_file() else DEFAULT_TEMPLATE


def _template(session: Session, explicit: Path | None) -> Path:
    return explicit if explicit is not None else summary_template(session.data_dir)


def _document(session: Session, store: ReadStore, figures: Summary, today: date,
              unit: str | None, template: Path, issuer: str) -> bytes:
    context = document_context(figures, read_ledger(store, today, unit),
                               read_notices(store, unit), issuer)
    return exported(session, lambda: to_docx(context, template))


@click.command()
@common_options(formats=("md", "xlsx", "json", "docx"))
@click.option("--unit", default=None, help="只看此单位 / only this unit")
@AS_OF
@OUTPUT
@READ_STORE
@click.option("--template", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              envvar="RECTIFY_SUMMARY_TEMPLATE", default=None,
              help="docx 模板（默认：数据目录 templates/summary.docx，否则内置模板）"
                   " / the Word template for --format docx")
@click.option("--issuer", default="", help="落款单位（默认为所选单位）/ the issuing body (docx)")
def summary(session: Session, unit: str | None, as_of: datetime | None, output: Path | None,
            read_store: ReadSource, template: Path | None, issuer: str) -> None:
    """专项整治工作总结：按单位和全局，数据或公文稿（docx）/ the campaign summary."""
    check_read(session, "summary", unit)
    if as_of is not None:
        store, today = session.run(views_as_of(session, as_of, SUMMARY_MODELS)), local_date(as_of)
    else:
        store, today = open_store(session, read_store), today_in_china()
    try:
        figures = read_summary(store, today, unit)
        if unit is not None and not figures.units:
            session.out.fail(f"没有“{unit}”的数据", f"nothing recorded for {unit!r}")
        lang, fmt = session.out.lang, session.out.format
        if fmt == "docx":
            data = _document(session, store, figures, today, unit, _template(session, template),
                             issuer)
        elif fmt == "xlsx":
            notice = stale_notice(session)
            data = exported(session, lambda: to_xlsx(figures, lang, notice))
        elif fmt == "json":
            data = to_json(figures).encode("utf-8")
        else:
            data = to_markdown(figures, lang).encode("utf-8")
    finally:
        store.close()
    name = f"{'总结' if lang == 'zh' else 'summary'}-{unit or '全部单位'}-{today}.{_SUFFIX[fmt]}"
    emit(session, data, output, name)
