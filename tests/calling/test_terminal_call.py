"""A ticket called by its number to the terminal (a remote mediation party): recorded
like a window's call, called again as a recall, refused for a wrong number, service or
state; no window's ticket changes, the windows never call it again, and the calling
display neither shows nor says it (the terminal says it itself)."""

from __future__ import annotations

import json

import pytest

from kiosk.announce import CallWatcher, display_snapshot
from kiosk.errors import QueueError
from kiosk.tickets import TicketState


def test_a_ticket_called_to_the_terminal(terminal, clock) -> None:  # type: ignore[no-untyped-def]
    q = terminal.queue
    for _ in range(3):
        q.take("mediation")  # C001..C003
    q.take("consultation")  # A001
    q.call_next(1, ["consultation"])  # window 1 serves A001
    watcher = CallWatcher(q)
    clock.advance(minutes=5)

    called = q.call_number("c002", "mediation", "terminal")
    assert (called.number, called.state, called.window, called.recalls) == ("C002", TicketState.CALLED, None, 0)
    assert called.called_at is not None
    assert q.current(1).number == "A001"  # no window's ticket changed
    assert watcher.poll() == []  # the display does not say it
    snap = display_snapshot(q, windows=[1])
    assert [(w.window, w.number) for w in snap.windows] == [(1, "A001")]
    assert "C002" not in snap.upcoming and snap.waiting_count == 2  # it left the waiting list
    event = [json.loads(p) for k, p in q.connection.execute("SELECT kind, payload FROM outbox ORDER BY seq") if k == "ticket_called"][-1]
    assert event["number"] == "C002" and event["place"] == "terminal" and event["window"] is None and event["wait_seconds"] == 300

    assert q.call_number("C002", "mediation", "terminal").recalls == 1  # called again: a recall
    # The windows never call it again; the next mediation ticket at a window is C001.
    assert q.call_next(2, ["mediation"]).number == "C001"

    for number, service, key in (("C009", "mediation", "queue.no_such_ticket"), ("A001", "mediation", "queue.wrong_service"),
                                 ("C001", "mediation", "queue.not_waiting")):
        with pytest.raises(QueueError) as err:
            q.call_number(number, service, "terminal")
        assert err.value.message_key == key

    done = q.finish_number("C002")
    assert done is not None and done.state is TicketState.DONE and done.finished_at is not None
    assert q.finish_number("C002") is None  # finished once
    assert q.finish_number("C001") is None  # a window's ticket is the window's to finish
