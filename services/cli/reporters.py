"""举报人信息: showing a reporter to who may see it (the service seals those typed at the desk:
``services.identity.filing``).

Everyone sees a reporter masked (138****5678). Name and phone in full come only through the
service's door: a signed-in reporter-data reader asks with a stated purpose (``--purpose``),
and the service, which holds the reporter key, records the access.
"""

from __future__ import annotations

from dataclasses import asdict
from uuid import UUID

import click

from events.lifecycle import Reporter
from events.subjects import HISTORY_QUERY, REPORTER_UNMASK_QUERY
from services.cli.options import Session, common_options
from services.cli.sending import ask
from services.reporters.privacy import Contact, masked


@click.command()
@common_options
@click.argument("problem_id", metavar="PROBLEM", type=click.UUID)
@click.option("--purpose", default=None,
              help="查看全文的事由（记入审计日志；仅举报人信息查阅人）/ why you need it in full")
def reporter(session: Session, problem_id: UUID, purpose: str | None) -> None:
    """举报人信息（默认脱敏；--purpose 申请查看全文）/ who reported a problem."""
    if purpose is not None:
        body = {"problem_id": str(problem_id), "purpose": purpose}
        unmasked = ask(session, REPORTER_UNMASK_QUERY, body, session.headers())
        _show(session, Contact(**unmasked["reporter"]))
        return
    recorded = ask(session, HISTORY_QUERY, {"problem_id": str(problem_id)},
                   session.headers())["events"][0]
    if recorded.get("reporter") is None:
        session.out.line("匿名举报，或非群众举报", "anonymous, or not reported by the public")
        return
    _show(session, masked(Reporter.model_validate(recorded["reporter"])))


def _show(session: Session, shown: Contact) -> None:
    if session.out.format == "json":
        session.out.json({k: v for k, v in asdict(shown).items() if v})
        return
    labels = (("姓名", "name"), ("电话", "phone"), ("邮箱", "e-mail"), ("微信", "WeChat"))
    for (zh, en), value in zip(labels, asdict(shown).values(), strict=True):
        if value:
            click.echo(f"{session.out.t(zh, en)}: {value}")
