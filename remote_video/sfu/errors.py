"""What can go wrong talking to the media server, as typed exceptions.

Each carries a plain sentence for the technician (``str(exc)``) and, where Janus gave
one, its numeric code. Callers catch the base class ``SfuError`` to keep a session
alive (or end it cleanly) and the narrower ones to tell a person what to do: a refused
party re-enters its code, an unreachable server is a centre problem, not theirs.
"""

from __future__ import annotations

# Janus core error codes (janus/apierror.h) and VideoRoom plugin codes
# (plugins/janus_videoroom.c) that mean "you may not": a wrong token, a plugin the
# token does not cover, a wrong room PIN or a join token not on the room's list.
_REFUSED = {403, 405, 433}
_NO_SUCH_ROOM = 426
_NO_SUCH_FEED = 428
_SESSION_GONE = {458, 459}


class SfuError(Exception):
    """The media server did not do what was asked; ``str()`` says what, plainly."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class SfuUnreachable(SfuError):
    """No connection to the media server (not started, wrong address, or it went away)."""


class SfuTimeout(SfuError):
    """The media server accepted the request but did not answer in time."""


class SfuRefused(SfuError):
    """The media server refused this party: wrong token, PIN or join token."""


class SfuRoomMissing(SfuError):
    """The room does not exist (never opened, already closed, or the server restarted)."""


class SfuFeedMissing(SfuError):
    """The party to watch is not publishing in this room."""


class SfuSessionGone(SfuError):
    """The server forgot our session (keepalives missed, or it restarted)."""


class SfuProtocolError(SfuError):
    """The server answered something this client does not understand."""


def error_for(code: int | None, reason: str, what: str) -> SfuError:
    """The typed exception for a Janus error ``code``/``reason`` while doing ``what``."""
    text = f"media server refused to {what}: {reason} (code {code})"
    if code in _REFUSED:
        return SfuRefused(f"media server refused to {what}: wrong or expired token, room PIN or invitation "
                          f"({reason}, code {code})", code)
    if code == _NO_SUCH_ROOM:
        return SfuRoomMissing(f"media server cannot {what}: no such room (closed, or the server restarted) (code {code})", code)
    if code == _NO_SUCH_FEED:
        return SfuFeedMissing(f"media server cannot {what}: that party is not publishing in this room (code {code})", code)
    if code in _SESSION_GONE:
        return SfuSessionGone(f"media server cannot {what}: it no longer knows this session ({reason}, code {code})", code)
    return SfuError(text, code)


__all__ = [
    "SfuError", "SfuFeedMissing", "SfuProtocolError", "SfuRefused", "SfuRoomMissing", "SfuSessionGone",
    "SfuTimeout", "SfuUnreachable", "error_for",
]
