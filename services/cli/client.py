"""Talking to a running ``rectify up`` over NATS: requests, intake publishing, waiting."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import nats
from nats.aio.client import Client
from nats.errors import NoRespondersError, NoServersError

from events.identity import intake_key, problem_id_for
from events.subjects import HEADER_INTAKE_TICKET, HEADER_MSG_ID, PROBLEM_QUERY, intake_subject
from events.submission import IntakeSubmission


class UnreachableError(Exception):
    """No running rectify answered."""


@asynccontextmanager
async def connected(url: str) -> AsyncIterator[Client]:
    try:
        client = await nats.connect(url, connect_timeout=3, max_reconnect_attempts=0,
                                    allow_reconnect=False)
    except (NoServersError, OSError, TimeoutError) as refused:
        raise UnreachableError(url) from refused
    try:
        yield client
    finally:
        await client.close()


async def request(client: Client, subject: str, body: dict[str, Any] | bytes,
                  timeout: float = 15.0, headers: dict[str, str] | None = None
                  ) -> dict[str, Any]:
    """Send one request (with the signed-in session in ``headers``); the decoded answer."""
    payload = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False,
                                                               default=str).encode()
    try:
        answer = await client.request(subject, payload, timeout=timeout, headers=headers)
    except (NoRespondersError, TimeoutError) as silent:
        raise UnreachableError(subject) from silent
    decoded: dict[str, Any] = json.loads(answer.data)
    return decoded


async def publish_submission(client: Client, submission: IntakeSubmission,
                             ticket: str | None) -> None:
    """Publish to INTAKE with the ticket the service gave the filer; return once stored."""
    headers = {HEADER_MSG_ID: intake_key(submission.channel, submission.intake_id)}
    if ticket is not None:
        headers[HEADER_INTAKE_TICKET] = ticket
    await client.jetstream().publish(intake_subject(submission.channel),
                                     submission.model_dump_json().encode(), headers=headers)


async def file_submission(client: Client, submission: IntakeSubmission, ticket: str | None,
                          timeout: float = 30.0) -> dict[str, Any]:
    """Publish to INTAKE (with the ticket the service gave the filer) and wait until casework
    has recorded the problem."""
    await publish_submission(client, submission, ticket)
    problem_id = problem_id_for(submission.channel, submission.intake_id)
    return await wait_for_problem(client, problem_id, timeout)


async def wait_for_problem(client: Client, problem_id: UUID, timeout: float) -> dict[str, Any]:
    """Casework's answer about a problem just published to INTAKE, once it is recorded.

    The report is already safely on INTAKE, so a casework that does not answer for a moment
    (its connection coming back after a NATS restart) is waited for, not reported as failure.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            answer = await request(client, PROBLEM_QUERY, {"problem_id": str(problem_id)})
        except UnreachableError:
            if time.monotonic() > deadline:
                raise
            answer = {"ok": False}
        if answer.get("ok") or time.monotonic() > deadline:
            return answer
        await asyncio.sleep(0.05)
