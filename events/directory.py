"""人员名录: the staff directory as immutable facts — who works where, with which roles.

People have a stable id that never changes when a name, unit or title does; separation of
duties compares these ids, never display names. Roles come from the campaign's organisation
(the notice's 法规科, 各分局、执法支队, leaders, inspectors) plus the three administrators that
等保 2.0 keeps apart (三员分立). Replaying these facts up to a moment answers "who could close
problems of 沁园分局 on 5 March".
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

from events.text import Name, Text

Login = Annotated[str, Field(pattern=r"^[a-z][a-z0-9._-]{1,31}$",
                             description="Sign-in name: lower-case letters, digits, . _ -")]


class Role(StrEnum):
    """角色: what a person may do, within a scope of units."""

    CAMPAIGN_OFFICE = "campaign_office"
    UNIT_STAFF = "unit_staff"
    UNIT_LEADER = "unit_leader"
    BUREAU_LEADER = "bureau_leader"
    INSPECTOR = "inspector"
    HOTLINE_OPERATOR = "hotline_operator"
    REPORTER_DATA_READER = "reporter_data_reader"
    SYSTEM_ADMIN = "system_admin"
    SECURITY_ADMIN = "security_admin"
    AUDIT_ADMIN = "audit_admin"

    def label(self, lang: Literal["zh", "en"] = "zh") -> str:
        zh, en = ROLE_LABELS[self]
        return zh if lang == "zh" else en

    @property
    def per_unit(self) -> bool:
        """Whether a grant of this role names one unit (承办人、单位负责人) rather than all."""
        return self in (Role.UNIT_STAFF, Role.UNIT_LEADER)

    @property
    def administrator(self) -> bool:
        """The three administrators (三员): they must sign in with a second factor."""
        return self in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)

    @classmethod
    def parse(cls, text: str) -> Role:
        wanted = text.strip()
        for role in cls:
            zh, en = ROLE_LABELS[role]
            if wanted in (role.value, zh) or wanted.lower() == en.lower():
                return role
        raise ValueError(wanted)


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.CAMPAIGN_OFFICE: ("专项整治办（法规科）", "campaign office"),
    Role.UNIT_STAFF: ("承办人", "unit staff"),
    Role.UNIT_LEADER: ("单位负责人", "unit leader"),
    Role.BUREAU_LEADER: ("局领导", "bureau leader"),
    Role.INSPECTOR: ("督察人员", "inspector"),
    Role.HOTLINE_OPERATOR: ("热线接线员", "hotline operator"),
    Role.REPORTER_DATA_READER: ("举报人信息查阅人", "reporter-data reader"),
    Role.SYSTEM_ADMIN: ("系统管理员", "system administrator"),
    Role.SECURITY_ADMIN: ("安全管理员", "security administrator"),
    Role.AUDIT_ADMIN: ("审计管理员", "audit administrator"),
}


class DirectoryFact(BaseModel):
    """What every directory fact carries: whose record, who changed it, when."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str
    version: int = 1
    person_id: str = Field(description="The stable id of the person the fact is about.")
    actor_id: str = Field(description="Who recorded it: a person id, or `system` at setup.")
    actor: Name
    occurred_at: AwareDatetime


class StaffEnrolled(DirectoryFact):
    """人员登记: a person was given an account."""

    type: Literal["StaffEnrolled"] = "StaffEnrolled"
    login: Login
    name: Name
    unit: Name
    department: Name | None = None
    title: Name | None = None


class RoleGranted(DirectoryFact):
    """授权: a role, for one unit or (scope None) for every unit."""

    type: Literal["RoleGranted"] = "RoleGranted"
    role: Role
    scope: Name | None = None


class RoleRevoked(DirectoryFact):
    """撤销授权."""

    type: Literal["RoleRevoked"] = "RoleRevoked"
    role: Role
    scope: Name | None = None


class StaffDisabled(DirectoryFact):
    """停用: the account may no longer sign in; its sessions end."""

    type: Literal["StaffDisabled"] = "StaffDisabled"
    reason: Text


class StaffEnabled(DirectoryFact):
    """启用: a disabled or locked account may sign in again."""

    type: Literal["StaffEnabled"] = "StaffEnabled"


class PasswordReset(DirectoryFact):
    """重置口令: a new initial password (its hash is kept apart, never on the record)."""

    type: Literal["PasswordReset"] = "PasswordReset"
    totp_reset: bool = False


class AccountLocked(DirectoryFact):
    """锁定: too many failed sign-ins in a row."""

    type: Literal["AccountLocked"] = "AccountLocked"
    failures: int


DirectoryEvent = Annotated[
    StaffEnrolled | RoleGranted | RoleRevoked | StaffDisabled | StaffEnabled | PasswordReset
    | AccountLocked,
    Field(discriminator="type"),
]

DIRECTORY_ADAPTER: TypeAdapter[DirectoryEvent] = TypeAdapter(DirectoryEvent)
