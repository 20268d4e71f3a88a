"""Reading one intake message: a valid submission, or a precise reason why not."""

from __future__ import annotations

import json
from dataclasses import dataclass

from pydantic import ValidationError

from events.bilingual import BilingualError
from events.subjects import intake_subject
from events.submission import MAX_SUBMISSION_BYTES, SUBMISSION_ADAPTER, IntakeSubmission


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class SubmissionRejectedError(BilingualError):
    """A submission that cannot become a problem, with the reason for the REJECTED stream."""

    def __init__(self, zh: str, en: str, errors: tuple[FieldError, ...] = ()) -> None:
        super().__init__(zh, en)
        self.errors = errors

    def detail_json(self) -> str:
        """The reasons as ASCII-safe JSON: NATS header values must be plain ASCII lines."""
        errors = [{"field": e.field, "message": e.message} for e in self.errors]
        return json.dumps({"zh": self.zh, "en": self.en, "errors": errors}, ensure_ascii=True)


def read_submission(subject: str, data: bytes) -> IntakeSubmission:
    """The submission in ``data``, published on ``subject``; raises SubmissionRejectedError."""
    if len(data) > MAX_SUBMISSION_BYTES:
        raise SubmissionRejectedError(
            f"提交内容过大：{len(data)} 字节，上限 {MAX_SUBMISSION_BYTES} 字节",
            f"body too large: {len(data)} bytes, the limit is {MAX_SUBMISSION_BYTES}",
        )
    try:
        submission = SUBMISSION_ADAPTER.validate_json(data)
    except ValidationError as invalid:
        errors = tuple(
            FieldError(".".join(str(p) for p in e["loc"]) or "(body)", e["msg"])
            for e in invalid.errors(include_url=False)
        )
        summary = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
        raise SubmissionRejectedError(
            f"提交内容无效：{summary}", f"invalid submission: {summary}", errors
        ) from None
    if intake_subject(submission.channel) != subject:
        raise SubmissionRejectedError(
            f"渠道与主题不符：内容为 {submission.channel.value}，主题为 {subject}",
            f"channel {submission.channel.value} does not match subject {subject}",
        )
    return submission
