"""The campaign file: the notice's defaults, a file that changes them, and clear refusals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from events.vocabulary import Filing
from services.supervision.campaign import (
    CAMPAIGN_FILE,
    Campaign,
    CampaignError,
    campaign_location,
    load_campaign,
)


def test_the_defaults_reproduce_the_notice() -> None:
    campaign = load_campaign(None)
    phases = campaign.phases
    assert (phases.collection.start, phases.collection.end) == (date(2023, 2, 21),
                                                                date(2023, 3, 10))
    assert (phases.rectification.start, phases.rectification.end) == (date(2023, 3, 11),
                                                                      date(2023, 4, 10))
    assert (phases.summary.start, phases.summary.end) == (date(2023, 4, 11), date(2023, 4, 20))
    assert campaign.due.of(Filing.LEDGER) == date(2023, 3, 5)
    assert campaign.due.of(Filing.REPORT) == date(2023, 4, 18)
    assert (campaign.warning_days, campaign.rebound_days) == (3, 90)


def test_the_phase_of_a_day() -> None:
    campaign = Campaign()
    assert campaign.phase_on(date(2023, 3, 10)) == "collection"
    assert campaign.phase_on(date(2023, 3, 11)) == "rectification"
    assert campaign.phase_on(date(2023, 4, 20)) == "summary"
    assert campaign.phase_on(date(2023, 4, 21)) is None
    assert not campaign.collection_over(date(2023, 3, 10))
    assert campaign.collection_over(date(2023, 3, 11))


def test_a_file_changes_what_it_names_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / CAMPAIGN_FILE
    path.write_text('units = ["甲分局", "乙分局"]\nwarning_days = 5\n'
                    "[due]\nledger = 2023-03-06\n", encoding="utf-8")
    campaign = load_campaign(path)
    assert campaign.units == ("甲分局", "乙分局")
    assert campaign.warning_days == 5
    assert campaign.due.ledger == date(2023, 3, 6)
    assert campaign.due.report == date(2023, 4, 18)


@pytest.mark.parametrize(("text", "zh", "en"), [
    ("warning_days = [", "不是有效的 TOML", "not valid TOML"),
    ("warning_days = -1", "warning_days", "warning_days"),
    ("colour = 'red'", "colour", "colour"),
    ("[phases.collection]\nstart = 2023-03-20\nend = 2023-03-01\n", "phases", "before it starts"),
    ("[phases.summary]\nstart = 2023-03-01\nend = 2023-03-02\n", "phases", "follow each other"),
])
def test_a_broken_file_is_refused_saying_what_is_wrong(tmp_path: Path, text: str, zh: str,
                                                      en: str) -> None:
    path = tmp_path / CAMPAIGN_FILE
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CampaignError) as refused:
        load_campaign(path)
    assert zh in refused.value.zh
    assert en in refused.value.en
    assert str(path) in refused.value.en


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(CampaignError, match="no campaign file"):
        load_campaign(tmp_path / "nowhere.toml")


def test_the_file_is_found_by_flag_then_environment_then_data_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RECTIFY_CAMPAIGN", raising=False)
    assert campaign_location(None, tmp_path) is None
    (tmp_path / CAMPAIGN_FILE).write_text("", encoding="utf-8")
    assert campaign_location(None, tmp_path) == tmp_path / CAMPAIGN_FILE
    monkeypatch.setenv("RECTIFY_CAMPAIGN", "/etc/c.toml")
    assert campaign_location(None, tmp_path) == Path("/etc/c.toml")
    assert campaign_location(Path("x.toml"), tmp_path) == Path("x.toml")
