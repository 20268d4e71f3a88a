"""Reading a command off a request and refusing it in words both languages can read."""

from __future__ import annotations

from typing import Protocol, TypeVar

from pydantic import TypeAdapter, ValidationError

from events.commands import ErrorInfo, Reply


class Verbed(Protocol):
    @property
    def verb(self) -> str: ...


C = TypeVar("C", bound=Verbed)


def refusal(code: str, zh: str, en: str) -> Reply:
    return Reply(ok=False, error=ErrorInfo(code=code, zh=zh, en=en))


def read_command(adapter: TypeAdapter[C], verb: str, data: bytes) -> C | Reply:
    """The command in ``data``, or the refusal saying why it is not one (or not ``verb``)."""
    try:
        command = adapter.validate_json(data)
    except ValidationError as invalid:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in invalid.errors(include_url=False)
        )
        return refusal("invalid_command", f"命令无效：{details}", f"invalid command: {details}")
    if command.verb != verb:
        return refusal("verb_mismatch", f"命令 {command.verb} 发到了 {verb}",
                       f"command {command.verb} was sent to {verb}")
    return command
