"""Paths built from what a request names (a terminal id, a call id, a file name) are
confined to the directory they belong in: ``confined`` resolves the joined path —
``..``, symbolic links and absolute parts included — and refuses anything that lands
outside its base. Every web handler of the centre that touches a file builds its path
here, never with a bare ``/`` on a value from the request."""

from __future__ import annotations

import re
from pathlib import Path


# The same shape as topics.CallSignal.call_id: what a terminal may name a call.
_CALL_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class OutsideBase(ValueError):
    """A path built from a request would leave its base directory."""


def confined(base: Path | str, *parts: str) -> Path:
    """``base/parts…`` resolved; raises ``OutsideBase`` unless it is inside ``base``
    (after resolving ``base`` too). The file need not exist."""
    root = Path(base).resolve()
    try:
        path = root.joinpath(*parts).resolve()
    except (ValueError, OSError) as exc:  # a NUL byte, a link loop
        raise OutsideBase(f"not a usable path under {root}: {exc}") from None
    if path == root or not path.is_relative_to(root):
        raise OutsideBase(f"{path} is outside {root}")
    return path


def is_call_id(value: str) -> bool:
    """Whether ``value`` can be a video call's id."""
    return bool(_CALL_ID.fullmatch(value))
