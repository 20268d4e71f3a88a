"""Demo accounts: one person for every role, so the sample campaign is played by real people.

Created once per data directory with one random password (printed once by ``rectify demo``,
never stored in clear); administrators get their own TOTP seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyotp

from events.directory import Role
from services.identity.accounts import Accounts
from services.identity.management import Issued, StaffManagement
from services.identity.passwords import generate_password

OFFICE_UNIT = "法规与科技标准科"
DEMO_UNITS = {"zhidui": "生态环境综合行政执法支队", "qinyuan": "沁园分局", "jishui": "济水分局",
              "beihai": "北海分局", "tiantan": "天坛分局", "yuquan": "玉泉分局"}


@dataclass(frozen=True)
class DemoPerson:
    login: str
    name: str
    unit: str
    title: str
    grants: tuple[tuple[Role, str | None], ...]


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("wangke", f"{OFFICE_UNIT} 王科长", OFFICE_UNIT, "科长",
               ((Role.CAMPAIGN_OFFICE, None),)),
    DemoPerson("zhaoganshi", f"{OFFICE_UNIT} 赵干事", OFFICE_UNIT, "干事",
               ((Role.CAMPAIGN_OFFICE, None),)),
    *(DemoPerson(f"{key}-fzr", f"{unit}负责人", unit, "负责人",
                 ((Role.UNIT_LEADER, unit), (Role.UNIT_STAFF, unit)))
      for key, unit in DEMO_UNITS.items()),
    DemoPerson("liming", "支队法制科 李明", DEMO_UNITS["zhidui"], "法制科干部",
               ((Role.UNIT_STAFF, DEMO_UNITS["zhidui"]),)),
    DemoPerson("zhouqiang", "沁园分局 周强", DEMO_UNITS["qinyuan"], "法制股干部",
               ((Role.UNIT_STAFF, DEMO_UNITS["qinyuan"]),)),
    DemoPerson("juzhang", "局长 孙局长", "局领导", "局长", ((Role.BUREAU_LEADER, None),)),
    DemoPerson("ducha", "督察室 钱督察", "督察室", "督察员", ((Role.INSPECTOR, None),)),
    DemoPerson("rexian", "12345热线 吴接线员", "热线中心", "接线员",
               ((Role.HOTLINE_OPERATOR, None),)),
    DemoPerson("chayue", "信访科 郑科长", "信访科", "科长", ((Role.REPORTER_DATA_READER, None),)),
    DemoPerson("xitong", "信息中心 系统管理员", "信息中心", "系统管理员",
               ((Role.SYSTEM_ADMIN, None),)),
    DemoPerson("anquan", "信息中心 安全管理员", "信息中心", "安全管理员",
               ((Role.SECURITY_ADMIN, None),)),
    DemoPerson("shenji", "审计室 审计管理员", "审计室", "审计管理员",
               ((Role.AUDIT_ADMIN, None),)),
)


def create_demo_accounts(accounts: Accounts) -> list[Issued]:
    """Every demo person not yet enrolled, with one shared random password; what was issued."""
    directory = accounts.directory()
    missing = [p for p in DEMO_PEOPLE if directory.find(p.login) is None]
    password = generate_password()
    staff = StaffManagement(accounts)
    return [staff.add(None, p.login, p.name, p.unit, list(p.grants), title=p.title,
                      password=password, must_change=False) for p in missing]


def demo_session(accounts: Accounts, name: str) -> str:
    """A session for the demo person called ``name``, opened by the demo's own seeding."""
    person = next(p for p in accounts.directory().people.values() if p.name == name)
    token, _ = accounts.sessions.open(person.person_id, accounts.clock())
    accounts.audit.record(accounts.clock(), "login", "ok", actor_id=person.person_id,
                          actor=person.name, detail="demo seeding")
    return token


def totp_secret(issued: Issued) -> str | None:
    """The base32 seed of an issued TOTP URI, for typing into an authenticator app."""
    if issued.totp_uri is None:
        return None
    secret: str = pyotp.parse_uri(issued.totp_uri).secret
    return secret
