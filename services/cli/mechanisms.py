"""``rectify mechanism``: 建章立制, a rule, procedure or lasting mechanism a unit adopted."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import click

from events.commands import AdoptMechanism
from events.vocabulary import Category, MechanismKind
from services.cli.dates import DATE
from services.cli.options import Session, common_options
from services.cli.staff import VocabularyParam
from services.cli.supervision import send_unit_command


@click.command()
@common_options
@click.argument("unit")
@click.option("--title", required=True, help="制度或机制名称")
@click.option("--kind", required=True, type=VocabularyParam(MechanismKind),
              help="规章制度 / 工作流程 / 长效机制")
@click.option("--adopted-on", required=True, type=DATE, help="印发或施行日期")
@click.option("--document", default=None, help="文号，如 济环法〔2023〕5号")
@click.option("--problem", "problems", multiple=True, type=click.UUID,
              help="针对的问题（可多次）")
@click.option("--category", "categories", multiple=True, type=VocabularyParam(Category),
              help="针对的问题类别（可多次）")
@click.option("--expected-version", type=int, default=None)
def mechanism(session: Session, unit: str, title: str, kind: MechanismKind, adopted_on: date,
              document: str | None, problems: tuple[UUID, ...],
              categories: tuple[Category, ...], expected_version: int | None) -> None:
    """建章立制：记录单位建立的制度、流程或长效机制 / record a mechanism a unit adopted."""
    send_unit_command(session, AdoptMechanism, unit=unit, title=title, kind=kind,
                      adopted_on=adopted_on, document=document, problems=problems,
                      categories=categories, expected_version=expected_version)


MECHANISM_COMMANDS = (mechanism,)
"""Registered by ``services.cli.main``."""
