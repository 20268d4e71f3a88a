"""The gateways on their own, beside an existing rectify: as a distributed deployment runs them."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.intake.conftest import Rectify
from tests.integration.harness import RECTIFY

pytestmark = pytest.mark.integration


def test_standalone_gateways_file_into_the_running_rectify(rectify: Rectify) -> None:
    gateway = subprocess.Popen(
        [*RECTIFY, "gateway", "http", "smtp", "--nats-url", rectify.nats_url,
         "--data-dir", str(rectify.process.data_dir)],  # where the shared reporter key is
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=rectify.process.env)
    try:
        assert gateway.stdout is not None
        endpoints = json.loads(gateway.stdout.readline())["endpoints"]
        assert set(endpoints) == {"http", "wechat", "smtp", "mailbox"}
        assert endpoints["http"] != rectify.endpoints["http"]
        receipt = httpx.post(f"{endpoints['http']}/api/v1/reports", timeout=30, json={
            "problem": "独立网关收到的举报", "case": "经由单独运行的网关提交"}).json()
        assert rectify.history(receipt["problem_id"])[0]["problem"] == "独立网关收到的举报"
        # Both gateways share the key, so both give the same number for the same problem.
        status = httpx.get(f"{rectify.endpoints['http']}/api/v1/reports/{receipt['tracking']}")
        assert status.status_code == 200
    finally:
        gateway.send_signal(signal.SIGTERM)
        assert gateway.wait(30) == 0


def test_a_standalone_gateway_without_the_key_refuses_to_start(rectify: Rectify,
                                                              tmp_path: Path) -> None:
    env = {k: v for k, v in rectify.process.env.items() if k != "RECTIFY_REPORTER_KEY"}
    done = subprocess.run([*RECTIFY, "gateway", "http", "--nats-url", rectify.nats_url,
                           "--data-dir", str(tmp_path)], capture_output=True, text=True,
                          env=env, timeout=60, check=False)
    assert done.returncode == 1
    assert "RECTIFY_REPORTER_KEY" in done.stderr
