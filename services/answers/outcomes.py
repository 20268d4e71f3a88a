"""What a delivery attempt can come to: sent, refused for good, or worth trying again later."""

from __future__ import annotations

from dataclasses import dataclass

from events.vocabulary import AnswerRoute


@dataclass(frozen=True)
class Sent:
    """The answer left through ``route``; ``reference`` is what the route calls it."""

    route: AnswerRoute
    reference: str | None


class RefusedError(Exception):
    """The answer cannot be delivered this way, ever: recorded as ``AnswerDeliveryFailed``."""

    def __init__(self, route: AnswerRoute | None, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.route, self.code, self.zh, self.en = route, code, zh, en


class TryLaterError(Exception):
    """A passing failure (network, a busy server): the answer is sent again after a pause."""
