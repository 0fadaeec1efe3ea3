"""Transfers keep the person's place; the read methods the console and display use."""

from __future__ import annotations

import pytest

from kiosk.errors import QueueError
from kiosk.queue import QueueService
from kiosk.store import DB_FILENAME, connect
from kiosk.tickets import Priority, TicketState

N, E = Priority.NORMAL, Priority.ELDERLY


def test_transfer_keeps_number_priority_and_place(terminal, clock) -> None:  # type: ignore[no-untyped-def]
    q = terminal.queue
    a1 = q.take("consultation", E)  # A001, elderly: will be transferred to mediation
    clock.advance(minutes=1)
    c1 = q.take("mediation")  # C001, issued after A001
    clock.advance(minutes=1)
    c2 = q.take("mediation")  # C002
    assert q.call_next(1, ["consultation"]).number == "A001"
    clock.advance(minutes=3)

    moved = q.transfer(1, "mediation")

    assert (moved.number, moved.service, moved.priority, moved.state) == ("A001", "mediation", E, TicketState.WAITING)
    assert moved.issued_at == a1.issued_at and moved.window is None and moved.called_at is None
    assert q.current(1) is None  # the window is free for its next person
    # A001 was issued before C001 and C002: it stands first among mediation's tickets
    # (and is elderly, which would put it first anyway; check with a normal one below).
    assert [t.number for t in q.waiting(["mediation"])] == ["A001", "C001", "C002"]
    assert moved.ahead == 0
    assert q.call_next(3, ["mediation"]).number == "A001"
    # Mediation's own numbering is untouched by the ticket that came in.
    assert q.take("mediation").number == "C003"
    assert c1.number == "C001" and c2.number == "C002"


def test_a_normal_ticket_transferred_goes_ahead_of_later_ones_only(terminal, clock) -> None:  # type: ignore[no-untyped-def]
    q = terminal.queue
    q.take("mediation")  # C001, before A001
    clock.advance(minutes=1)
    q.take("consultation")  # A001
    clock.advance(minutes=1)
    q.take("mediation")  # C002, after A001
    q.call_next(1, ["consultation"])
    moved = q.transfer(1, "mediation")
    assert [t.number for t in q.waiting(["mediation"])] == ["C001", "A001", "C002"]
    assert moved.ahead == 1
    assert [q.call_next(2, ["mediation"]).number for _ in range(3)] == ["C001", "A001", "C002"]


def test_numbers_are_never_issued_twice_around_a_transfer(terminal) -> None:  # type: ignore[no-untyped-def]
    q = terminal.queue
    q.take("consultation")
    q.call_next(1)
    q.transfer(1, "notary")  # consultation has no ticket left today; notary none of its own
    assert q.take("notary").number == "D001"
    assert q.take("consultation").number == "A002"  # A001 is still someone's number
    q.call_next(2, ["notary"])  # A001 again, now at the notary window
    q.transfer(2, "consultation")  # and back: it keeps A001 and its place
    assert [t.number for t in q.waiting(["consultation"])] == ["A001", "A002"]
    assert q.take("consultation").number == "A003"
    numbers = [t.number for t in q.tickets()]
    assert len(numbers) == len(set(numbers))


def test_transfer_is_one_transaction_with_its_event(terminal) -> None:  # type: ignore[no-untyped-def]
    q = terminal.queue
    q.take("consultation")
    q.call_next(2)
    q.transfer(2, "legal_aid")
    events = [e for e in terminal.outbox.pending(1000) if e.kind == "ticket_transferred"]
    assert len(events) == 1
    payload = events[0].payload
    assert payload["number"] == "A001" and payload["from_service"] == "consultation" and payload["to_service"] == "legal_aid"
    assert payload["window"] == 2
    assert set(payload) == {"day", "number", "priority", "from_service", "to_service", "window", "service_seconds"}


def test_transfer_refuses_an_idle_window_and_the_same_service(terminal) -> None:  # type: ignore[no-untyped-def]
    q = terminal.queue
    with pytest.raises(QueueError):
        q.transfer(1, "mediation")
    q.take("consultation")
    q.call_next(1)
    with pytest.raises(QueueError):
        q.transfer(1, "consultation")
    assert q.current(1) is not None  # refused: nothing changed


def test_transferred_ticket_called_again_is_noticed(terminal, clock) -> None:  # type: ignore[no-untyped-def]
    from kiosk.announce import CallWatcher

    q = terminal.queue
    q.take("consultation")
    watcher = CallWatcher(q)
    q.call_next(1)
    assert [(c.number, c.window) for c in watcher.poll()] == [("A001", 1)]
    q.transfer(1, "mediation")
    assert watcher.poll() == []
    clock.advance(minutes=2)
    q.call_next(4, ["mediation"])
    assert [(c.number, c.window, c.recall) for c in watcher.poll()] == [("A001", 4, False)]


def test_serving_and_upcoming_follow_the_call_rule(terminal, clock) -> None:  # type: ignore[no-untyped-def]
    q = terminal.queue
    for p in (N, E, N, E, E, E, N):
        q.take("consultation", p)
    q.take("legal_aid")
    assert q.serving() == {}
    expected = [t.number for t in q.upcoming(["consultation"], limit=10)]
    clock.advance(minutes=1)
    q.call_next(2, ["legal_aid"])
    called = []
    # Each call a minute apart: the streak of priority calls is read in call order.
    while (clock.advance(minutes=1) or True) and (t := q.call_next(1, ["consultation"])) is not None:
        called.append(t.number)
        if len(called) == 1:
            assert {w: s.number for w, s in q.serving().items()} == {1: called[0], 2: "B001"}
    assert called == expected
    assert len(q.upcoming(limit=3)) == 0


def test_another_connection_sees_the_transfer(terminal, data_dir, clock) -> None:  # type: ignore[no-untyped-def]
    q = terminal.queue
    q.take("consultation")
    q.call_next(1)
    other = QueueService(connect(data_dir / DB_FILENAME), terminal.catalog, clock)
    other.transfer(1, "mediation")
    assert q.find("A001").service == "mediation"
