"""The video call's visit states (their values are its screens' names)."""

from __future__ import annotations

import enum


class VideoCallState(enum.StrEnum):
    """Where the person is in a video consultation."""

    CALL_CONSENT = "call_consent"  # 本次通话将录音录像，是否同意？
    CALL_WAIT = "call_wait"  # in the lawyers' line
    CALL_ACTIVE = "call_active"  # talking to a lawyer
    CALL_ENDED = "call_ended"  # rate it, take a ticket, or go home
