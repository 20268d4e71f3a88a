"""Why the domain refuses a command: each refusal has a stable code and a message in zh and en."""

from __future__ import annotations

from events.commands import ErrorInfo


class DomainError(Exception):
    """A command the rules do not allow. Nothing is recorded when one is raised."""

    code = "domain_error"

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en

    def info(self) -> ErrorInfo:
        return ErrorInfo(code=self.code, zh=self.zh, en=self.en)


class ProblemNotFoundError(DomainError):
    code = "problem_not_found"


class ProblemClosedError(DomainError):
    code = "problem_closed"


class WrongStatusError(DomainError):
    code = "wrong_status"


class NotVerifiedError(DomainError):
    code = "not_verified"


class NoFixSubmittedError(DomainError):
    code = "no_fix_submitted"


class SelfVerificationError(DomainError):
    code = "self_verification"


class ReasonRequiredError(DomainError):
    code = "reason_required"


class DeadlineError(DomainError):
    code = "invalid_deadline"


class MilestoneError(DomainError):
    code = "invalid_milestone"


class DuplicateLinkError(DomainError):
    code = "invalid_duplicate_link"


class NoReporterError(DomainError):
    code = "no_reporter"


class VersionConflictError(DomainError):
    code = "version_conflict"


class ReporterNotAnsweredError(DomainError):
    code = "reporter_not_answered"


class NoticeNotFoundError(DomainError):
    code = "notice_not_found"


class AlreadyRespondedError(DomainError):
    code = "already_responded"


class TriggerRequiredError(DomainError):
    code = "trigger_required"


class NoResponseOwedError(DomainError):
    code = "no_response_owed"


class AlreadyReadError(DomainError):
    code = "already_read"


class NotACampaignUnitError(DomainError):
    code = "not_a_campaign_unit"


class DuplicateWarningError(DomainError):
    code = "duplicate_warning"


class AlreadySelectedError(DomainError):
    code = "already_selected"


class AlreadyAnsweredError(DomainError):
    code = "already_answered"


class AnswerNotFoundError(DomainError):
    code = "answer_not_found"


class AlreadyDeliveredError(DomainError):
    code = "already_delivered"


class SatisfactionError(DomainError):
    code = "satisfaction_not_allowed"


class ProposalError(DomainError):
    code = "proposal_not_allowed"


class ProposalIncompleteError(DomainError):
    code = "proposal_incomplete"


class ExtensionRequestError(DomainError):
    code = "extension_request"
