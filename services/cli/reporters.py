"""举报人信息: sealing a reporter typed on the command line, and showing one to who may see it.

Everyone sees a reporter masked (138****5678); only the actors named in
``RECTIFY_REPORTER_READERS``, on a machine that holds the reporter key, see name and phone.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

import click

from events.lifecycle import Reporter
from events.subjects import HISTORY_QUERY
from services.cli.client import connected, request
from services.cli.options import Session, common_options
from services.intake.keys import IntakeKeys, MissingKeyError
from services.intake.privacy import Contact, masked, seal, unseal
from services.runtime.config import IntakeSettings, Settings


def session_keys(session: Session) -> IntakeKeys:
    """The reporter key of the session's data directory (or ``RECTIFY_REPORTER_KEY``)."""
    try:
        return IntakeKeys.for_settings(Settings(data_dir=session.data_dir))
    except MissingKeyError as missing:
        session.out.fail(f"没有举报人信息密钥 {missing}：请先运行一次 rectify up，"
                         "或设置 RECTIFY_REPORTER_KEY",
                         f"no reporter key at {missing}: run `rectify up` once or set "
                         "RECTIFY_REPORTER_KEY")


def sealed_reporter(session: Session, name: str | None, phone: str | None) -> Reporter | None:
    """The reporter as events carry it: sealed, masked; None when nothing was given."""
    if not (name or phone):
        return None
    return seal(session_keys(session).cipher, Contact(name=name, phone=phone))


@click.command()
@common_options
@click.argument("problem_id", metavar="PROBLEM", type=click.UUID)
def reporter(session: Session, problem_id: UUID) -> None:
    """举报人信息（授权人员可见全文）/ who reported a problem (unmasked only for readers)."""
    async def fetch() -> dict[str, Any]:
        async with connected(session.url()) as client:
            return await request(client, HISTORY_QUERY, {"problem_id": str(problem_id)})

    answer = session.run(fetch())
    if not answer.get("ok"):
        error = answer.get("error") or {}
        session.out.fail(error.get("zh", "查询失败"), error.get("en", "query failed"))
    recorded = answer["events"][0].get("reporter")
    if recorded is None:
        session.out.line("匿名举报，或非群众举报", "anonymous, or not reported by the public")
        return
    shown = _shown(session, Reporter.model_validate(recorded))
    if session.out.format == "json":
        session.out.json({k: v for k, v in asdict(shown).items() if v})
        return
    labels = (("姓名", "name"), ("电话", "phone"), ("邮箱", "e-mail"), ("微信", "WeChat"))
    for (zh, en), value in zip(labels, asdict(shown).values(), strict=True):
        if value:
            click.echo(f"{session.out.t(zh, en)}: {value}")


def _shown(session: Session, recorded: Reporter) -> Contact:
    if session.actor not in IntakeSettings.from_env().reporter_readers:
        return masked(recorded)
    return unseal(session_keys(session).cipher, recorded)
