"""The mediation party's visit states (their values are its screens' names)."""

from __future__ import annotations

import enum


class MediationState(enum.StrEnum):
    """Where the invited party is."""

    INVITE = "mediation_invite"  # the matter; 本次调解将全程录音录像，是否同意？
    REFUSED = "mediation_refused"  # no consent: the session cannot proceed; a ticket or an appointment
    CONNECTING = "mediation_connecting"  # the card is checked against the invitation, the room joined
    ROOM = "mediation_room"  # the mediator large, the other party small, the agreement
    SIGN = "mediation_sign"  # a finger signature under the agreement
    ENDED = "mediation_ended"  # over; the signed agreement printed
