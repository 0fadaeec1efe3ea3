"""The one worker that asks the centre for every flow, and the inbox its answers go to."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest

from kiosk.centre_asker import CentreAsker
from kiosk.events import Event
from kiosk.inbox import EventInbox
from kiosk.ports import CentreUnavailable


@dataclass(frozen=True)
class Answered(Event):
    who: str
    thread: str


def test_every_flow_asks_on_one_worker_in_order_and_a_failure_stops_nothing() -> None:
    inbox = EventInbox()
    asker = CentreAsker(lambda: None, inbox.post)
    try:
        asker.run(lambda: Answered("legal_aid", threading.current_thread().name))

        def broken() -> Event:
            raise RuntimeError("the centre sent nonsense")

        asker.run(broken)  # logged; the next ask still runs
        asker.run(lambda: Answered("appointments", threading.current_thread().name))
        asker.run(lambda: None)  # nothing to deliver
        first, second = inbox.take(timeout=5), inbox.take(timeout=5)
        assert isinstance(first, Answered) and isinstance(second, Answered)
        assert (first.who, second.who) == ("legal_aid", "appointments")
        assert first.thread == second.thread and first.thread.startswith("centre-asks")
        with pytest.raises(TimeoutError):
            inbox.take(timeout=0.2)
    finally:
        asker.close()


def test_offline_asks_say_so() -> None:
    asker = CentreAsker(lambda: None, EventInbox().post)
    try:
        assert not asker.online()
        with pytest.raises(CentreUnavailable):
            asker.ask("legal_aid.progress", {"number": "1"})
    finally:
        asker.close()


def test_the_inbox_wakes_its_reader_once_per_event_and_hands_over_what_waited() -> None:
    inbox = EventInbox()
    inbox.post(Answered("early", ""))
    woken: list[int] = []
    inbox.on_post(lambda: woken.append(1))  # a reader arriving late is woken for what waits
    inbox.post(Answered("late", ""))
    assert len(woken) == 2
    got = [inbox.pop(), inbox.pop(), inbox.pop()]
    assert [getattr(e, "who", None) for e in got] == ["early", "late", None]
