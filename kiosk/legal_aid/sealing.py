"""Sealed boxes: the terminal encrypts to the centre's public key and cannot read back.

Hybrid encryption with ``cryptography``: an ephemeral X25519 key per box, HKDF-SHA256
of the shared secret (bound to both public keys) as the key of AES-256-GCM, and the
caller's ``context`` (the application number) as associated data, so a box cannot be
passed off as another application's. The terminal keeps only ciphertext; the private
key lives at the centre (``fleet/intake/keys.py``).

Box format (then base64): ``b"LA1" | ephemeral public key (32) | nonce (12) | ciphertext+tag``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import zlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_MAGIC = b"LA1"
_INFO = b"legal-kiosk sealed box v1"


class SealError(ValueError):
    """A key or box is malformed, or a box does not open with this key."""


def _raw(public: X25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_from_text(text: str) -> X25519PublicKey:
    """The centre's public key from its base64 text (as in the configuration)."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return X25519PublicKey.from_public_bytes(raw)
    except (ValueError, TypeError) as exc:
        raise SealError(f"not an X25519 public key (32 bytes, base64): {exc}") from exc


def public_key_text(public: X25519PublicKey) -> str:
    """Base64 text of a public key (for the configuration)."""
    return base64.b64encode(_raw(public)).decode("ascii")


def key_id(public_text: str) -> str:
    """A short fingerprint of a public key, to tell keys apart (never secret)."""
    return hashlib.sha256(public_text.strip().encode("ascii")).hexdigest()[:16]


def _key(shared: bytes, eph: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=_INFO + eph + recipient).derive(shared)


def seal(public_text: str, data: bytes, context: bytes) -> str:
    """Encrypt ``data`` for the holder of the private key of ``public_text``."""
    recipient = public_key_from_text(public_text)
    eph = X25519PrivateKey.generate()
    eph_pub = _raw(eph.public_key())
    key = _key(eph.exchange(recipient), eph_pub, _raw(recipient))
    nonce = os.urandom(12)
    ct = AESGCM(key).encrypt(nonce, zlib.compress(data, 6), context)
    return base64.b64encode(_MAGIC + eph_pub + nonce + ct).decode("ascii")


def open_box(private: X25519PrivateKey, box: str, context: bytes) -> bytes:
    """Decrypt a box sealed to ``private``'s public key; SealError if it does not open."""
    try:
        raw = base64.b64decode(box, validate=True)
    except (ValueError, TypeError) as exc:
        raise SealError("not base64") from exc
    if len(raw) < 3 + 32 + 12 + 16 or raw[:3] != _MAGIC:
        raise SealError("not a sealed box")
    eph_pub, nonce, ct = raw[3:35], raw[35:47], raw[47:]
    try:
        key = _key(private.exchange(X25519PublicKey.from_public_bytes(eph_pub)), eph_pub, _raw(private.public_key()))
        return zlib.decompress(AESGCM(key).decrypt(nonce, ct, context))
    except Exception as exc:  # noqa: BLE001 — InvalidTag, zlib.error: one answer, "does not open"
        raise SealError("the box does not open with this key and context") from exc
