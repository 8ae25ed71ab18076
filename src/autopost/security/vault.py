"""Token vault: AES-256-GCM with a key ring, ciphertexts bound to their row and field.

Stored form: ``v1:<key id>:<base64url(nonce || ciphertext || tag)>``. The key id
is the first 8 hex digits of SHA-256(key), so rotation can find rows still
sealed under an old key with a plain prefix match. The associated data is
``<table>:<row id>:<field>``: a ciphertext copied into another row or field
does not open.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_VERSION = "v1"
NONCE_BYTES = 12
KEY_BYTES = 32


class VaultError(Exception):
    """A stored token cannot be opened: tampered, moved to another row, or its key is gone."""


def generate_key() -> str:
    """A fresh random 256-bit key, base64url-encoded, for AUTOPOST_TOKEN_KEYS."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def _decode_key(encoded: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(encoded.encode())
    except (binascii.Error, ValueError) as exc:
        raise ValueError("a token key is not valid base64") from exc
    if len(key) != KEY_BYTES:
        raise ValueError(f"a token key must be {KEY_BYTES} bytes, got {len(key)}")
    return key


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


@dataclass(frozen=True, slots=True)
class Binding:
    """Where a ciphertext lives; part of the AEAD associated data."""

    table: str
    row_id: str
    field: str

    def associated_data(self) -> bytes:
        return f"{self.table}:{self.row_id}:{self.field}".encode()


class EncryptedToken:
    """A sealed secret as stored. Its repr never shows the secret; opening needs the vault."""

    __slots__ = ("stored",)

    def __init__(self, stored: str) -> None:
        self.stored = stored

    @property
    def key_id(self) -> str:
        parts = self.stored.split(":", 2)
        return parts[1] if len(parts) == 3 else ""

    def __repr__(self) -> str:
        return f"EncryptedToken(key={self.key_id}, ****)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EncryptedToken) and other.stored == self.stored

    def __hash__(self) -> int:
        return hash(self.stored)


class Vault:
    """Seals and opens tokens; the first key encrypts, every key decrypts."""

    def __init__(self, encoded_keys: Iterable[str]) -> None:
        keys = [_decode_key(k) for k in encoded_keys]
        if not keys:
            raise ValueError("the vault needs at least one key")
        self._primary_id = key_id(keys[0])
        self._ciphers = {key_id(k): AESGCM(k) for k in keys}

    @property
    def primary_key_id(self) -> str:
        return self._primary_id

    def seal(self, plaintext: str, binding: Binding) -> EncryptedToken:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self._primary_id].encrypt(nonce, plaintext.encode(), binding.associated_data())
        body = base64.urlsafe_b64encode(nonce + sealed).decode()
        return EncryptedToken(f"{FORMAT_VERSION}:{self._primary_id}:{body}")

    def open(self, token: EncryptedToken, binding: Binding) -> str:
        version, _, rest = token.stored.partition(":")
        kid, _, body = rest.partition(":")
        if version != FORMAT_VERSION or not body:
            raise VaultError("not a sealed token")
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise VaultError(f"token sealed with key {kid}, which is not in AUTOPOST_TOKEN_KEYS")
        try:
            raw = base64.urlsafe_b64decode(body.encode())
            return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], binding.associated_data()).decode()
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise VaultError("token does not open: tampered or moved to another row") from exc

    def needs_rotation(self, token: EncryptedToken) -> bool:
        return token.key_id != self._primary_id

    def reseal(self, token: EncryptedToken, binding: Binding) -> EncryptedToken:
        """The same secret sealed under the primary key (for key rotation)."""
        return self.seal(self.open(token, binding), binding)
