"""The JSON Schema files: one per published type, faithful to the models they come from."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from events.commands import COMMAND_VERBS
from events.lifecycle import EVENT_TYPES, ProblemReported, Reporter
from events.recorded import RECORDED_EVENT_TYPES
from events.schema import write_schemas
from events.vocabulary import Category, Channel, Via

Json = dict[str, Any]


@pytest.fixture(scope="module")
def schema_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("schemas")


@pytest.fixture(scope="module")
def written(schema_dir: Path) -> list[Path]:
    return write_schemas(schema_dir)


def load(path: Path) -> Json:
    loaded: Json = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def a_problem_reported() -> ProblemReported:
    return ProblemReported(
        problem_id=uuid4(),
        unit="第一分局",
        actor="public:hotline",
        occurred_at=datetime(2023, 2, 22, 9, 30, tzinfo=UTC),
        via=Via.INTAKE,
        channel=Channel.HOTLINE,
        intake_id="hotline-0001",
        category=Category.UNCIVIL,
        problem="执法人员态度粗暴",
        case="2月20日现场检查时大声呵斥企业员工",
        reporter=Reporter(name="张三", phone="13800000000"),
    )


def test_every_event_type_the_submission_and_the_commands_get_a_file(
    schema_dir: Path, written: list[Path]
) -> None:
    expected = [t.__name__ for t in RECORDED_EVENT_TYPES] + [
        "IntakeSubmission", "StaffCommand", "UnitCommand", "NoticeCommand"]
    assert [p.name for p in written] == [f"{name}.schema.json" for name in expected]
    assert sorted(schema_dir.iterdir()) == sorted(written)


def test_each_file_is_pretty_sorted_utf8_json_with_an_id_and_a_title(
    written: list[Path],
) -> None:
    for path in written:
        text = path.read_text(encoding="utf-8")
        schema = load(path)
        name = path.name.removesuffix(".schema.json")
        assert (schema["$id"].endswith(name), schema["title"]) == (True, name)
        assert text == json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    assert "问题收集" in (written[0].parent / "ProblemReported.schema.json").read_text("utf-8")


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda t: t.__name__)
def test_each_event_schema_fixes_its_type(schema_dir: Path, event_type: type[Any]) -> None:
    schema = load(schema_dir / f"{event_type.__name__}.schema.json")
    type_property = schema["properties"]["type"]
    allowed = [type_property["const"]] if "const" in type_property else type_property["enum"]
    assert allowed == [event_type.__name__]
    assert schema["additionalProperties"] is False
    assert {"problem_id", "unit", "actor", "occurred_at", "via"} <= set(schema["required"])


def test_the_command_schema_knows_every_verb(schema_dir: Path) -> None:
    schema = load(schema_dir / "StaffCommand.schema.json")
    assert schema["discriminator"]["propertyName"] == "verb"
    assert sorted(schema["discriminator"]["mapping"]) == sorted(COMMAND_VERBS)


def test_a_reported_problem_as_stored_fits_its_schema(schema_dir: Path) -> None:
    schema = load(schema_dir / "ProblemReported.schema.json")
    event = json.loads(a_problem_reported().model_dump_json())

    assert set(schema["required"]) <= set(event)
    assert set(event) <= set(schema["properties"])
    assert fits(event, schema, schema) == []


def test_an_event_missing_a_required_field_does_not_fit(schema_dir: Path) -> None:
    schema = load(schema_dir / "ProblemReported.schema.json")
    event = json.loads(a_problem_reported().model_dump_json())
    del event["case"]
    event["extra"] = 1

    assert fits(event, schema, schema) == ["$: missing case", "$: unexpected extra"]


def test_the_schema_module_imports_no_broker_store_or_service() -> None:
    probe = "import sys, events.schema; print(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout.split()
    roots = {name.split(".")[0] for name in loaded}
    assert roots.isdisjoint({"eventsourcing", "faststream", "nats", "services", "projections"})


# ------------------------------------------------------------------ a small schema checker

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def fits(value: Any, schema: Json, root: Json, where: str = "$") -> list[str]:
    """What in ``value`` breaks ``schema``: the subset of JSON Schema pydantic emits here."""
    if "$ref" in schema:
        return fits(value, root["$defs"][schema["$ref"].rsplit("/", 1)[1]], root, where)
    if "anyOf" in schema:
        options = [fits(value, option, root, where) for option in schema["anyOf"]]
        return [] if [] in options else [f"{where}: matches no option"]
    problems: list[str] = []
    wanted = schema.get("type")
    if wanted and not (
        isinstance(value, _JSON_TYPES[wanted])
        and not (wanted in ("integer", "number") and isinstance(value, bool))
    ):
        problems.append(f"{where}: not {wanted}")
    if "const" in schema and value != schema["const"]:
        problems.append(f"{where}: not {schema['const']}")
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: not one of {schema['enum']}")
    if isinstance(value, str) and not (
        schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value))
    ):
        problems.append(f"{where}: wrong length")
    if isinstance(value, dict):
        properties: Json = schema.get("properties", {})
        problems += [f"{where}: missing {k}" for k in schema.get("required", []) if k not in value]
        if schema.get("additionalProperties") is False:
            problems += [f"{where}: unexpected {k}" for k in value if k not in properties]
        for key, item in value.items():
            if key in properties:
                problems += fits(item, properties[key], root, f"{where}.{key}")
    return problems
