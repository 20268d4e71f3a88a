"""A real ``rectify up`` with sign-in enforced, and staff who use the real CLI against it.

The CLI runs in-process (click's runner) so that hundreds of commands stay quick; each person
has their own session file, as each would on their own machine.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
from click.testing import CliRunner, Result

from services.cli.main import cli
from tests.integration.harness import RectifyProcess

NEW_PASSWORD = "Zhenggai-2026!"
OWN_UNIT, OTHER_UNIT = "沁园分局", "玉泉分局"


@dataclass
class Person:
    login: str
    name: str
    totp_secret: str | None = None

    def code(self) -> str | None:
        return pyotp.TOTP(self.totp_secret).now() if self.totp_secret else None


def secured(data_dir: Path) -> RectifyProcess:
    """``rectify up`` without the local-administrator test mode: every command needs a session."""
    env = {k: v for k, v in os.environ.items() if k != "RECTIFY_LOCAL_ADMIN"}
    return RectifyProcess(data_dir, env=env)


@dataclass
class Desk:
    up: RectifyProcess
    sessions: Path
    url: str = ""
    """The embedded NATS's address, without credentials."""
    people: dict[str, Person] = field(default_factory=dict)
    runner: CliRunner = field(default_factory=CliRunner)

    def cli(self, login: str | None, *args: str) -> Result:
        """``rectify ARGS`` as ``login`` (their session file), in-process."""
        env = {"RECTIFY_SESSION_FILE": str(self.sessions / f"{login or 'nobody'}.json"),
               "RECTIFY_ACTOR": None, "RECTIFY_PASSWORD": None}
        return self.runner.invoke(cli, [*args, "--data-dir", str(self.up.data_dir)], env=env,
                                  catch_exceptions=False)

    def json(self, login: str | None, *args: str) -> Any:
        done = self.cli(login, *args, "--format", "json")
        assert done.exit_code == 0, done.output
        return json.loads(done.stdout)

    def refusal(self, login: str | None, *args: str) -> str:
        """The error code of a command that must be refused."""
        done = self.cli(login, *args, "--format", "json")
        assert done.exit_code == 1, done.output
        return str(json.loads(done.stdout)["error"]["code"])

    def sign_in(self, person: Person, password: str, new_password: str | None = None) -> Any:
        args = ["login", person.login, "--password", password]
        if person.totp_secret:
            args += ["--totp", person.code() or ""]
        if new_password:
            args += ["--new-password", new_password]
        return self.json(person.login, *args)

    def enrol(self, login: str, name: str, unit: str, *roles: str) -> Person:
        """Enrolled by the security administrator, then signed in once (changing the password)."""
        issued = self.json("anquan", "staff", "add", login, "--name", name, "--unit", unit,
                           *(arg for role in roles for arg in ("--role", role)))
        secret = pyotp.parse_uri(issued["totp_uri"]).secret if issued["totp_uri"] else None
        person = self.people[login] = Person(login, name, secret)
        self.sign_in(person, issued["password"], NEW_PASSWORD)
        return person

    def open_security_desk(self) -> None:
        initial = self.json(None, "staff", "init", "anquan", "--name", "信息中心 安全管理员",
                            "--unit", "信息中心")
        admin = self.people["anquan"] = Person(
            "anquan", "信息中心 安全管理员", pyotp.parse_uri(initial["totp_uri"]).secret)
        self.sign_in(admin, initial["password"], NEW_PASSWORD)

    def report(self, unit: str) -> str:
        answer = self.json("rexian", "report", "--unit", unit, "--channel", "hotline",
                           "--category", "uncivil", "--problem", "执法人员态度粗暴",
                           "--case", "来电反映检查时大声呵斥")
        return str(answer["problem_id"])

    def history(self, problem: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = self.json("wangke", "history", problem)
        return events


@contextlib.contextmanager
def staffed(up: RectifyProcess, root: Path, staff: Iterable[tuple[str, str, str, str]],
            desk_type: type[Desk] = Desk) -> Iterator[Desk]:
    """``up`` started, the security desk opened and ``staff`` (login, name, unit, role)
    enrolled and signed in once; ``up`` stopped afterwards."""
    up.start()
    sessions = root / "sessions"
    sessions.mkdir()
    desk = desk_type(up, sessions)
    try:
        desk.open_security_desk()
        for login, name, unit, role in staff:
            desk.enrol(login, name, unit, role)
        yield desk
    finally:
        up.stop()
