"""The campaign calendar (专项整治行动): phases, due dates, units, and how early to warn.

A campaign is a TOML file; without one, the defaults reproduce the 2023 notice. Where the file
is: ``--campaign``, else ``$RECTIFY_CAMPAIGN``, else ``<data dir>/campaign.toml`` if present.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from events.text import Name
from events.vocabulary import Filing, Language

CAMPAIGN_FILE = "campaign.toml"
CAMPAIGN_ENV = "RECTIFY_CAMPAIGN"

PhaseKey = Literal["collection", "rectification", "summary"]
PHASE_LABELS: dict[PhaseKey, tuple[str, str]] = {
    "collection": ("问题收集阶段", "collection"),
    "rectification": ("问题整改阶段", "rectification"),
    "summary": ("总结提升阶段", "summary"),
}


class Phase(BaseModel):
    """One phase of the campaign, both days included."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date
    end: date

    @model_validator(mode="after")
    def _in_order(self) -> Phase:
        if self.end < self.start:
            raise ValueError(f"phase ends ({self.end}) before it starts ({self.start})")
        return self

    def label(self, key: PhaseKey, lang: Language) -> str:
        zh, en = PHASE_LABELS[key]
        return zh if lang == "zh" else en


class Phases(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    collection: Phase = Phase(start=date(2023, 2, 21), end=date(2023, 3, 10))
    rectification: Phase = Phase(start=date(2023, 3, 11), end=date(2023, 4, 10))
    summary: Phase = Phase(start=date(2023, 4, 11), end=date(2023, 4, 20))


class Due(BaseModel):
    """What units must send the supervising section, by when."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ledger: date = Field(date(2023, 3, 5), description="整改台账报法规与科技标准科")
    report: date = Field(date(2023, 4, 18), description="专项整治行动情况报告")

    def of(self, filing: Filing) -> date:
        return self.ledger if filing is Filing.LEDGER else self.report


DEFAULT_CAUSES = ("制度机制不健全", "制度执行不到位", "执法人员能力不足", "监督制约缺位",
                  "责任落实不到位", "工作作风不实")
"""症结和成因: the usual causes; a campaign file adds its own with ``extra_causes``."""

DEFAULT_UNITS = ("生态环境综合行政执法支队", "沁园分局", "济水分局", "北海分局", "天坛分局",
                 "玉泉分局")


class Campaign(BaseModel):
    """专项整治行动: the calendar the watchdog and the spot-check list work against."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "济源示范区生态环境局行政执法突出问题专项整治行动"
    units: tuple[Name, ...] = DEFAULT_UNITS
    phases: Phases = Phases()
    due: Due = Due()
    warning_days: int = Field(3, ge=0, le=60, description="蓝色预警：距时限还有几个工作日")
    extra_causes: tuple[Name, ...] = Field((), description="本局补充的问题成因")
    typical_stall_days: int = Field(
        10, ge=1, le=365, description="典型案件多少天无进展即建议督办")
    answer_working_days: int = Field(
        15, ge=1, le=60, description="答复时限：登记后多少个工作日内须答复举报人（进展答复亦可）")
    rebound_days: int = Field(90, ge=1, le=3650, description="销号后多少天内再次反映视为反弹")
    strong_public_reports: int = Field(
        3, ge=1, le=1000, description="群众反映较为强烈：群众反映的问题达到此数即列入抽查名单")
    low_report_share: float = Field(
        0.5, gt=0, le=1, description="自查问题数低于同级单位中位数的这一比例，视为问题较少")

    @model_validator(mode="after")
    def _phases_in_order(self) -> Campaign:
        p = self.phases
        if not p.collection.end < p.rectification.start <= p.rectification.end < p.summary.start:
            raise ValueError("phases must follow each other: collection, rectification, summary")
        return self

    @property
    def causes(self) -> tuple[str, ...]:
        """The causes a root cause is chosen from: the usual ones and the bureau's own."""
        return (*DEFAULT_CAUSES, *(c for c in self.extra_causes if c not in DEFAULT_CAUSES))

    @property
    def start(self) -> date:
        return self.phases.collection.start

    @property
    def end(self) -> date:
        return self.phases.summary.end

    def running_on(self, day: date) -> bool:
        """Whether ``day`` falls inside the campaign (its due dates are watched only then)."""
        return self.start <= day <= self.end

    def phase_on(self, day: date) -> PhaseKey | None:
        for key in PHASE_LABELS:
            phase: Phase = getattr(self.phases, key)
            if phase.start <= day <= phase.end:
                return key
        return None

    def collection_over(self, day: date) -> bool:
        return day > self.phases.collection.end


@dataclass(frozen=True)
class CampaignError(Exception):
    """A campaign file that cannot be used, and why, in both languages."""

    zh: str
    en: str

    def __str__(self) -> str:
        return self.en


def campaign_location(explicit: Path | None, data_dir: Path | None) -> Path | None:
    """Which campaign file applies, or None for the notice's defaults."""
    if explicit is not None:
        return explicit
    if env := os.environ.get(CAMPAIGN_ENV):
        return Path(env)
    if data_dir is not None and (data_dir / CAMPAIGN_FILE).is_file():
        return data_dir / CAMPAIGN_FILE
    return None


def load_campaign(path: Path | None) -> Campaign:
    """The campaign in ``path`` (TOML), or the defaults when ``path`` is None."""
    if path is None:
        return Campaign()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CampaignError(f"找不到专项整治行动文件 {path}", f"no campaign file at {path}") \
            from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as broken:
        raise CampaignError(f"专项整治行动文件 {path} 不是有效的 TOML：{broken}",
                            f"campaign file {path} is not valid TOML: {broken}") from None
    try:
        return Campaign.model_validate(data)
    except ValidationError as invalid:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}"
            for e in invalid.errors(include_url=False)
        )
        raise CampaignError(f"专项整治行动文件 {path} 有误：{details}",
                            f"campaign file {path} is invalid: {details}") from None
