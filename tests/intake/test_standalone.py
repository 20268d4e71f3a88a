"""The gateways on their own, beside an existing rectify: as a distributed deployment runs them."""

from __future__ import annotations

import json
import signal
import smtplib
import ssl
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest

from services.runtime.bus import without_credentials
from tests.intake.conftest import MAILBOX, Rectify
from tests.integration.harness import RECTIFY

pytestmark = pytest.mark.integration


def test_standalone_gateways_file_into_the_running_rectify(rectify: Rectify) -> None:
    gateway = subprocess.Popen(
        [*RECTIFY, "gateway", "http", "smtp", "--nats-url", without_credentials(rectify.nats_url),
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


def self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def test_given_a_certificate_the_website_is_https_and_the_mailbox_offers_starttls(
        rectify: Rectify, tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    env = {**rectify.process.env, "RECTIFY_TLS_CERT": str(cert), "RECTIFY_TLS_KEY": str(key)}
    gateway = subprocess.Popen(
        [*RECTIFY, "gateway", "http", "smtp", "--nats-url", without_credentials(rectify.nats_url),
         "--data-dir", str(rectify.process.data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert gateway.stdout is not None
        endpoints = json.loads(gateway.stdout.readline())["endpoints"]
        assert endpoints["http"].startswith("https://127.0.0.1:")
        trusted = ssl.create_default_context(cafile=str(cert))
        page = httpx.get(f"{endpoints['http']}/report", verify=trusted, timeout=30)
        assert page.status_code == 200
        assert page.headers["strict-transport-security"].startswith("max-age=")
        with pytest.raises(httpx.ConnectError):  # no certificate check: no connection
            httpx.get(f"{endpoints['http']}/report", timeout=30)
        host, port = endpoints["smtp"].removeprefix("smtp://").rsplit(":", 1)
        with smtplib.SMTP(host, int(port), timeout=30) as smtp:
            smtp.ehlo()
            assert smtp.has_extn("starttls")
            smtp.starttls(context=trusted)
            smtp.ehlo()
            refused = smtp.sendmail(
                "li.si@example.com", [MAILBOX],
                f"From: li.si@example.com\r\nTo: {MAILBOX}\r\nSubject: TLS\r\n"
                f"Message-ID: <{uuid.uuid4()}@example.com>\r\n\r\n经加密连接送达的举报\r\n"
                .encode())
        assert refused == {}  # every recipient accepted
    finally:
        gateway.send_signal(signal.SIGTERM)
        assert gateway.wait(30) == 0
