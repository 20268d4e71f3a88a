"""The reporter key: one configured secret, from which every intake secret is derived."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from eventsourcing.cipher import AESCipher
from eventsourcing.utils import Environment

from events.identity import SENDER_TAG_LENGTH, scoped_intake_id
from services.runtime.config import Settings

KEY_FILE = "reporter.key"
MAX_NATIVE_ID = 200 - SENDER_TAG_LENGTH - 1


class MissingKeyError(Exception):
    """No reporter key is configured and none was generated in the data directory yet."""


def load_master_key(settings: Settings, create: bool = False) -> str:
    """``RECTIFY_REPORTER_KEY``, else ``RECTIFY_REPORTER_KEY_FILE``, else the data directory's
    key file (generated when ``create``)."""
    if settings.intake.reporter_key:
        return settings.intake.reporter_key
    path = settings.intake.reporter_key_file or settings.data_dir / KEY_FILE
    if path.exists():
        return path.read_text("ascii").strip()
    if not create:
        raise MissingKeyError(str(path))
    return _generate(path)


def _generate(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    key = AESCipher.create_key(32)
    try:
        # Created with 0600 from the start: never readable by others, not even for a moment.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text("ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


@dataclass(frozen=True)
class IntakeKeys:
    """The cipher for personal data and the subkeys for tracking numbers, form tokens and
    sender tags."""

    cipher: AESCipher
    tracking: bytes
    csrf: bytes
    sender: bytes

    @classmethod
    def from_master(cls, master: str) -> IntakeKeys:
        cipher = AESCipher(Environment(env={AESCipher.CIPHER_KEY: master}))
        raw = base64.b64decode(master)
        return cls(cipher, _derive(raw, "tracking"), _derive(raw, "csrf"), _derive(raw, "sender"))

    def scoped(self, sender: str, native_id: str) -> str:
        """The intake id of ``native_id`` as sent by ``sender`` (``wechat:<openid>``,
        ``mail:<address>``, ``open311:<client>``, ``hotline:<operator>``). Keyed, so the id
        holds no personal data and nobody without the key can compute another sender's tag."""
        digest = hmac.new(self.sender, sender.encode(), hashlib.sha256).hexdigest()
        if len(native_id) > MAX_NATIVE_ID:  # the whole intake id must fit in 200 characters
            native_id = "sha256:" + hashlib.sha256(native_id.encode()).hexdigest()[:40]
        return scoped_intake_id(digest[:SENDER_TAG_LENGTH], native_id)

    @classmethod
    def for_settings(cls, settings: Settings, create: bool = False) -> IntakeKeys:
        return cls.from_master(load_master_key(settings, create))


def _derive(master: bytes, purpose: str) -> bytes:
    """A subkey per purpose, so that no secret serves two uses."""
    return hmac.new(master, f"rectify {purpose}".encode(), hashlib.sha256).digest()
