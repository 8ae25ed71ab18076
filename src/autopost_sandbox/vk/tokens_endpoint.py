"""The two grants of POST /vkid/oauth2/auth: authorization_code (with PKCE S256) and refresh_token.

Errors are OAuth's {"error", "error_description", "state"}; the error names are
RFC 6749's, the descriptions are the sandbox's own (VK ID's wording is not public).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

from autopost_sandbox.vk.accounts import APPS
from autopost_sandbox.vk.registry import IssuedTokens, TokenRegistry


class OAuthRefused(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


def _required(values: Mapping[str, str], name: str) -> str:
    value = values.get(name, "")
    if not value:
        raise OAuthRefused("invalid_request", f"{name} is missing")
    return value


def _client(values: Mapping[str, str]) -> str:
    client_id = _required(values, "client_id")
    if client_id not in APPS:
        raise OAuthRefused("invalid_client", "client_id is unknown", 401)
    return client_id


def pkce_s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def exchange_code(registry: TokenRegistry, values: Mapping[str, str], now: float) -> IssuedTokens:
    """grant_type=authorization_code: a single-use 10-minute code bound to client, redirect and device."""
    client_id = _client(values)
    code = registry.find_code(_required(values, "code"))
    verifier = _required(values, "code_verifier")
    device_id = _required(values, "device_id")
    if code is None or code.used or now >= code.expires_at or code.client_id != client_id:
        raise OAuthRefused("invalid_grant", "code is invalid, expired or already used")
    if values.get("redirect_uri", "") != code.redirect_uri:
        raise OAuthRefused("invalid_grant", "redirect_uri does not match the authorization request")
    if device_id != code.device_id:
        raise OAuthRefused("invalid_grant", "device_id does not match the authorization")
    if not hmac.compare_digest(pkce_s256(verifier), code.code_challenge):
        raise OAuthRefused("invalid_grant", "code_verifier does not match code_challenge")
    code.used = True
    return registry.issue_tokens(
        client_id=client_id, user_id=code.user_id, device_id=device_id, scopes=code.scopes
    )


def refresh_tokens(registry: TokenRegistry, values: Mapping[str, str], now: float) -> IssuedTokens:
    """grant_type=refresh_token: returns a new pair; the presented refresh token is spent."""
    client_id = _client(values)
    refresh = registry.find_refresh(_required(values, "refresh_token"))
    device_id = _required(values, "device_id")
    if refresh is None or refresh.client_id != client_id:
        raise OAuthRefused("invalid_grant", "refresh_token is invalid")
    if refresh.spent:
        raise OAuthRefused("invalid_grant", "refresh_token has already been used")
    if now >= refresh.expires_at:
        raise OAuthRefused("invalid_grant", "refresh_token has expired")
    if device_id != refresh.device_id:
        raise OAuthRefused("invalid_grant", "device_id does not match the refresh_token")
    refresh.spent = True
    return registry.issue_tokens(
        client_id=client_id, user_id=refresh.user_id, device_id=device_id, scopes=refresh.scopes
    )
