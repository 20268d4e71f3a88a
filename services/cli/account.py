"""``rectify login|logout|whoami``: signing in to a running rectify, and who one is."""

from __future__ import annotations

from typing import Any

import click

from events.subjects import LOGIN_REQUEST, LOGOUT_REQUEST, WHOAMI_REQUEST
from services.cli.options import Session, common_options
from services.cli.sending import ask
from services.cli.signed_in import SignedIn, forget_session, load_session, save_session
from services.cli.sso_login import sso_sign_in


def roles_text(session: Session, person: dict[str, Any]) -> str:
    lang = session.out.lang
    return "、".join(r[lang] + (f"（{r['scope']}）" if r["scope"] else "")
                    for r in person["roles"]) or session.out.t("无", "none")


@click.command()
@common_options
@click.argument("login", required=False)
@click.option("--password", default=None, envvar="RECTIFY_PASSWORD",
              help="口令（不填则提示输入）/ password (prompted when absent)")
@click.option("--totp", default=None, help="动态口令（管理员必填）/ one-time code")
@click.option("--new-password", default=None, envvar="RECTIFY_NEW_PASSWORD",
              help="首次登录或重置后设置的新口令 / new password after a reset")
@click.option("--sso", is_flag=True,
              help="统一身份认证登录（在浏览器中打开显示的地址）/ single sign-on")
def login(session: Session, login: str | None, password: str | None, totp: str | None,
          new_password: str | None, sso: bool) -> None:
    """登录 / sign in (the session is kept in ~/.rectify/session.json, 0600)."""
    if sso:
        if login:
            session.out.fail("统一身份认证登录不需要登录名：rectify login --sso",
                             "single sign-on takes no sign-in name: rectify login --sso")
        answer = sso_sign_in(session, ask, totp)
    else:
        if not login:
            session.out.fail("请给出登录名：rectify login 登录名（或 --sso）",
                             "give a sign-in name: rectify login NAME (or --sso)")
        if password is None:
            password = click.prompt("口令 / password", hide_input=True)
        body = {"login": login, "password": password, "totp": totp,
                "new_password": new_password}
        answer = ask(session, LOGIN_REQUEST, body)
    person = answer["person"]
    path = save_session(SignedIn(answer["token"], person["login"], person["name"],
                                 session.address() or session.url()))
    if session.out.format == "json":
        session.out.json({"ok": True, "person": person, "expires_at": answer["expires_at"],
                          "session_file": str(path)})
        return
    session.out.line(f"已登录：{person['name']}（{roles_text(session, person)}），"
                     f"会话至 {answer['expires_at'][:16]} 有效",
                     f"signed in as {person['name']} ({roles_text(session, person)}) until "
                     f"{answer['expires_at'][:16]}")


@click.command()
@common_options
def logout(session: Session) -> None:
    """退出登录 / sign out (the service ends the session)."""
    signed_in = load_session()
    if signed_in is not None:
        ask(session, LOGOUT_REQUEST, {}, headers=session.headers())
    forget_session()
    session.out.line("已退出登录", "signed out")


@click.command()
@common_options
def whoami(session: Session) -> None:
    """当前登录人及其角色 / who is signed in, with which roles."""
    if not session.headers():
        session.out.fail("尚未登录：rectify login", "not signed in: rectify login")
    person = ask(session, WHOAMI_REQUEST, {}, headers=session.headers())["person"]
    if session.out.format == "json":
        session.out.json(person)
        return
    session.out.line(f"{person['name']}（{person['login']}，{person['unit']}）："
                     f"{roles_text(session, person)}",
                     f"{person['name']} ({person['login']}, {person['unit']}): "
                     f"{roles_text(session, person)}")


ACCOUNT_COMMANDS = (login, logout, whoami)
