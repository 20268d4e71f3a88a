"""``rectify staff add|grant|revoke|disable|enable|reset|list`` (安全管理员) and ``rectify audit``
(审计管理员): requests to the identity service under the signed-in session."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from events.directory import Role
from events.subjects import AUDIT_QUERY, STAFF_QUERY, staff_command_subject
from services.cli.account import roles_text
from services.cli.options import Session, common_options
from services.cli.sending import ask
from services.identity.accounts import Accounts
from services.identity.management import StaffManagement
from services.identity.store import IdentityStore

LOGIN = click.argument("login")
ROLE = click.argument("role", metavar="ROLE[@UNIT]")


@click.group()
def staff() -> None:
    """人员与角色（安全管理员）/ accounts and roles (security administrator)."""


def _change(session: Session, verb: str, body: dict[str, Any]) -> None:
    answer = ask(session, staff_command_subject(verb), body, headers=session.headers())
    if session.out.format == "json":
        session.out.json(answer)
        return
    person = answer["person"]
    roles = roles_text(session, person)
    session.out.line(f"已记录：{person['name']}（{person['login']}）：{roles}",
                     f"recorded: {person['name']} ({person['login']}): "
                     f"{roles_text(session, person)}")
    if answer.get("password"):
        session.out.line(f"初始口令（只显示这一次，首次登录须修改）：{answer['password']}",
                         f"initial password (shown once, to change at first sign-in): "
                         f"{answer['password']}")
    if answer.get("totp_uri"):
        session.out.line(f"动态口令绑定（只显示这一次）：{answer['totp_uri']}",
                         f"TOTP enrolment (shown once): {answer['totp_uri']}")


@staff.command()
@common_options
@LOGIN
@click.option("--name", required=True, help="姓名 / name")
@click.option("--unit", required=True, help="所在单位 / unit")
def init(session: Session, login: str, name: str, unit: str) -> None:
    """首个安全管理员（本机，直接写数据目录）/ the first security administrator (local)."""
    accounts = Accounts(IdentityStore.in_data_dir(session.data_dir))
    if accounts.holders(Role.SECURITY_ADMIN):
        session.out.fail("已有安全管理员：请由其登录后用 rectify staff add 登记人员",
                         "a security administrator exists: they enrol people with staff add")
    issued = StaffManagement(accounts).add(None, login, name, unit, [(Role.SECURITY_ADMIN, None)])
    if session.out.format == "json":
        session.out.json({"ok": True, "login": login, "password": issued.password,
                          "totp_uri": issued.totp_uri})
        return
    session.out.line(f"已登记安全管理员 {name}（{login}）。"
                     f"初始口令（只显示这一次，首次登录须修改）：{issued.password}\n动态口令绑定：{issued.totp_uri}",
                     f"enrolled the security administrator {name} ({login}). Initial password "
                     f"(shown once, to change at first sign-in): {issued.password}\n"
                     f"TOTP enrolment: {issued.totp_uri}")


@staff.command()
@common_options
@LOGIN
@click.option("--name", required=True, help="姓名 / name")
@click.option("--unit", required=True, help="所在单位 / unit")
@click.option("--department", default=None, help="部门 / department")
@click.option("--title", default=None, help="职务 / title")
@click.option("--role", "roles", multiple=True, metavar="ROLE[@UNIT]",
              help="角色，可重复；承办人、单位负责人默认本单位 / role (repeatable)")
@click.option("--totp", is_flag=True, help="要求动态口令（管理员总是要求）/ require TOTP")
def add(session: Session, login: str, name: str, unit: str, department: str | None,
        title: str | None, roles: tuple[str, ...], totp: bool) -> None:
    """登记人员 / enrol a person."""
    _change(session, "add", {"login": login, "name": name, "unit": unit,
                             "department": department, "title": title, "roles": list(roles),
                             "totp": totp})


@staff.command()
@common_options
@LOGIN
@ROLE
def grant(session: Session, login: str, role: str) -> None:
    """授予角色 / grant a role."""
    _change(session, "grant", {"login": login, "role": role})


@staff.command()
@common_options
@LOGIN
@ROLE
def revoke(session: Session, login: str, role: str) -> None:
    """撤销角色 / revoke a role."""
    _change(session, "revoke", {"login": login, "role": role})


@staff.command()
@common_options
@LOGIN
@click.option("--reason", required=True, help="原因 / why")
def disable(session: Session, login: str, reason: str) -> None:
    """停用账号 / disable an account."""
    _change(session, "disable", {"login": login, "reason": reason})


@staff.command()
@common_options
@LOGIN
def enable(session: Session, login: str) -> None:
    """启用账号 / enable an account again."""
    _change(session, "enable", {"login": login})


@staff.command()
@common_options
@LOGIN
@click.option("--totp", is_flag=True, help="同时重新绑定动态口令 / new TOTP seed too")
def reset(session: Session, login: str, totp: bool) -> None:
    """重置口令并解锁 / reset the password (and unlock)."""
    _change(session, "reset", {"login": login, "totp": totp})


@staff.command("list")
@common_options
def list_staff(session: Session) -> None:
    """人员名录 / the staff directory."""
    people = ask(session, STAFF_QUERY, {}, headers=session.headers())["people"]
    if session.out.format == "json":
        session.out.json(people)
        return
    t = session.out.t
    session.out.table(
        [t("登录名", "login"), t("姓名", "name"), t("单位", "unit"), t("职务", "title"),
         t("角色", "roles"), t("状态", "state")],
        [[p["login"], p["name"], p["unit"], p["title"], roles_text(session, p),
          t("停用", "disabled") if p["disabled"] else t("锁定", "locked") if p["locked"]
          else t("正常", "active")] for p in people])


@click.command()
@common_options
@click.option("--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]),
              default=None, help="从此时起 / from this moment")
@click.option("--actor", "person", default=None,
              help="只看此人（登录名、姓名或编号）/ one person only")
def audit(session: Session, since: datetime | None, person: str | None) -> None:
    """审计日志（审计管理员）/ the audit log (audit administrator)."""
    answer = ask(session, AUDIT_QUERY, {"since": since.isoformat() if since else None,
                                        "actor": person}, headers=session.headers())
    if session.out.format == "json":
        session.out.json(answer)
        return
    t = session.out.t
    session.out.table(
        [t("序号", "seq"), t("时间", "when"), t("操作人", "actor"), t("操作", "action"),
         t("对象", "target"), t("结果", "result"), t("说明", "detail")],
        [[r["seq"], r["at"][:19], r["actor"] or "", r["action"], r["target"] or "",
          r["result"], r["detail"] or ""] for r in answer["records"]])
    if answer.get("chain_broken_at"):
        session.out.line(f"警告：审计记录在第 {answer['chain_broken_at']} 条处被改动",
                         f"warning: the audit records were altered at {answer['chain_broken_at']}")


STAFF_ADMIN_COMMANDS = (staff, audit)
