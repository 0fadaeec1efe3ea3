"""Throttling of failed sign-ins per (name, address), per account and per address
(kept in memory per worker; the package docstring gives the rules)."""

from __future__ import annotations

import time
from typing import Callable


class Throttle:
    """Failed sign-ins per (name, address), per account and per address; see the module
    docstring. ``addr`` is the real client address (``client_address``)."""

    PAIR_FREE = 5  # failures of one name from one address allowed before a lock
    ACCOUNT_FREE = 10  # failures of one account from anywhere allowed before a lock
    LOCK = 60.0
    MAX_LOCK = 900.0
    ADDR_FAILURES = 30
    WINDOW = 900.0
    KNOWN_SECONDS = 30 * 86400.0  # how long a (name, address) that signed in stays trusted
    MAX_ENTRIES = 100_000  # bounded memory under a flood

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._pair: dict[tuple[str, str], tuple[int, float, float]] = {}  # → (failures, last failure, locked until)
        self._account: dict[str, tuple[int, float, float]] = {}
        self._addr: dict[str, list[float]] = {}
        self._known: dict[tuple[str, str], float] = {}  # → last success

    def _streak(self, entry: tuple[int, float, float] | None, free: int, now: float) -> tuple[int, float, float]:
        fails, last, until = entry or (0, 0.0, 0.0)
        if now - last > self.WINDOW:
            fails = 0  # an old streak is forgotten
        fails += 1
        if fails >= free:
            until = now + min(self.MAX_LOCK, self.LOCK * 2 ** (fails - free))
        return fails, now, until

    def _is_known(self, name: str, addr: str, now: float) -> bool:
        seen = self._known.get((name, addr))
        return seen is not None and now - seen < self.KNOWN_SECONDS

    def locked_for(self, name: str, addr: str) -> float:
        """Seconds this attempt must still wait (0: may try)."""
        now = self.clock()
        name = name[:64]
        wait = max(0.0, self._pair.get((name, addr), (0, 0.0, 0.0))[2] - now)
        recent = [t for t in self._addr.get(addr, []) if now - t < self.WINDOW]
        if recent:
            self._addr[addr] = recent
        else:
            self._addr.pop(addr, None)
        if self._is_known(name, addr, now):
            # Someone else's guessing (at this address or at this account) does not
            # lock out a name where it has signed in before; its own pair lock still holds.
            return wait
        wait = max(wait, self._account.get(name, (0, 0.0, 0.0))[2] - now)
        if len(recent) >= self.ADDR_FAILURES:
            wait = max(wait, recent[-self.ADDR_FAILURES] + self.WINDOW - now)
        return wait

    def failed(self, name: str, addr: str) -> None:
        """Count a failure."""
        now = self.clock()
        name = name[:64]
        for table in (self._pair, self._account, self._addr):
            if len(table) > self.MAX_ENTRIES:
                table.clear()
        self._pair[(name, addr)] = self._streak(self._pair.get((name, addr)), self.PAIR_FREE, now)
        if name:
            self._account[name] = self._streak(self._account.get(name), self.ACCOUNT_FREE, now)
        self._addr.setdefault(addr, []).append(now)

    def succeeded(self, name: str, addr: str) -> None:
        """Forget the pair's and the account's failures; remember the pair as known."""
        name = name[:64]
        self._pair.pop((name, addr), None)
        self._account.pop(name, None)
        if len(self._known) > self.MAX_ENTRIES:
            self._known.clear()
        self._known[(name, addr)] = self.clock()
