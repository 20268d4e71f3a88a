"""Where the CLI keeps the signed-in person's session: one small file, 0600, per user.

``$RECTIFY_SESSION_FILE`` names it; otherwise ``~/.rectify/session.json``. It holds the opaque
token the service gave at sign-in (the service can end it at any time) and who it is, for
display; it holds no password.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SignedIn:
    token: str
    login: str
    name: str
    nats_url: str


def session_file() -> Path:
    configured = os.environ.get("RECTIFY_SESSION_FILE")
    return Path(configured) if configured else Path.home() / ".rectify" / "session.json"


def load_session(nats_url: str | None = None) -> SignedIn | None:
    """The saved session (for ``nats_url`` when given: another rectify's does not count)."""
    try:
        saved = json.loads(session_file().read_text("utf-8"))
        signed_in = SignedIn(str(saved["token"]), str(saved["login"]), str(saved["name"]),
                             str(saved["nats_url"]))
    except (FileNotFoundError, json.JSONDecodeError, KeyError, TypeError):
        return None
    if nats_url is not None and signed_in.nats_url != nats_url:
        return None
    return signed_in


def save_session(signed_in: SignedIn) -> Path:
    path = session_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_suffix(".tmp")
    descriptor = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(signed_in.__dict__, handle, ensure_ascii=False)
    partial.replace(path)
    return path


def forget_session() -> None:
    session_file().unlink(missing_ok=True)
