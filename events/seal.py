"""The relay's seal on every event it publishes to EVENTS (``Rectify-Seal``).

An HMAC-SHA256, under a key only rectify's own parts hold, over the stream position, the
message id and the body. Whoever can publish to EVENTS without the key cannot make a message
that a reader takes for the store's: the projections and the answers part check the seal and
halt on a message without a valid one, naming its sequence.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

SEAL_KEY_BYTES = 32


@dataclass(frozen=True)
class SealKey:
    """The secret the relay seals with and every reader of EVENTS checks with."""

    secret: bytes

    def seal(self, position: int, msg_id: str, body: bytes) -> str:
        # hmac.digest is OpenSSL's one-shot HMAC: a quarter cheaper than new/update/hexdigest,
        # and every event read from EVENTS is checked.
        return hmac.digest(self.secret, f"{position}\n{msg_id}\n".encode() + body,
                           "sha256").hex()

    def holds(self, position: int, msg_id: str, body: bytes, seal: str) -> bool:
        return hmac.compare_digest(self.seal(position, msg_id, body), seal)
