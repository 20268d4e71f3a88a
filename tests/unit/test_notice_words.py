"""The notice's words are rectify's words: categories and oversight sources as the notice says them.

The notice's list of 整治重点 is read from a copy of its paragraph kept beside the tests
(``tests/fixtures/notice-focus.zh.txt``), so a relabelled category fails here.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from uuid import uuid4

from events.lifecycle import parse_event
from events.vocabulary import Category, Channel, ProblemStatus
from projections.models.stats import Cell, Statistics, Totals

FOCUS = Path(__file__).parent.parent / "fixtures" / "notice-focus.zh.txt"


def _notice_categories() -> list[str]:
    lines = [line for line in FOCUS.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#") and "整治重点" not in line]
    paragraph = unicodedata.normalize("NFKC", "".join(lines)).rstrip("。")
    return paragraph.split(";")


def _comparable(label: str) -> str:
    """Full-width and half-width punctuation read alike (the copy has half-width commas)."""
    return unicodedata.normalize("NFKC", label)


def test_every_category_label_is_the_notices_text_in_the_notices_order() -> None:
    notice = _notice_categories()
    assert len(notice) == 13
    assert [_comparable(c.label("zh")) for c in Category] == notice


def test_each_oversight_source_of_the_notice_is_a_channel_of_its_own() -> None:
    labels = {c.label("zh"): c for c in Channel}
    for source in ("执法监督", "审计监督", "行政复议应诉"):
        assert source in labels
    assert len({labels["执法监督"], labels["审计监督"], labels["行政复议应诉"]}) == 3


def test_a_report_recorded_with_the_old_oversight_code_still_reads_as_enforcement_supervision(
) -> None:
    recorded_before_the_split = json.dumps({
        "type": "ProblemReported", "version": 1, "problem_id": str(uuid4()), "unit": "济水分局",
        "actor": "法规科", "occurred_at": "2023-02-25T09:00:00+08:00", "via": "api",
        "channel": "oversight", "intake_id": "old-1", "category": "procedure",
        "problem": "程序违法", "case": "某案"})
    read = parse_event(recorded_before_the_split)
    assert read.channel is Channel.OVERSIGHT
    assert read.channel.label("zh") == "执法监督"


def test_statistics_list_all_13_categories_zeros_included() -> None:
    figures = Statistics(
        cells=(Cell("济水分局", Category.DOCUMENTS, ProblemStatus.REPORTED, Channel.HOTLINE, 2),
               Cell("北海分局", Category.DOCUMENTS, ProblemStatus.CLOSED, Channel.AUDIT, 1)),
        units=(), total=Totals(""))

    campaign, one_unit = figures.by_category(), figures.by_category("北海分局")

    assert list(campaign) == list(Category)
    assert campaign[Category.DOCUMENTS] == 3
    assert one_unit[Category.DOCUMENTS] == 1
    assert sum(campaign.values()) == 3
    assert campaign[Category.OTHER] == 0
