"""Who answers which call: the waiting line of calls and the lawyers on duty.

First come, first served within a priority class; the priority classes the law names
(elderly, disabled, military: 优先受理) go before everyone else. Calls go only to lawyers
who are signed in, on duty and free. Pure data, no I/O: the desk (server.py) owns one
``Router`` on its event loop and is the only one to touch it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

PRIORITY_CLASSES = ("elderly", "disabled", "military")


@dataclass
class WaitingCall:
    """A call in the line."""

    call_id: str
    terminal_id: str
    site: str
    service: str
    priority: str
    record: bool
    offer_sdp: str
    language: str = "zh_CN"
    seq: int = 0  # arrival order
    requested_at: float = 0.0

    @property
    def priority_class(self) -> int:
        """0 for the priority classes, 1 for everyone else (sorts first)."""
        return 0 if self.priority in PRIORITY_CLASSES else 1


@dataclass
class Lawyer:
    """A signed-in lawyer's desk (one per open page)."""

    name: str
    display_name: str
    on_duty: bool = False
    call_id: str | None = None  # the call in hand

    @property
    def free(self) -> bool:
        """On duty and not in a call."""
        return self.on_duty and self.call_id is None


@dataclass
class Router:
    """The line and the desks."""

    waiting: list[WaitingCall] = field(default_factory=list)
    _seq: itertools.count = field(default_factory=lambda: itertools.count(1))

    def add(self, call: WaitingCall) -> None:
        """A call joins the line."""
        call.seq = next(self._seq)
        self.waiting.append(call)
        self.waiting.sort(key=lambda c: (c.priority_class, c.seq))

    def remove(self, call_id: str) -> WaitingCall | None:
        """Take a call out of the line (answered or cancelled)."""
        for i, c in enumerate(self.waiting):
            if c.call_id == call_id:
                return self.waiting.pop(i)
        return None

    def head(self) -> WaitingCall | None:
        """The call to be answered next."""
        return self.waiting[0] if self.waiting else None

    def position(self, call_id: str) -> int | None:
        """1 for the next call, or None when not waiting."""
        for i, c in enumerate(self.waiting):
            if c.call_id == call_id:
                return i + 1
        return None

    @staticmethod
    def estimate_s(position: int, on_duty: int, busy: int, mean_call_s: float) -> float:
        """Seconds until a lawyer takes call number ``position``: a free lawyer answers
        the head at once; otherwise each lawyer on duty gets through one call per
        ``mean_call_s``, on average half-way through the one in hand."""
        if on_duty <= 0:
            return -1.0
        free = on_duty - busy
        if position <= free:
            return 0.0
        ahead = position - max(free, 0)
        return round(mean_call_s * (ahead - 0.5) / on_duty, 0)
