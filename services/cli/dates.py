"""Dates and times as people write them: 2023-03-05, 2023/3/5, 2023.3.5, 2023年3月5日, 3月5日."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime

import click

from services.clock import china_date, system_clock

_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_MONTH_DAY = re.compile(r"^\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?\s*$")
_DATETIME = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?[\sT]*(\d{1,2})[:时](\d{1,2})"
    r"(?:[:分](\d{1,2})秒?)?\s*$"
)


def parse_date(text: str) -> date:
    """A calendar date from the ways people write one; full-width digits are fine. Without a
    year (3月5日) it is this year's, by the clock (``RECTIFY_NOW``)."""
    normal = unicodedata.normalize("NFKC", text)
    if match := _DATE.match(normal):
        year, month, day = (int(g) for g in match.groups())
        return date(year, month, day)
    if match := _MONTH_DAY.match(normal):
        month, day = (int(g) for g in match.groups())
        return date(china_date(system_clock()).year, month, day)
    raise ValueError(text)


def parse_datetime(text: str) -> datetime:
    """A moment: a date (its end of day is not implied: midnight) or a date with a time."""
    normal = unicodedata.normalize("NFKC", text)
    match = _DATETIME.match(normal)
    if match:
        y, mo, d, h, mi = (int(g) for g in match.groups()[:5])
        s = int(match.group(6) or 0)
        return datetime(y, mo, d, h, mi, s).astimezone(UTC)
    day = parse_date(normal)
    return datetime(day.year, day.month, day.day).astimezone(UTC)


class DateParam(click.ParamType[date]):
    name = "DATE"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_date(str(value))
        except ValueError:
            self.fail(f"无法识别的日期 {value!r}（例如 2023-03-05、2023年3月5日 或 3月5日）",
                      param, ctx)


class MilestoneParam(click.ParamType[tuple[date, str]]):
    """``YYYY-MM-DD:TEXT``: one dated step of a roadmap."""

    name = "DATE:TEXT"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> tuple[date, str]:
        text = unicodedata.normalize("NFKC", str(value))
        head, sep, description = text.partition(":")
        try:
            if not sep or not description.strip():
                raise ValueError(text)
            return parse_date(head), description.strip()
        except ValueError:
            self.fail(f"节点应写成 日期:内容，例如 2023-03-20:完成案卷评查，而不是 {value!r}",
                      param, ctx)


DATE = DateParam()
MILESTONE = MilestoneParam()
