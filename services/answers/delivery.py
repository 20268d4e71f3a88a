"""Delivering one answer: find the reporter, send through their channel, record what happened.

Sending happens off the store thread; deciding and recording on it. Before sending, the problem
is loaded: an answer whose delivery is already on record is skipped, so a redelivered
``ReporterAnswered`` (after a restart, or an ack lost) sends nothing. What remains is the window
between a send and its record: a crash there sends the answer again on restart (for mail, with
the same Message-ID).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import IntegrityError, RecordConflictError

from events.identity import event_id_for
from events.lifecycle import AnswerDelivered, ProblemReported, Reporter, ReporterAnswered
from events.vocabulary import AnswerRoute, Channel, Via
from services.answers.mail import answer_mail, answer_message_id, send_mail, threadable
from services.answers.outcomes import RefusedError, Sent
from services.answers.wechat_api import WeChatApi, shortened
from services.casework.application import Casework
from services.casework.errors import AlreadyDeliveredError
from services.casework.problem import Act, Problem, RecordedFact
from services.casework.store_thread import StoreThread
from services.clock import Clock, system_clock
from services.reporters.keys import IntakeKeys
from services.reporters.privacy import Contact, unseal
from services.reporters.tracking import tracking_number

log = logging.getLogger(__name__)

DELIVERY_ACTOR = "系统答复"
"""Who the delivery facts name (via ``system``)."""
RECORD_ATTEMPTS = 5


@dataclass(frozen=True)
class Pending:
    """An answer whose delivery is not on record yet, and what it takes to reach the reporter."""

    problem_id: UUID
    version: int
    channel: Channel
    message: str
    intake_id: str
    reporter: Reporter | None


@dataclass(frozen=True)
class Routes:
    """The ways out this process has; a missing one makes its answers undeliverable."""

    mailbox: str
    mail_relay: str | None
    wechat: WeChatApi | None


class Delivery:
    """Delivers each answer once and records it on the problem."""

    def __init__(self, casework: Casework, store: StoreThread, keys: IntakeKeys, routes: Routes,
                 on_recorded: Callable[[], None], clock: Clock = system_clock) -> None:
        self.casework, self.store, self.keys, self.routes = casework, store, keys, routes
        self.on_recorded, self.clock = on_recorded, clock
        self.delivered = self.failed = 0
        """How many answers were recorded delivered and undeliverable: ``rectify status``."""

    async def deliver(self, answered: ReporterAnswered, version: int) -> bool:
        """Send the answer recorded at ``version`` unless that is on record; True if recorded.

        ``TryLaterError`` goes to the caller, which offers the answer again after a pause.
        """
        pending = await self.store.run(self._pending, answered, version)
        if pending is None:
            return False
        try:
            record = _delivered(version, await self._send(pending))
        except RefusedError as refused:
            log.warning("answer %s/%d not deliverable: %s", pending.problem_id, version, refused)
            record = _failed(version, refused)
        await self.store.run(self._record, pending.problem_id, record)
        self.on_recorded()
        return True

    def _pending(self, answered: ReporterAnswered, version: int) -> Pending | None:
        answers = self.casework.get_problem(answered.problem_id).answers
        if version not in answers.given or version in answers.deliveries:
            return None
        [first] = self.casework.events.get(answered.problem_id, limit=1)
        assert isinstance(first, RecordedFact)
        reported = first.fact
        assert isinstance(reported, ProblemReported)
        return Pending(answered.problem_id, version, answers.channel_of(version),
                       answered.message, reported.intake_id, reported.reporter)

    async def _send(self, pending: Pending) -> Sent:
        tracking = tracking_number(self.keys.tracking, pending.problem_id)
        if pending.channel is Channel.MAILBOX:
            return await self._mail(pending, tracking)
        if pending.channel is Channel.WECHAT:
            return await self._wechat(pending, tracking)
        return await self._lookup(pending, tracking)

    async def _lookup(self, pending: Pending, tracking: str) -> Sent:
        # Website, API and hotline reporters hold a tracking number: the lookup shows the
        # answer (casework put the number in the index when it took the report in).
        return Sent(AnswerRoute.TRACKING_LOOKUP, tracking)

    async def _mail(self, pending: Pending, tracking: str) -> Sent:
        contact = self._contact(pending)
        if not contact.email and contact.claimed_email:
            # The MX did not vouch for the sender: mailing the claimed address could mail a
            # third party. The answer waits at the lookup (the SMTP reply named the number).
            return await self._lookup(pending, tracking)
        if not contact.email:
            raise _no_contact(AnswerRoute.MAIL, "电子邮箱地址", "e-mail address")
        if self.routes.mail_relay is None:
            raise _not_configured(AnswerRoute.MAIL, "RECTIFY_SMTP_RELAY")
        message_id = answer_message_id(event_id_for(pending.problem_id, pending.version),
                                       self.routes.mailbox)
        mail = answer_mail(to=contact.email, name=contact.name, mailbox=self.routes.mailbox,
                           message_id=message_id, tracking=tracking, answer=pending.message,
                           original_id=threadable(pending.intake_id))
        return await send_mail(self.routes.mail_relay, mail)

    async def _wechat(self, pending: Pending, tracking: str) -> Sent:
        contact = self._contact(pending)
        if not contact.wechat_openid:
            raise _no_contact(AnswerRoute.WECHAT, "微信 OpenID", "WeChat OpenID")
        if self.routes.wechat is None:
            raise _not_configured(AnswerRoute.WECHAT, "RECTIFY_WECHAT_APPID, RECTIFY_WECHAT_SECRET")
        text = shortened(f"您反映的问题（查询编号 {tracking}）答复如下：\n{pending.message}")
        return await self.routes.wechat.send_text(contact.wechat_openid, text)

    def _contact(self, pending: Pending) -> Contact:
        if pending.reporter is None:
            return Contact()
        try:
            return unseal(self.keys.cipher, pending.reporter)
        except ValueError as unreadable:  # sealed under another reporter key
            raise RefusedError(None, "contact_unreadable",
                               "举报人联系方式无法解密（举报人密钥不符），答复无法送达",
                               "the reporter's contact cannot be unsealed with this reporter key"
                               ) from unreadable

    def _record(self, problem_id: UUID, record: Callable[[Problem, Act], None]) -> None:
        """Record on a freshly loaded problem; a staff command saved meanwhile is read, not lost.

        Never given up on lightly: an answer sent but not recorded would be sent again.
        """
        for _ in range(RECORD_ATTEMPTS):
            problem = self.casework.get_problem(problem_id)
            try:
                record(problem, Act(DELIVERY_ACTOR, Via.SYSTEM, self.clock()))
            except AlreadyDeliveredError:  # another delivery part was quicker
                return
            delivered = isinstance(problem.pending_events[-1].fact, AnswerDelivered)
            try:
                self.casework.save(problem)
            except (RecordConflictError, IntegrityError):
                continue
            if delivered:
                self.delivered += 1
            else:
                self.failed += 1
            return
        raise RuntimeError(f"could not record the delivery on {problem_id}: it kept changing")


def _no_contact(route: AnswerRoute, what_zh: str, what_en: str) -> RefusedError:
    return RefusedError(route, "no_contact",
                        f"举报人没有留下{what_zh}，答复无法送达；举报人可凭查询编号查看答复",
                        f"the reporter left no {what_en}; they can read the answer with their "
                        "tracking number")


def _not_configured(route: AnswerRoute, setting: str) -> RefusedError:
    return RefusedError(route, "not_configured",
                        f"未配置{route.label('zh')}（{setting}），答复无法发出",
                        f"{route.label('en')} is not configured ({setting}): the answer was "
                        "not sent")


def _delivered(version: int, sent: Sent) -> Callable[[Problem, Act], None]:
    def record(problem: Problem, act: Act) -> None:
        problem.record_delivery(act, version, sent.route, sent.reference)

    return record


def _failed(version: int, refused: RefusedError) -> Callable[[Problem, Act], None]:
    def record(problem: Problem, act: Act) -> None:
        problem.record_delivery_failure(act, version, refused.route, refused.code, refused.zh,
                                        refused.en)

    return record
