"""The extension requests read model equals what the facts say: pending until the leader
approves or refuses, lapsed when the fix is verified first (and the same when replayed in
batches of one)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from events.recorded import RecordedEvent
from events.vocabulary import ProblemStatus
from projections.models.extensions import RequestState, read_extension_requests
from services.casework.problem import Problem
from services.cli.main import cli
from tests.builders import UNIT_STAFF, a_submission, an_act, bring_to, verify_fix
from tests.projections.streams import applied

LEADER = "第一分局 钱局长"


def history(intake_id: str, then: str) -> list[RecordedEvent]:
    problem = bring_to(Problem.report(a_submission(intake_id=intake_id)),
                       ProblemStatus.RECTIFYING)
    problem.request_extension(an_act(UNIT_STAFF, 10), date(2023, 5, 31), "涉及外单位协查")
    if then == "refuse":
        problem.refuse_extension(an_act(LEADER, 11), "可并行办理")
        problem.request_extension(an_act(UNIT_STAFF, 12), date(2023, 4, 30), "再次申请")
    elif then == "approve":
        problem.approve_extension(an_act(LEADER, 11))
    elif then == "verify":
        problem.submit_fix(an_act(UNIT_STAFF, 11), "已整改", ())
        verify_fix(problem)
    return [recorded.fact for recorded in problem.collect_events()]


@pytest.mark.parametrize("batch_size", [1, 1000])
def test_requests_read_as_the_facts_decided_them(tmp_path: Path, batch_size: int) -> None:
    events = [e for key, then in (("a", "refuse"), ("b", "approve"), ("c", "verify"))
              for e in history(key, then)]
    store = applied(events, tmp_path / "read.sqlite", batch_size)
    try:
        found = read_extension_requests(store)
        assert [(r.deadline, r.state, r.decided_by, r.decision_reason) for r in found] == [
            (date(2023, 5, 31), RequestState.REFUSED, LEADER, "可并行办理"),
            (date(2023, 4, 30), RequestState.PENDING, None, None),
            (date(2023, 5, 31), RequestState.APPROVED, LEADER, None),
            (date(2023, 5, 31), RequestState.LAPSED, None, None),
        ]
        assert [r.problem_id for r in read_extension_requests(store, pending_only=True)] == [
            found[1].problem_id]
        assert read_extension_requests(store, {"另一个分局"}) == []
    finally:
        store.close()


@pytest.mark.parametrize("fmt", ["zh", "en", "json"])
def test_the_cli_board_lists_the_requests_still_waiting(tmp_path: Path, fmt: str) -> None:
    store = applied([e for key, then in (("a", "refuse"), ("b", "approve"))
                     for e in history(key, then)], tmp_path / "read.sqlite")
    [waiting] = read_extension_requests(store, pending_only=True)
    store.close()
    options = {"zh": [], "en": ["--lang", "en"], "json": ["--format", "json"]}[fmt]
    done = CliRunner().invoke(cli, ["board", "--read-store", str(tmp_path / "read.sqlite"),
                                    "--stale-ok", "--data-dir", str(tmp_path), *options])
    assert done.exit_code == 0, done.output
    if fmt == "json":
        [shown] = json.loads(done.stdout)["extension_requests"]
        assert (shown["problem_id"], shown["deadline"], shown["reason"], shown["state"]) == (
            waiting.problem_id, "2023-04-30", "再次申请", "pending")
        return
    heading = {"zh": "待审批的延期申请", "en": "extension requests waiting"}[fmt]
    [line] = [line for line in done.stdout.splitlines() if line.startswith(heading)]
    assert line.endswith("1")
    after = done.stdout.split(line, 1)[1]
    assert all(cell in after for cell in (waiting.problem_id, "2023-04-30", "再次申请"))
