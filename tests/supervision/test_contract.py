"""The widened contract: every recorded fact round-trips, unit facts have their own schema, and
the read side decodes them from the stream without tripping over them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from pydantic import BaseModel

from events.identity import unit_id_for, warning_id_for
from events.recorded import RECORDED_EVENT_TYPES, parse_recorded
from events.schema import write_schemas
from events.supervision import UNIT_EVENT_TYPES, FilingOverdue, SpotCheckSelected
from events.vocabulary import Filing, Via

WHEN = datetime(2023, 3, 6, 1, 0, tzinfo=UTC)


def a_spot_check() -> SpotCheckSelected:
    return SpotCheckSelected(unit="乙分局", actor="法规科 王科长", occurred_at=WHEN, via=Via.CLI,
                             reason="自查问题零报告")


def test_a_unit_fact_round_trips_through_the_recorded_union() -> None:
    for fact in (a_spot_check(),
                 FilingOverdue(unit="乙分局", actor="系统预警", occurred_at=WHEN, via=Via.SYSTEM,
                               warning_id=uuid4(), filing=Filing.LEDGER, due=date(2023, 3, 5))):
        assert parse_recorded(fact.model_dump_json()) == fact


def test_unit_facts_are_frozen_and_refuse_unknown_fields() -> None:
    fact = a_spot_check()
    with pytest.raises(ValueError, match="frozen"):
        fact.reason = "改"  # type: ignore[misc]
    with pytest.raises(ValueError, match="problem_id"):
        SpotCheckSelected.model_validate({**fact.model_dump(), "problem_id": str(uuid4())})


@pytest.mark.parametrize("event_type", RECORDED_EVENT_TYPES, ids=lambda t: t.__name__)
def test_every_recorded_type_is_versioned_and_says_who_when_how(
        event_type: type[BaseModel]) -> None:
    fields = event_type.model_fields
    assert {"type", "version", "unit", "actor", "occurred_at", "via"} <= set(fields)
    assert event_type.model_config.get("frozen") is True


def test_schema_files_include_the_unit_facts_and_the_unit_commands(tmp_path: Path) -> None:
    names = {p.name.removesuffix(".schema.json") for p in write_schemas(tmp_path)}
    assert {t.__name__ for t in UNIT_EVENT_TYPES} | {"UnitCommand", "NoticeCommand"} <= names
    schema: dict[str, Any] = json.loads((tmp_path / "SpotCheckSelected.schema.json").read_text())
    assert "problem_id" not in schema["properties"]
    assert schema["additionalProperties"] is False


def test_derived_ids_are_stable_and_distinct() -> None:
    unit = unit_id_for("乙分局")
    assert unit == unit_id_for(" 乙分局 ")
    due = date(2023, 3, 5)
    assert warning_id_for(unit, "ledger", due, "red") == warning_id_for(unit, "ledger", due, "red")
    assert len({warning_id_for(unit, "ledger", due, level) for level in ("blue", "red")} |
               {warning_id_for(unit, "report", due, "red")}) == 3
