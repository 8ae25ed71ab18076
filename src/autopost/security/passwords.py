"""Password hashing (argon2id via pwdlib)."""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_hasher = PasswordHash((Argon2Hasher(),))

MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    # Callers refuse a short password to the person (code password_too_short); this is the last guard.
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _hasher.verify(password, password_hash)
