"""举报人隐私: reporters' names and contacts sealed at the gateway, masked wherever shown."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import asdict, dataclass

from eventsourcing.cipher import AESCipher

from events.lifecycle import Reporter

_NOT_DIGIT = re.compile(r"\D")


@dataclass(frozen=True)
class Contact:
    """Who reported and how to reach them: personal data, never stored in clear."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    """An address the mail server authenticated: answers may be mailed to it."""
    wechat_openid: str | None = None
    claimed_email: str | None = None
    """What an unauthenticated mail's ``From`` said: kept (sealed) for staff, never mailed."""

    def is_empty(self) -> bool:
        return not any(asdict(self).values())


def mask_phone(phone: str) -> str:
    """138****5678: enough for the reporter to recognise, too little to call."""
    digits = _NOT_DIGIT.sub("", phone)
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(digits) - 2, 1) + digits[-2:]


def mask_name(name: str) -> str:
    """张*: the family name only."""
    name = name.strip()
    return name[:1] + "*" * min(max(len(name) - 1, 1), 3)


def mask_email(email: str) -> str:
    local, at, domain = email.strip().partition("@")
    return f"{local[:1]}***{at}{domain}"


def seal(cipher: AESCipher, contact: Contact) -> Reporter | None:
    """The Reporter an event carries: contacts encrypted, masked forms beside; None if anonymous."""
    clean = Contact(**{k: v.strip() if v else None for k, v in asdict(contact).items()})
    if clean.is_empty():
        return None
    plain = json.dumps({k: v for k, v in asdict(clean).items() if v}, ensure_ascii=False)
    return Reporter(
        sealed=base64.b64encode(cipher.encrypt(plain.encode())).decode("ascii"),
        masked_name=mask_name(clean.name) if clean.name else None,
        masked_phone=mask_phone(clean.phone) if clean.phone else None,
        masked_email=mask_email(address) if (address := clean.email or clean.claimed_email)
        else None,
    )


def unseal(cipher: AESCipher, reporter: Reporter) -> Contact:
    """The reporter's contact in clear: for those the configuration allows to see it."""
    if reporter.sealed is None:  # recorded before sealing: clear text as it was
        return Contact(name=reporter.name, phone=reporter.phone)
    fields: dict[str, str] = json.loads(cipher.decrypt(base64.b64decode(reporter.sealed)))
    return Contact(**fields)


def masked(reporter: Reporter) -> Contact:
    """What everyone else sees of a reporter."""
    return Contact(
        name=reporter.masked_name or (mask_name(reporter.name) if reporter.name else None),
        phone=reporter.masked_phone or (mask_phone(reporter.phone) if reporter.phone else None),
        email=reporter.masked_email,
    )
