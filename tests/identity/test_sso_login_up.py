"""``rectify login --sso`` against a real ``rectify up`` and a real OIDC provider process: the
person opens the printed address, signs in at the provider, is sent back to the CLI's loopback
listener, and the CLI ends with the same session file as a password sign-in."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.identity.desk import Desk, secured, staffed
from tests.identity.provider import Provider, running_provider
from tests.integration.harness import RECTIFY

STAFF = (
    ("zhangsan", "沁园分局 张三", "沁园分局", "unit_staff"),
    ("shenji", "审计室 审计管理员", "审计室", "audit_admin"),
)


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    with running_provider(tmp_path_factory.mktemp("oidc") / "provider.log") as running:
        yield running


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory, provider: Provider) -> Iterator[Desk]:
    root = tmp_path_factory.mktemp("sso-up")
    up = secured(root / "data")
    up.env |= {"RECTIFY_OIDC_ISSUER": provider.issuer, "RECTIFY_OIDC_CLIENT_ID": "rectify-cli",
               "RECTIFY_OIDC_CLIENT_SECRET": "cli-secret-0123"}
    with staffed(up, root, STAFF) as desk:
        yield desk


def sso_login(desk: Desk, provider: Provider, sub: str, session_name: str,
              *extra: str) -> subprocess.CompletedProcess[str]:
    """``rectify login --sso`` in its own process; the person follows the printed address."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECTIFY_OIDC")}
    env["RECTIFY_SESSION_FILE"] = str(desk.sessions / f"{session_name}.json")
    process = subprocess.Popen(
        [*RECTIFY, "login", "--sso", "--data-dir", str(desk.up.data_dir), *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    shown = ""
    deadline = time.monotonic() + 60
    while (found := re.search(r"^(http://\S+)$", shown, re.MULTILINE)) is None:
        assert time.monotonic() < deadline, f"no address printed: {shown}"
        line = process.stderr.readline()
        assert line, f"rectify login --sso ended early: {shown}"
        shown += line
    back_to_cli = provider.sign_in(found.group(1), sub)
    assert back_to_cli.startswith("http://127.0.0.1:")  # the CLI's own loopback listener
    assert httpx.get(back_to_cli, timeout=10).status_code == 200
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, shown + stderr)


def test_a_person_signs_in_from_the_terminal_through_the_provider(
        desk: Desk, provider: Provider) -> None:
    done = sso_login(desk, provider, "u-zhangsan", "sso-zhangsan")
    assert done.returncode == 0, done.stderr
    assert "统一身份认证" in done.stderr  # the instruction, in Chinese
    assert "已登录：沁园分局 张三" in done.stdout
    session_file = desk.sessions / "sso-zhangsan.json"
    assert oct(session_file.stat().st_mode & 0o777) == "0o600"
    whoami = desk.json("sso-zhangsan", "whoami")  # the same session file as a password's
    assert whoami["login"] == "zhangsan"
    records = desk.json("shenji", "audit")["records"]
    assert any(r["action"] == "login" and r["result"] == "ok" and r["actor"] == "沁园分局 张三"
               and "single sign-on" in (r["detail"] or "") for r in records)
    kept = session_file.read_text("utf-8")
    assert desk.cli("sso-zhangsan", "logout").exit_code == 0
    session_file.write_text(kept, "utf-8")  # the ended session, offered again: refused at once
    assert desk.refusal("sso-zhangsan", "whoami") == "session_ended"


def test_someone_without_an_account_is_refused_at_the_terminal(
        desk: Desk, provider: Provider) -> None:
    done = sso_login(desk, provider, "u-stranger", "sso-stranger")
    assert done.returncode == 1
    assert "没有对应的人员" in done.stderr
    assert not (desk.sessions / "sso-stranger.json").exists()


def test_an_administrator_adds_rectifys_one_time_code(desk: Desk, provider: Provider) -> None:
    code = desk.people["shenji"].code() or ""
    done = sso_login(desk, provider, "u-shenji", "sso-shenji", "--totp", code)
    assert done.returncode == 0, done.stderr
    assert desk.json("sso-shenji", "whoami")["login"] == "shenji"
    latest = desk.json("shenji", "audit")["records"][-1]
    assert latest["result"] == "ok"
    assert "TOTP" in latest["detail"]


def test_an_administrator_without_the_code_is_not_signed_in(
        desk: Desk, provider: Provider) -> None:
    done = sso_login(desk, provider, "u-shenji", "sso-shenji-wrong", "--totp", "000000")
    assert done.returncode == 1
    assert "动态口令错误" in done.stderr
    assert not (desk.sessions / "sso-shenji-wrong.json").exists()
