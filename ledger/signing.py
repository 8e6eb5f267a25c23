"""Signing keys (签名密钥): each user holds an Ed25519 key pair; the private half is kept in the
ledger encrypted under the user's password (scrypt, then AES-GCM), the public half is registered
in the record of changes when the user is made.

A user who proves their password unlocks their key for the rest of the process
(:func:`unlock`); the record of changes of every transaction that user makes is then signed
(:mod:`ledger.record`), and verification checks each signature against the key the record
registered. Whoever holds the file and every tool but not the password cannot sign: a
treasurer cannot produce a reviewer's approval.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

#: scrypt's cost for the key that encrypts a private key (the same as the password hash's).
#: Tests lower it; what was used is stored with the key, so a stored key always opens.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_MAXMEM = 64 * 1024 * 1024

#: Private keys unlocked in this process, by their public half: a user id is not enough, since
#: one process may hold several ledgers whose users share ids.
_unlocked: dict[str, Ed25519PrivateKey] = {}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _kek(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=32
    )


def new_key_pair(password: str) -> tuple[str, str]:
    """A fresh key pair: (public key, private key encrypted under ``password``), as text."""
    key = Ed25519PrivateKey.generate()
    return public_text(key), seal(key, password)


def public_text(key: Ed25519PrivateKey) -> str:
    return _b64(key.public_key().public_bytes_raw())


def seal(key: Ed25519PrivateKey, password: str) -> str:
    """The private key encrypted under ``password``: ``scrypt$N$r$p$salt$nonce$ciphertext``."""
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    n, r, p = SCRYPT_N, SCRYPT_R, SCRYPT_P
    sealed = AESGCM(_kek(password, salt, n, r, p)).encrypt(nonce, key.private_bytes_raw(), None)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(nonce)}${_b64(sealed)}"


def open_sealed(sealed: str, password: str) -> Ed25519PrivateKey | None:
    """The private key, or None when the password does not open it (or it was tampered with)."""
    try:
        kind, n, r, p, salt, nonce, data = sealed.split("$")
        if kind != "scrypt":
            return None
        kek = _kek(password, base64.b64decode(salt), int(n), int(r), int(p))
        raw = AESGCM(kek).decrypt(base64.b64decode(nonce), base64.b64decode(data), None)
        return Ed25519PrivateKey.from_private_bytes(raw)
    except (ValueError, TypeError, InvalidTag):
        return None


def unlock(sealed: str | None, password: str) -> bool:
    """Open a user's key with their password and keep it for this process's signatures."""
    key = open_sealed(sealed, password) if sealed else None
    if key is None:
        return False
    _unlocked[public_text(key)] = key
    return True


def forget_all() -> None:
    """Drop every unlocked key (signing out, tests)."""
    _unlocked.clear()


def key_of(public: str | None) -> Ed25519PrivateKey | None:
    """The unlocked private key whose public half is ``public`` (a user's ``public_key``)."""
    return _unlocked.get(public) if public else None


def payload(seq: int, prev_hash: str, changes: Any) -> bytes:
    """What a signature covers: the record's place in the trail and every change it makes."""
    text = json.dumps(
        {"seq": seq, "prev": prev_hash, "changes": changes},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return text.encode("utf-8")


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    return _b64(key.sign(data))


def signature_holds(public: str | None, data: bytes, signature: str | None) -> bool:
    """Whether ``signature`` over ``data`` was made with the private half of ``public``."""
    if not public or not signature:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public)).verify(
            base64.b64decode(signature), data
        )
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
