"""Single sign-on on NATS, beside the identity service: begin, finish, and an administrator's
TOTP after it. Answers as the identity service does; when no provider is configured, each
request is refused with a clear reason."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import nats
from pydantic import BaseModel, ConfigDict, Field

from events.subjects import SSO_BEGIN_REQUEST, SSO_FINISH_REQUEST, SSO_TOTP_REQUEST
from services.identity.accounts import Accounts, SignedIn
from services.identity.errors import IdentityError
from services.identity.oidc import OidcProvider
from services.identity.oidc_config import load_oidc
from services.identity.service import Handler, _answering, person_json
from services.identity.sso import SecondFactorNeeded, SingleSignOn

_URL = Field(min_length=1, max_length=2000)
_TOKEN = Field(min_length=1, max_length=4000)


class BeginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    redirect_uri: str = _URL
    code_challenge: str = Field(min_length=43, max_length=128)


class FinishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: str = _TOKEN
    code: str = _TOKEN
    code_verifier: str = Field(min_length=43, max_length=128)
    redirect_uri: str = _URL


class TotpRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ticket: str = _TOKEN
    totp: str = Field(max_length=16)


def signed_in_json(signed_in: SignedIn, how: str) -> dict[str, Any]:
    return {"token": signed_in.token, "expires_at": signed_in.expires_at.isoformat(),
            "person": person_json(signed_in.person), "via": how}


def _off() -> IdentityError:
    return IdentityError("sso_not_configured", "未配置统一身份认证，请使用口令登录",
                         "single sign-on is not configured; sign in with a password")


class SsoService:
    def __init__(self, sso: SingleSignOn | None) -> None:
        self.sso = sso

    def _on(self) -> SingleSignOn:
        if self.sso is None:
            raise _off()
        return self.sso

    def begin(self, data: bytes, _: str | None) -> dict[str, Any]:
        request = BeginRequest.model_validate_json(data)
        begun = self._on().begin(request.redirect_uri, request.code_challenge)
        return {"url": begun.url, "state": begun.state}

    def finish(self, data: bytes, _: str | None) -> dict[str, Any]:
        request = FinishRequest.model_validate_json(data)
        done = self._on().finish(request.state, request.code, request.code_verifier,
                                 request.redirect_uri)
        if isinstance(done, SecondFactorNeeded):
            return {"totp_required": True, "ticket": done.ticket,
                    "person": person_json(done.person)}
        return signed_in_json(done, "sso")

    def totp(self, data: bytes, _: str | None) -> dict[str, Any]:
        request = TotpRequest.model_validate_json(data)
        return signed_in_json(self._on().second_factor(request.ticket, request.totp), "sso+totp")


@contextlib.asynccontextmanager
async def serving_sso(nats_url: str, accounts: Accounts, data_dir: Path) -> AsyncIterator[None]:
    """Answer single sign-on requests until the block ends (the provider from ``load_oidc``)."""
    settings = load_oidc(data_dir)
    provider = OidcProvider(settings) if settings else None
    service = SsoService(SingleSignOn(accounts, provider) if provider else None)
    client = await nats.connect(nats_url, name="rectify-sso")
    routes: dict[str, Handler] = {SSO_BEGIN_REQUEST: service.begin,
                                  SSO_FINISH_REQUEST: service.finish,
                                  SSO_TOTP_REQUEST: service.totp}
    try:
        for subject, handler in routes.items():
            await client.subscribe(subject, queue="identity", cb=_answering(handler))
        yield
    finally:
        await client.drain()
        if provider is not None:
            provider.close()
