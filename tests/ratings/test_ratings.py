"""Ratings: anonymous, once per served ticket, and at the centre exactly once."""

from __future__ import annotations

import json
import time

import pytest

from kiosk.ratings import RatingBook, RatingError
from tests.fleet.conftest import until


def test_a_served_ticket_is_rated_once_and_reaches_the_centre_once(fleet, clock):
    t = fleet.terminal("RT1", clock=clock)
    book = RatingBook(t.queue._conn, t.clock)
    ticket = t.queue.take("mediation")
    with pytest.raises(RatingError) as early:
        book.rate_ticket(ticket, 5)
    assert early.value.message_key == "rating.not_served"
    t.queue.call_next(2)
    done = t.queue.done(2)
    assert book.can_rate(done)
    book.rate_ticket(done, 2, ("long_wait", "unclear"))
    with pytest.raises(RatingError) as twice:
        book.rate_ticket(done, 5)
    assert twice.value.message_key == "rating.already"
    assert not book.can_rate(done)
    with pytest.raises(RatingError):
        book.rate_video(6)
    book.rate_video(5, ("patient",))
    fleet.agent(t)
    until(lambda: fleet.store.event_count("RT1", "rating") == 2)
    time.sleep(1.0)  # a resend (no ack yet) would show here
    assert fleet.store.event_count("RT1", "rating") == 2
    from fleet.center.store import events
    from sqlalchemy import select

    with fleet.store.engine.connect() as c:
        payloads = sorted((json.loads(r.payload) for r in c.execute(select(events.c.payload).where(events.c.kind == "rating"))),
                          key=lambda p: p["source"])
    assert payloads == [
        {"day": "2026-11-27", "service": "mediation", "score": 2, "reasons": ["long_wait", "unclear"], "source": "ticket"},
        {"day": "2026-11-27", "service": "video", "score": 5, "reasons": ["patient"], "source": "video"},
    ]
    assert all("number" not in p and "C001" not in json.dumps(p) for p in payloads)  # anonymous: no ticket number


def test_the_kiosk_finds_the_ticket_by_its_digits(terminal, clock):
    book = RatingBook(terminal.queue._conn, clock)
    a = terminal.queue.take("consultation")
    c = terminal.queue.take("mediation")
    terminal.queue.call_next(1, ["consultation"])
    terminal.queue.done(1)
    terminal.queue.call_next(2, ["mediation"])
    terminal.queue.done(2)
    found = book.recently_served("1", terminal.queue.tickets())
    assert sorted(x.number for x in found) == [a.number, c.number] == ["A001", "C001"]
    book.rate_ticket(found[0], 4)
    assert [x.number for x in book.recently_served("001", terminal.queue.tickets())] == ["C001"]
    clock.advance(hours=5)  # too long ago
    assert book.recently_served("1", terminal.queue.tickets()) == []
