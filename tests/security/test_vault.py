import base64

import pytest

from autopost.security.vault import Binding, EncryptedToken, Vault, VaultError, generate_key

ROW = Binding("connections", "0b6f6f7e-1d1c-4f0e-9a0e-000000000001", "access_token")


def test_round_trip_and_fresh_nonce_each_time() -> None:
    vault = Vault([generate_key()])
    first = vault.seal("vk1.a.secret-token", ROW)
    second = vault.seal("vk1.a.secret-token", ROW)
    assert first != second
    assert vault.open(first, ROW) == "vk1.a.secret-token"
    assert "secret-token" not in first.stored


@pytest.mark.parametrize("position", [0, 12, -1])
def test_tampered_ciphertext_is_rejected(position: int) -> None:
    vault = Vault([generate_key()])
    sealed = vault.seal("secret", ROW)
    prefix, body = sealed.stored.rsplit(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[position] ^= 0x01  # nonce, ciphertext, tag
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode()
    with pytest.raises(VaultError):
        vault.open(EncryptedToken(f"{prefix}:{tampered}"), ROW)


@pytest.mark.parametrize(
    "elsewhere",
    [
        Binding("connections", "0b6f6f7e-1d1c-4f0e-9a0e-000000000002", "access_token"),
        Binding("connections", ROW.row_id, "refresh_token"),
        Binding("oauth_states", ROW.row_id, "access_token"),
    ],
)
def test_ciphertext_moved_to_another_row_or_field_does_not_open(elsewhere: Binding) -> None:
    vault = Vault([generate_key()])
    sealed = vault.seal("secret", ROW)
    with pytest.raises(VaultError):
        vault.open(sealed, elsewhere)


def test_first_key_encrypts_every_key_decrypts() -> None:
    old, new = generate_key(), generate_key()
    sealed_old = Vault([old]).seal("secret", ROW)
    ring = Vault([new, old])
    assert ring.open(sealed_old, ROW) == "secret"
    assert ring.needs_rotation(sealed_old)
    resealed = ring.reseal(sealed_old, ROW)
    assert not ring.needs_rotation(resealed)
    assert Vault([new]).open(resealed, ROW) == "secret"


def test_token_whose_key_was_removed_is_reported_not_guessed() -> None:
    sealed = Vault([generate_key()]).seal("secret", ROW)
    with pytest.raises(VaultError, match="not in AUTOPOST_TOKEN_KEYS"):
        Vault([generate_key()]).open(sealed, ROW)


def test_repr_never_shows_the_secret() -> None:
    vault = Vault([generate_key()])
    sealed = vault.seal("super-secret-value", ROW)
    for text in (repr(sealed), str(sealed), f"{sealed}", repr([sealed])):
        assert "super-secret" not in text
        assert sealed.stored not in text
        assert "****" in text


@pytest.mark.parametrize("bad", ["", "not base64!!", "c2hvcnQ="])
def test_bad_keys_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        Vault([bad])
