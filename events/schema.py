"""JSON Schema files for the published language: every event (problem and unit), the intake
submission, the staff, unit and notice commands.

An auditor or a channel written in another language validates against these files instead of
reading Python. They are generated from the pydantic models, so they cannot drift from them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from events.commands import COMMAND_ADAPTER, UNIT_COMMAND_ADAPTER
from events.notice_commands import NOTICE_COMMAND_ADAPTER
from events.recorded import RECORDED_EVENT_TYPES
from events.submission import IntakeSubmission

SCHEMA_ID_PREFIX = "urn:rectify:schema:"
"""``$id`` of each schema: this prefix and the type's name."""

SCHEMA_SUFFIX = ".schema.json"


def schemas() -> dict[str, dict[str, Any]]:
    """Each published type's name and its JSON Schema, with ``$id`` and ``title`` set."""
    models: list[type[BaseModel]] = [*RECORDED_EVENT_TYPES, IntakeSubmission]
    found = {model.__name__: model.model_json_schema() for model in models}
    found["StaffCommand"] = COMMAND_ADAPTER.json_schema()
    found["UnitCommand"] = UNIT_COMMAND_ADAPTER.json_schema()
    found["NoticeCommand"] = NOTICE_COMMAND_ADAPTER.json_schema()
    return {name: _identified(name, schema) for name, schema in found.items()}


def write_schemas(directory: Path) -> list[Path]:
    """Write ``<TypeName>.schema.json`` for every published type into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, schema in schemas().items():
        path = directory / f"{name}{SCHEMA_SUFFIX}"
        text = json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True)
        path.write_text(text + "\n", encoding="utf-8")
        written.append(path)
    return written


def _identified(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"$id": f"{SCHEMA_ID_PREFIX}{name}", **schema, "title": name}
