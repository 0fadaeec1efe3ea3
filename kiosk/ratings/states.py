"""The rating feature's visit states (their values are its screens' names)."""

from __future__ import annotations

import enum


class RatingState(enum.StrEnum):
    """Where the person is in rating a service."""

    RATE_TICKET = "rate_ticket"  # which served ticket (its digits) is rated
    RATE = "rate"  # five faces, reasons
