"""The events only the mediation feature answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiosk.events import Event


@dataclass(frozen=True)
class MediationInvitations(Event):
    """The centre's answer: the sessions that invite a party at this terminal now."""

    invitations: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class MediationOpened(Event):
    """The person tapped the invitation on the home screen."""

    session_id: str = ""


@dataclass(frozen=True)
class MediationConsented(Event):
    """The answer to the recording question."""

    yes: bool = False


@dataclass(frozen=True)
class MediationJoined(Event):
    """The centre admitted this party: its pass to the session's room."""

    room_pass: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class MediationFailed(Event):
    """The card did not match the invitation, or the centre could not be reached."""

    reason: str = "failed"  # not_verified | offline | not_invited | failed


@dataclass(frozen=True)
class MediationUpdated(Event):
    """What the centre says of the session now (agreement, side-room, muted, signed)."""

    doc: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MediationSignOpened(Event):
    """The person wants to sign the agreement shown."""


@dataclass(frozen=True)
class MediationSigned(Event):
    """The finger signature (PNG), to be sent to the centre."""

    png: bytes = field(default=b"", repr=False)


@dataclass(frozen=True)
class MediationHungUp(Event):
    """The person pressed the big hang-up button."""


@dataclass(frozen=True)
class MediationCopyReady(Event):
    """The signed agreement fetched from the centre, its hash checked, marked as this
    party's copy: ready for the A4 printer."""

    session_id: str = ""
    pdf: bytes = field(default=b"", repr=False)


@dataclass(frozen=True)
class MediationCopyFailed(Event):
    """No A4 copy (the receipt is printed instead): ``reason`` is the message key that
    says why, for the person."""

    session_id: str = ""
    reason: str = "mediation_a4.failed"


@dataclass(frozen=True)
class MediationCopyPrinted(Event):
    """The A4 printer finished the party's copy."""

    session_id: str = ""
