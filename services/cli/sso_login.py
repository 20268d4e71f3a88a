"""``rectify login --sso``: single sign-on from a terminal.

The person opens the printed address in any browser on this machine, signs in at the bureau's
identity platform, and is sent back to a one-shot listener on 127.0.0.1; the code it brings is
handed to the identity service with this process's PKCE verifier. Administrators then give
rectify's one-time code (``--totp``, or asked for) unless the platform asserted a second factor
the service was configured to trust. The session ends up where a password sign-in puts it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from events.subjects import SSO_BEGIN_REQUEST, SSO_FINISH_REQUEST, SSO_TOTP_REQUEST
from services.cli.loopback import Loopback
from services.cli.options import Session
from services.identity.oidc import pkce_pair

WAIT_SECONDS = 600.0
"""As long as the identity service keeps a begun sign-in."""

Ask = Callable[[Session, str, dict[str, Any]], dict[str, Any]]
"""``services.cli.sending.ask``: one identity request, a refusal ending the command."""


def sso_sign_in(session: Session, ask: Ask, totp: str | None) -> dict[str, Any]:
    """The identity service's answer with the new session (as ``auth.login`` gives it)."""
    loopback = Loopback()
    try:
        verifier, challenge = pkce_pair()
        begun = ask(session, SSO_BEGIN_REQUEST, {"redirect_uri": loopback.redirect_uri,
                                                 "code_challenge": challenge})
        click.echo(session.out.t("请在本机浏览器中打开以下地址，完成统一身份认证登录：",
                                 "Open this address in a browser on this machine to sign in:"),
                   err=True)
        click.echo(str(begun["url"]), err=True)
        back = loopback.wait(WAIT_SECONDS)
    finally:
        loopback.close()
    if back is None:
        session.out.fail("等待统一身份认证超时，请重新运行 rectify login --sso",
                         "timed out waiting for single sign-on; run rectify login --sso again",
                         extra={"code": "sso_timeout"})
    if back.get("state") != begun["state"] or not back.get("code"):
        why = (back.get("error") or "state")[:80]
        session.out.fail(f"统一身份认证未完成（{why}），请重新登录",
                         f"single sign-on did not complete ({why}); sign in again",
                         extra={"code": "sso_denied" if back.get("error") else "sso_state"})
    answer: dict[str, Any] = ask(session, SSO_FINISH_REQUEST, {
        "state": back["state"], "code": back["code"], "code_verifier": verifier,
        "redirect_uri": loopback.redirect_uri})
    if answer.get("totp_required"):
        code = totp or click.prompt(session.out.t("动态口令（管理员必填）", "one-time code"),
                                    err=True)
        answer = ask(session, SSO_TOTP_REQUEST, {"ticket": answer["ticket"], "totp": code})
    return answer
