"""统一身份认证 (single sign-on) settings: which OIDC provider, and how its people map to ours.

Read from ``$RECTIFY_OIDC_CONFIG`` or ``<data dir>/oidc.toml`` when present, then each
``RECTIFY_OIDC_*`` variable overrides its field. No issuer: single sign-on is off. The client
secret may come from a file (``client_secret_file`` / ``RECTIFY_OIDC_CLIENT_SECRET_FILE``) so
that it stays out of the configuration and the environment.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.identity.errors import IdentityError

OIDC_FILE = "oidc.toml"
OIDC_CONFIG_ENV = "RECTIFY_OIDC_CONFIG"
_FIELDS = ("issuer", "client_id", "client_secret", "client_secret_file", "username_claim",
           "scopes", "mfa_amr", "mfa_acr", "label", "redirect_uri")


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    """The provider's issuer URL; its ``/.well-known/openid-configuration`` is read."""
    client_id: str
    client_secret: str
    username_claim: str = "preferred_username"
    """The ID-token claim whose value is the person's rectify sign-in name (a staff id)."""
    scopes: tuple[str, ...] = ("openid", "profile")
    mfa_amr: tuple[str, ...] = ()
    """``amr`` values that count as a second factor for administrators (none: rectify's own
    TOTP is asked after single sign-on)."""
    mfa_acr: tuple[str, ...] = ()
    """``acr`` values that count as a second factor for administrators."""
    label: str = "统一身份认证登录"
    redirect_uri: str | None = None
    """The console's callback as the provider knows it, when a proxy changes the address."""


def _words(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(w for w in value.replace(",", " ").split() if w)
    return tuple(str(v) for v in value)


def _broken(why: str) -> IdentityError:
    return IdentityError("sso_config", f"统一身份认证配置有误：{why}",
                         f"the single sign-on settings are wrong: {why}")


def load_oidc(data_dir: Path, env: dict[str, str] | None = None) -> OidcSettings | None:
    """The configured provider, or None when single sign-on is off."""
    env = dict(os.environ) if env is None else env
    path = Path(env[OIDC_CONFIG_ENV]) if env.get(OIDC_CONFIG_ENV) else data_dir / OIDC_FILE
    values: dict[str, Any] = {}
    if path.is_file():
        try:
            values = tomllib.loads(path.read_text("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise _broken(f"{path}: {error}") from error
    unknown = set(values) - set(_FIELDS)
    if unknown:
        raise _broken(f"{path}: 未知项 {', '.join(sorted(unknown))}")
    for name in _FIELDS:
        if env.get(f"RECTIFY_OIDC_{name.upper()}"):
            values[name] = env[f"RECTIFY_OIDC_{name.upper()}"]
    if not values.get("issuer"):
        return None
    secret_file = values.pop("client_secret_file", None)
    if secret_file and not values.get("client_secret"):
        try:
            values["client_secret"] = Path(secret_file).read_text("utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise _broken(f"client_secret_file {secret_file}: {error}") from error
    for needed in ("client_id", "client_secret"):
        if not values.get(needed):
            raise _broken(f"缺少 {needed}")
    for listed in ("scopes", "mfa_amr", "mfa_acr"):
        if listed in values:
            values[listed] = _words(values[listed])
    if "openid" not in values.get("scopes", ("openid",)):
        values["scopes"] = ("openid", *values["scopes"])
    values["issuer"] = str(values["issuer"]).rstrip("/")
    return OidcSettings(**values)
