"""The centre's intake keys, created once in its data dir (mode 0600).

* ``intake/key.pem``: the X25519 private key that opens applications. Its public key
  (``kiosk-center intake key``) goes to the terminals' ``[legal_aid] public_key``.
* ``intake/id-hmac.key``: the secret of the keyed hash (HMAC-SHA256) of ID numbers, so
  applications can be found by ID card without a column of ID numbers to steal.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.legal_aid.sealing import key_id, public_key_text


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another worker made it first: use theirs
    with os.fdopen(fd, "wb") as f:
        f.write(data)


class IntakeKeys:
    """The key pair and the HMAC secret of one centre (loaded or created)."""

    def __init__(self, data_dir: Path) -> None:
        self.dir = data_dir / "intake"
        key_path, hmac_path = self.dir / "key.pem", self.dir / "id-hmac.key"
        if not key_path.is_file():
            pem = X25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            _write_private(key_path, pem)
        if not hmac_path.is_file():
            _write_private(hmac_path, secrets.token_bytes(32))
        loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(loaded, X25519PrivateKey):
            raise ValueError(f"{key_path}: not an X25519 private key")
        self.private = loaded
        self._hmac = hmac_path.read_bytes()

    @property
    def public_text(self) -> str:
        """The public key as the terminals' configuration wants it (base64)."""
        return public_key_text(self.private.public_key())

    @property
    def key_id(self) -> str:
        """The public key's fingerprint (which key a box was sealed to)."""
        return key_id(self.public_text)

    def id_hash(self, id_number: str) -> str:
        """The keyed hash of an ID number (upper-cased: a final x or X is one number)."""
        return hmac.new(self._hmac, id_number.strip().upper().encode("utf-8"), hashlib.sha256).hexdigest()
