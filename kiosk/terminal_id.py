"""The one rule for a terminal id: 1–32 of ``A–Z a–z 0–9 _ -``.

A terminal id becomes an MQTT topic level, a broker user name (and with it the client
id), a password-file line and a file name. A slash, a wildcard, a colon or a newline in
it would reach into another terminal's topics or forge a line of the broker's files, so
every place an id comes in checks it here: the terminal's configuration, the centre's
registry, the technicians' commands, the centre's link.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

# Matched whole (``fullmatch``): a ``$`` anchor would also accept a trailing newline.
_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
RESERVED = frozenset({"center"})  # the centre's own broker user


def is_terminal_id(value: object) -> bool:
    """True if ``value`` is a well-formed terminal id (not a reserved name)."""
    return isinstance(value, str) and _ID.fullmatch(value) is not None and value not in RESERVED


def check_terminal_id(value: object) -> str:
    """``value`` if it is a terminal id, else ``ValueError`` with a message for a technician."""
    if not is_terminal_id(value):
        raise ValueError(f"not a terminal id: {value!r} (1-32 of A-Z a-z 0-9 _ -; not {', '.join(sorted(RESERVED))})")
    return str(value)


TerminalId = Annotated[str, AfterValidator(check_terminal_id)]
"""A pydantic field type that accepts only terminal ids."""
