"""The OIDC relying party: where to send a person to sign in, redeeming the code it brings back,
and checking the ID token the provider issues for it.

The provider is found through its discovery document; ID tokens are verified with joserfc
against the provider's JWKS (refetched once when a token names a key not yet seen, so a key
rotation works): an asymmetric signature, the configured issuer, our client id as audience
(and as ``azp`` where several audiences are named), expiry and issue time with a minute's
leeway, and the nonce this sign-in was started with.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from services.identity.errors import IdentityError
from services.identity.oidc_config import OidcSettings

LEEWAY_SECONDS = 60
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
                      "ES512", "EdDSA")
"""Asymmetric only: never ``none``, never a MAC keyed with the client secret."""


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier and its S256 challenge (RFC 7636): the client that begins a sign-in
    keeps the verifier and shows only the challenge until the code comes back."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def unreachable(what: str) -> IdentityError:
    return IdentityError("sso_unreachable", f"统一身份认证平台无法访问（{what}），请稍后再试",
                         f"the identity provider could not be reached ({what}); try again")


def invalid_token(why: str) -> IdentityError:
    return IdentityError("sso_token_invalid", f"统一身份认证返回的身份令牌无效：{why}",
                         f"the identity provider's ID token is not valid: {why}")


class OidcProvider:
    """One configured provider, spoken to over HTTP (sync: called off the event loop)."""

    def __init__(self, settings: OidcSettings, timeout: float = 10.0) -> None:
        self.settings = settings
        self._http = httpx.Client(timeout=timeout, follow_redirects=False)
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    def close(self) -> None:
        self._http.close()

    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            answer = self._http.get(url)
            answer.raise_for_status()
            body = answer.json()
        except (httpx.HTTPError, ValueError) as error:
            raise unreachable(f"{what}: {error}") from error
        if not isinstance(body, dict):
            raise unreachable(f"{what}: not a JSON object")
        return body

    def metadata(self) -> dict[str, Any]:
        """The discovery document, whose issuer must be exactly the configured one."""
        if self._metadata is None:
            found = self._get_json(f"{self.settings.issuer}/.well-known/openid-configuration",
                                   "discovery")
            if str(found.get("issuer", "")).rstrip("/") != self.settings.issuer:
                raise unreachable(f"discovery names issuer {found.get('issuer')!r}")
            self._metadata = found
        return self._metadata

    def authorization_url(self, redirect_uri: str, state: str, nonce: str,
                          code_challenge: str) -> str:
        query = urlencode({
            "response_type": "code", "client_id": self.settings.client_id,
            "redirect_uri": redirect_uri, "scope": " ".join(self.settings.scopes),
            "state": state, "nonce": nonce, "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        })
        endpoint = str(self.metadata()["authorization_endpoint"])
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    def exchange(self, code: str, code_verifier: str, redirect_uri: str) -> str:
        """The ID token the provider gives for ``code`` (a confidential client: the secret is
        sent by HTTP basic authentication, the PKCE verifier alongside)."""
        try:
            answer = self._http.post(
                str(self.metadata()["token_endpoint"]),
                data={"grant_type": "authorization_code", "code": code,
                      "redirect_uri": redirect_uri, "code_verifier": code_verifier},
                auth=(self.settings.client_id, self.settings.client_secret),
                headers={"Accept": "application/json"})
        except httpx.HTTPError as error:
            raise unreachable(f"token: {error}") from error
        try:
            body = answer.json()
        except ValueError:
            body = {}
        if answer.status_code != 200 or not isinstance(body, dict) or "id_token" not in body:
            reason = body.get("error", answer.status_code) if isinstance(body, dict) else "?"
            raise IdentityError("sso_code_refused",
                                f"统一身份认证平台拒绝了本次登录（{reason}），请重新登录",
                                f"the identity provider refused this sign-in ({reason})")
        return str(body["id_token"])

    def _key_set(self, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            jwks = self._get_json(str(self.metadata()["jwks_uri"]), "jwks")
            try:
                self._keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
            except (JoseError, KeyError, TypeError, ValueError) as error:
                raise unreachable(f"jwks: {error}") from error
        return self._keys

    def verify(self, id_token: str, nonce: str, now: datetime) -> dict[str, Any]:
        """The ID token's claims, once its signature and claims all hold; refused otherwise."""
        try:
            try:
                token = jwt.decode(id_token, self._key_set(), algorithms=SIGNING_ALGORITHMS)
            except InvalidKeyIdError:
                token = jwt.decode(id_token, self._key_set(refresh=True),
                                   algorithms=SIGNING_ALGORITHMS)
            claims = dict(token.claims)
            jwt.JWTClaimsRegistry(
                now=int(now.timestamp()), leeway=LEEWAY_SECONDS,
                iss={"essential": True, "value": self.settings.issuer},
                aud={"essential": True, "value": self.settings.client_id},
                sub={"essential": True}, exp={"essential": True}, iat={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(claims)
        except (JoseError, ValueError, TypeError) as error:  # joserfc raises the plain ones
            raise invalid_token(f"{type(error).__name__}: {error}") from error  # for garbage
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.settings.client_id:
            raise invalid_token(f"azp {claims.get('azp')!r} is not this client")
        return claims
