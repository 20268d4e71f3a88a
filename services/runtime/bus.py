"""Who may do what on NATS: one user per part, with the subjects its job needs and no more.

``rectify up`` generates each user's password once (kept 0600 in ``<data dir>/nats/users/``)
and writes the users with their permissions into nats-server's configuration (``rectify
nats-config`` does the same for an external server). There is no anonymous user. Only the relay
publishes ``events.>``; only casework answers ``cmd.>`` and the queries about problems (which
problem a tracking number names among them); each gateway publishes its own ``intake.<channel>``
subjects and asks casework about reports; projections and readers only read; only ``admin``
reaches the stream-management API.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from events.subjects import (
    HISTORY_QUERY,
    INTAKE_TICKET_REQUEST,
    PROBLEM_QUERY,
    TRACKING_QUERY,
    WATCHDOG_QUERY,
    WHOAMI_REQUEST,
)
from events.vocabulary import Channel
from services.intake.reports import STAFF_CHANNELS

USERS_DIR = "users"
_STREAM_ADMIN = ["$JS.API.STREAM.DELETE.>", "$JS.API.STREAM.PURGE.>",
                 "$JS.API.STREAM.MSG.DELETE.>", "$JS.API.STREAM.UPDATE.>",
                 "$JS.API.STREAM.CREATE.>"]
_READ_EVENTS = ["$JS.API.INFO", "$JS.API.STREAM.INFO.>", "$JS.API.STREAM.NAMES",
                "$JS.API.CONSUMER.CREATE.EVENTS", "$JS.API.CONSUMER.CREATE.EVENTS.>",
                "$JS.API.CONSUMER.DURABLE.CREATE.EVENTS.>",
                "$JS.API.CONSUMER.MSG.NEXT.EVENTS.>", "$JS.API.CONSUMER.DELETE.EVENTS.>",
                "$JS.API.CONSUMER.INFO.EVENTS.>", "$JS.ACK.EVENTS.>",
                "$JS.API.STREAM.MSG.GET.EVENTS", "$JS.API.DIRECT.GET.EVENTS.>"]
_WEB_INTAKE = [f"intake.{c.value}" for c in (Channel.WEBSITE, Channel.WECHAT, *STAFF_CHANNELS)]
"""The website, the API and Open311 (``website``), WeChat, and the staff findings the JSON API
files for a signed-in person."""
_LOOKUPS = [TRACKING_QUERY, PROBLEM_QUERY, HISTORY_QUERY, "$JS.API.INFO"]
"""What a reporter's tracking-number lookup reads."""
_INBOX = ["_INBOX.>"]


def _may(publish: list[str], subscribe: list[str] | None = None,
         responds: bool = False) -> dict[str, Any]:
    """Permissions publishing only ``publish``, subscribing to ``subscribe`` and replies, and
    (``responds``) answering requests it received, whatever their reply subject."""
    permissions: dict[str, Any] = {
        "publish": {"allow": publish} if publish else {"deny": [">"]},
        "subscribe": {"allow": [*(subscribe or []), *_INBOX]}}
    if responds:
        permissions["allow_responses"] = True
    return permissions


_STAFF = _may(["cmd.problem.*", "cmd.unit.*", "cmd.notice.*", "cmd.staff.*", "query.>",
               "auth.*", "intake.>", *_READ_EVENTS])

PERMISSIONS: dict[str, dict[str, Any]] = {
    "admin": {"publish": {"allow": [">"]}, "subscribe": {"allow": [">"]}},
    "casework": {"publish": {"allow": [">"], "deny": ["events.>", *_STREAM_ADMIN]},
                 "subscribe": {"allow": [">"]}},
    "relay": _may(["events.>", "$JS.API.INFO", "$JS.API.STREAM.INFO.EVENTS",
                   "$JS.API.STREAM.MSG.GET.EVENTS", "$JS.API.DIRECT.GET.EVENTS.>"]),
    "projections": _may(_READ_EVENTS),
    "answers": _may(_READ_EVENTS),
    "http": _may([*_WEB_INTAKE, WHOAMI_REQUEST, INTAKE_TICKET_REQUEST, *_LOOKUPS]),
    "smtp": _may(["intake.mailbox", "rejected.mailbox", "$JS.API.INFO"]),
    "watchdog": _may([], [WATCHDOG_QUERY], responds=True),
    "console": _STAFF,
    "staff": _STAFF,
    "reader": _may(_READ_EVENTS),
}
"""Each user's permissions, in nats-server's own terms. ``casework`` is the core of ``rectify
up`` (casework, supervision, identity, the reporter door, status and repair requests): it
answers every request, but neither publishes ``events.>`` nor manages streams. ``console`` and
``staff`` send what a signed-in person asks; casework decides."""

PART_USERS: dict[str, str] = {"supervision": "casework"}
"""The NATS user of each part of ``rectify up`` whose user is not named like the part."""


@dataclass(frozen=True)
class BusUsers:
    """The users of one data directory's embedded NATS, with their passwords."""

    directory: Path
    passwords: dict[str, str]

    @classmethod
    def configured(cls, data_dir: Path, external: bool) -> BusUsers | None:
        """The users ``rectify up`` connects as: always on the embedded NATS; on an external
        one only once ``rectify nats-config`` generated them (else ``--nats-url`` as given)."""
        if external and not (data_dir / "nats" / USERS_DIR).is_dir():
            return None
        return cls.in_data_dir(data_dir)

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> BusUsers:
        """Each user's password, generated (0600) the first time and kept."""
        directory = data_dir / "nats" / USERS_DIR
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        return cls(directory, {user: _password(directory / f"{user}.json", user)
                               for user in PERMISSIONS})

    def url(self, base: str, user: str) -> str:
        """``base`` (``nats://host:port``) with ``user``'s name and password in it."""
        parts = urlsplit(without_credentials(base))
        netloc = f"{quote(user)}:{quote(self.passwords[user])}@{parts.hostname}:{parts.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))

    def authorization(self) -> str:
        """nats-server's ``authorization`` block: every user, no anonymous access."""
        users = [{"user": user, "password": self.passwords[user], "permissions": permissions}
                 for user, permissions in PERMISSIONS.items()]
        return f"authorization {{\n  users: {json.dumps(users, indent=2)}\n}}\n"


def _password(path: Path, user: str) -> str:
    try:
        return str(json.loads(path.read_text("utf-8"))["password"])
    except (FileNotFoundError, KeyError, json.JSONDecodeError):
        pass
    password = secrets.token_urlsafe(24)
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"user": user, "password": password}, handle)
    return password


def without_credentials(url: str) -> str:
    """``url`` without a user name or password in it, for display and for address books."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def user_url(data_dir: Path, base: str, user: str) -> str:
    """``base`` with the credentials of ``user`` from ``data_dir``, when it has them."""
    path = data_dir / "nats" / USERS_DIR / f"{user}.json"
    try:
        password = str(json.loads(path.read_text("utf-8"))["password"])
    except (FileNotFoundError, PermissionError, KeyError, json.JSONDecodeError):
        return base
    return BusUsers(path.parent, {user: password}).url(base, user)
