"""ProblemReported v1 (before "on behalf of") still reads, as v2 with nobody named."""

from __future__ import annotations

import json
from uuid import uuid4

from events.lifecycle import ProblemReported
from events.recorded import parse_recorded


def test_a_v1_report_reads_as_filed_on_nobodys_behalf() -> None:
    recorded = {"type": "ProblemReported", "version": 1, "problem_id": str(uuid4()),
                "unit": "沁园分局", "actor": "public:hotline", "actor_id": None,
                "occurred_at": "2026-03-01T09:00:00+08:00", "via": "intake",
                "channel": "hotline", "intake_id": "HL-1", "category": "uncivil",
                "problem": "态度粗暴", "case": "来电反映", "reporter": None,
                "enterprise": None, "evidence": []}
    reported = parse_recorded(json.dumps(recorded, ensure_ascii=False).encode())
    assert isinstance(reported, ProblemReported)
    assert (reported.version, reported.on_behalf_of) == (2, None)
