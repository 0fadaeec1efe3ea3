"""Staff passwords: ``scrypt`` with a per-user random salt, compared in constant time."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import secrets

MIN_PASSWORD = 8  # the CLI's policy for new passwords

# scrypt cost: n=2**14, r=8 → 16 MiB and ~50 ms here; slow enough to make guessing
# dear, fast enough for a sign-in.
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64) with a fresh random salt."""
    salt = os.urandom(16)
    dk = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, maxmem=64 * 2**20, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(dk).decode()}"


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time compare)."""
    try:
        algo, n, r, p, salt, dk = stored.split("$")
        if algo != "scrypt":
            return False
        want = base64.b64decode(dk)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             maxmem=64 * 2**20, dklen=len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


@functools.cache
def dummy_hash() -> str:
    """A hash of a random password, verified against when the name is unknown: a wrong
    name then costs as long as a wrong password, so timing does not tell which names
    exist."""
    # Made on first use (~50 ms), not at import.
    return hash_password(secrets.token_hex(8))
