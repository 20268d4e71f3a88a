"""Who may do what on the embedded NATS: one user per part, with the subjects it needs.

``rectify up`` generates each user's password once (kept 0600 in ``<data dir>/nats/users/``)
and writes the users with their permissions into nats-server's configuration. There is no
anonymous user. The service process itself (casework, supervision, identity, answers,
projections) connects as ``service``; the relay alone publishes ``events.>``; gateways publish
only the public intake channels; readers only read; the CLI (``staff``) sends requests whose
person casework checks; only ``admin`` reaches the stream-management API.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from events.subjects import TRACKING_BUCKET
from events.vocabulary import Channel
from services.intake.reports import STAFF_CHANNELS

USERS_DIR = "users"
_STREAM_ADMIN = ["$JS.API.STREAM.DELETE.>", "$JS.API.STREAM.PURGE.>",
                 "$JS.API.STREAM.MSG.DELETE.>", "$JS.API.STREAM.UPDATE.>",
                 "$JS.API.STREAM.CREATE.EVENTS", "$JS.API.STREAM.CREATE.INTAKE",
                 "$JS.API.STREAM.CREATE.REJECTED"]
_KV = f"KV_{TRACKING_BUCKET}"
_READ_TRACKING = [f"$JS.API.STREAM.INFO.{_KV}", f"$JS.API.DIRECT.GET.{_KV}.>",
                  f"$JS.API.STREAM.MSG.GET.{_KV}"]
_WRITE_TRACKING = [f"$KV.{TRACKING_BUCKET}.>"]
_READ_EVENTS = ["$JS.API.INFO", "$JS.API.STREAM.INFO.>", "$JS.API.STREAM.NAMES",
                "$JS.API.CONSUMER.CREATE.EVENTS", "$JS.API.CONSUMER.CREATE.EVENTS.>",
                "$JS.API.CONSUMER.MSG.NEXT.EVENTS.>", "$JS.API.CONSUMER.DELETE.EVENTS.>",
                "$JS.API.CONSUMER.INFO.EVENTS.>", "$JS.ACK.EVENTS.>",
                "$JS.API.STREAM.MSG.GET.EVENTS", "$JS.API.DIRECT.GET.EVENTS.>"]
_GATEWAY_INTAKE = [f"intake.{c.value}" for c in Channel
                   if c.is_public or c in STAFF_CHANNELS]
"""The public channels, and the staff findings the JSON API files for a signed-in person."""
_INBOX = ["_INBOX.>"]

PERMISSIONS: dict[str, dict[str, dict[str, list[str]]]] = {
    "admin": {"publish": {"allow": [">"]}, "subscribe": {"allow": [">"]}},
    "service": {"publish": {"allow": [">"], "deny": ["events.>", *_STREAM_ADMIN]},
                "subscribe": {"allow": [">"]}},
    "relay": {"publish": {"allow": ["events.>", "$JS.API.INFO", "$JS.API.STREAM.INFO.EVENTS",
                                    "$JS.API.STREAM.MSG.GET.EVENTS",
                                    "$JS.API.DIRECT.GET.EVENTS.>"]},
              "subscribe": {"allow": _INBOX}},
    "gateway": {"publish": {"allow": [*_GATEWAY_INTAKE, "rejected.>", "query.problem.get",
                                      "query.problem.history", "auth.whoami", *_READ_TRACKING,
                                      "$JS.API.INFO"]},
                "subscribe": {"allow": _INBOX}},
    "staff": {"publish": {"allow": ["cmd.problem.*", "cmd.unit.*", "cmd.notice.*",
                                    "cmd.staff.*", "query.>", "auth.*", "intake.>",
                                    *_READ_TRACKING, *_READ_EVENTS]},
              "subscribe": {"allow": _INBOX}},
    "reader": {"publish": {"allow": _READ_EVENTS}, "subscribe": {"allow": _INBOX}},
}
"""Each user's permissions, in nats-server's own terms."""


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
