"""A real OIDC provider for tests: ``oidc-provider-mock`` in its own process on a free port, and
a person signing in at it (its sign-in form takes the subject to authenticate)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

USERS: tuple[dict[str, Any], ...] = (
    {"sub": "u-zhangsan", "preferred_username": "zhangsan", "name": "张三"},
    {"sub": "u-wangke", "preferred_username": "wangke", "name": "王科长"},
    {"sub": "u-stranger", "preferred_username": "stranger", "name": "外单位人员"},
    {"sub": "u-shenji", "preferred_username": "shenji", "name": "审计管理员"},
    {"sub": "u-shenji-mfa", "preferred_username": "shenji", "amr": ["pwd", "otp"]},
)
"""The provider's people: sub → claims (``stranger`` has no account in rectify)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Provider:
    issuer: str
    log: Path

    def sign_in(self, authorization_url: str, sub: str) -> str:
        """The person ``sub`` signs in at the provider; returns where it sends them back."""
        answer = httpx.post(authorization_url, data={"sub": sub}, timeout=10)
        assert answer.status_code in (302, 303), answer.text[:500]
        return str(answer.headers["location"])


    def deny(self, authorization_url: str) -> str:
        """The person declines at the provider; returns where it sends them back."""
        answer = httpx.post(authorization_url, data={"action": "deny"}, timeout=10)
        assert answer.status_code in (302, 303), answer.text[:500]
        return str(answer.headers["location"])


def callback_query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@contextmanager
def running_provider(log: Path, host: str = "127.0.0.1") -> Iterator[Provider]:
    """The provider on ``http://<host>:<free port>``, with ``USERS`` defined; stopped after."""
    port = free_port()
    args = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--require-nonce",
            *(arg for user in USERS for arg in ("--user-claims", json.dumps(user)))]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=log.open("ab"))
    issuer = f"http://{host}:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=2).is_success:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, log.read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "the OIDC provider did not start in time"
            time.sleep(0.05)
        yield Provider(issuer, log)
    finally:
        process.terminate()
        process.wait(10)
