"""Appointments against a real Mosquitto: the centre answers with the real appointment
book on its SQLite store; terminals ask through the real fleet agent."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Iterator

import pytest

from fleet.appointments.answers import Answers
from fleet.appointments.store import AppointmentBook, SlotSpec
from kiosk.identity import CardType, Gender, IdentityCard
from tests.fleet.conftest import Fleet, until
from tests.support import CST, SettableClock

SITE = "下陆区团城山公共法律服务工作室"
# Friday 27 Nov 2026, 09:00 in China (the tests' clock).
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=CST)


def person(id_number: str = "420281199106080036", name: str = "李建国") -> IdentityCard:
    """An invented resident card (valid check digit)."""
    return IdentityCard(CardType.RESIDENT, name, Gender.MALE, date(1991, 6, 8), id_number, "湖北省大冶市金湖街道")


class ApptFleet(Fleet):
    """A fleet whose centre answers appointment asks, with the test's clock."""

    def __init__(self, tmp: Path, clock: SettableClock) -> None:
        super().__init__(tmp)
        self.clock = clock
        self.book = AppointmentBook(self.store.engine, b"k" * 32)

        def site_of(tid: str) -> str | None:
            row = self.store.terminal(tid)
            return row["site"] if row else None

        Answers(self.book, site_of, now=clock.now).register(self.center)

    def publish(self, service: str = "consultation", first: date = date(2026, 11, 27), last: date = date(2026, 12, 8),
                start: str = "09:00", end: str = "11:00", capacity: int = 2) -> int:
        return self.book.publish(SlotSpec(SITE, service, first, last, time.fromisoformat(start), time.fromisoformat(end), 30, capacity))

    def online_terminal(self, tid: str) -> Any:
        """A terminal of SITE with its agent connected."""
        self.provision(tid, SITE)
        t = self.terminal(tid, clock=self.clock)
        self.agent(t)
        until(lambda: t.centre is not None and t.centre.connected())
        return t


@pytest.fixture
def appt_fleet(tmp_path: Path) -> Iterator[ApptFleet]:
    clock = SettableClock(NOW)
    f = ApptFleet(tmp_path, clock)
    try:
        yield f
    finally:
        f.close()


def desk_of(t: Any) -> Any:
    """The terminal's appointment desk on a connection of its own."""
    from kiosk.appointments import AppointmentDesk
    from kiosk.store import DB_FILENAME, connect

    return AppointmentDesk(connect(t.data_dir / DB_FILENAME), t.clock, lambda: t.centre, t.config.appointments)
