"""Text from any channel is cleaned on the way in: no control characters, no invisible
look-alikes, one name for one unit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from events.commands import COMMAND_ADAPTER
from events.submission import SUBMISSION_ADAPTER, IntakeSubmission
from events.vocabulary import Channel
from services.casework.units import UnitDirectory


def a_submission(**overrides: object) -> IntakeSubmission:
    fields: dict[str, object] = {
        "channel": "website", "intake_id": "web-1", "unit": "济水分局", "category": "procedure",
        "problem": "处罚前未告知", "case": "某餐馆油烟案",
        "submitted_at": datetime(2026, 3, 1, tzinfo=UTC).isoformat(), **overrides}
    return SUBMISSION_ADAPTER.validate_python(fields)


@pytest.mark.parametrize("written", ["济水分局\u0007", "济水\u200b分局", "\u202e济水分局",
                                     " 济水分局\x00 ", "济水分局\ufeff"])
def test_a_unit_name_loses_what_no_person_types(written: str) -> None:
    assert a_submission(unit=written).unit == "济水分局"


def test_free_text_keeps_line_breaks_and_tabs_but_no_other_control_characters() -> None:
    cleaned = a_submission(problem="第一行\r\n第二行\t甲\x07乙\x1b[31m\u202e丙")
    assert cleaned.problem == "第一行\n第二行\t甲乙[31m丙"


def test_text_that_is_nothing_but_control_characters_is_refused_as_empty() -> None:
    with pytest.raises(ValidationError, match="problem"):
        a_submission(problem="\x00\x07\u200b")


def test_an_overlong_name_is_refused_with_the_field_named() -> None:
    with pytest.raises(ValidationError, match="unit"):
        a_submission(unit="甲" * 101)


def test_a_staff_command_names_its_actor_without_invisible_characters() -> None:
    command = COMMAND_ADAPTER.validate_python({
        "verb": "verify", "problem_id": "00000000-0000-0000-0000-000000000001",
        "actor": "张三\u200b"})
    assert command.actor == "张三"


UNITS = UnitDirectory.of(["沁园分局", "济水分局"], "法规与科技标准科")


@pytest.mark.parametrize("written", ["沁园 分局", "沁园　分局", "沁园分局"])
def test_a_unit_written_with_other_spacing_or_widths_is_the_campaign_unit(written: str) -> None:
    assert UNITS.place(a_submission(unit=written)).unit == "沁园分局"


def test_a_public_report_naming_an_unknown_unit_goes_to_the_public_unit_keeping_the_name(
) -> None:
    placed = UNITS.place(a_submission(unit="沁园分局局长办公室"))
    assert placed.unit == "法规与科技标准科"
    assert "沁园分局局长办公室" in placed.case


def test_a_staff_channel_keeps_a_unit_the_campaign_does_not_list_yet() -> None:
    placed = UNITS.place(a_submission(channel=Channel.SELF_INSPECTION.value, unit="新设分局",
                                      filed_by="王科长"))
    assert placed.unit == "新设分局"
