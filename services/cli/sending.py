"""Sending a staff command or request from the CLI: the arguments checked by the command's
model, the command sent as the signed-in person, and the service's refusal said as the service
said it."""

from __future__ import annotations

from typing import Any, NoReturn, TypeVar

from pydantic import BaseModel, ValidationError

from services.cli.client import connected, request
from services.cli.options import Session

Command = TypeVar("Command", bound=BaseModel)


def built(session: Session, model: type[Command], **fields: Any) -> Command:
    """The command as the signed-in person, or a failure naming the wrong argument."""
    try:
        return model(actor=session.actor, **fields)
    except ValidationError as invalid:
        fail_invalid(session, invalid)


def fail_invalid(session: Session, invalid: ValidationError) -> NoReturn:
    """Fail naming the first wrong argument and why (in zh and en where the model says both,
    as ``中文 / English``)."""
    first = invalid.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first["loc"]) or "参数"
    message = str(first.get("ctx", {}).get("error", first["msg"]))
    zh, _, en = message.partition(" / ")
    session.out.fail(f"参数无效：{where}：{zh}", f"invalid {where}: {en or zh}")


def sent(session: Session, subject: str, command: BaseModel) -> dict[str, Any]:
    """Send ``command`` on ``subject`` with the session; the reply, or a failure with the
    service's reason and code."""
    return ask(session, subject, command.model_dump_json().encode(), headers=session.headers())


def ask(session: Session, subject: str, body: dict[str, Any] | bytes,
        headers: dict[str, str] | None = None) -> dict[str, Any]:
    """One request to the running rectify; its answer, or a failure with the service's reason
    and code."""
    async def send() -> dict[str, Any]:
        async with connected(session.url()) as client:
            return await request(client, subject, body, headers=headers)

    answer = session.run(send())
    if not answer.get("ok"):
        error = answer.get("error") or {}
        session.out.fail(error.get("zh", "被拒绝"), error.get("en", "refused"),
                         extra={"code": error.get("code")})
    return answer
