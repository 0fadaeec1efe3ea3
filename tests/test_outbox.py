"""Queue changes leave events in the durable outbox, in the same transaction."""

from __future__ import annotations

import json

from kiosk.outbox import Outbox
from kiosk.tickets import Priority


def test_ticket_life_is_reported_without_people(terminal, clock) -> None:  # type: ignore[no-untyped-def]
    q = terminal.queue
    q.take("legal_aid", Priority.ELDERLY)
    clock.advance(minutes=7)
    q.call_next(2)
    clock.advance(minutes=12)
    q.done(2)
    outbox = Outbox(q._conn)  # noqa: SLF001 — the same store the queue writes
    events = outbox.pending()
    assert [e.kind for e in events] == ["ticket_issued", "ticket_called", "ticket_finished"]
    assert events[0].payload == events[0].payload | {"service": "legal_aid", "priority": "elderly", "number": "B001"}
    assert events[1].payload["wait_seconds"] == 7 * 60 and events[1].payload["window"] == 2
    assert events[2].payload["service_seconds"] == 12 * 60 and events[2].payload["state"] == "done"
    assert len({e.event_id for e in events}) == 3
    text = json.dumps([e.payload for e in events], ensure_ascii=False)
    assert "name" not in text and "id_number" not in text


def test_delivered_events_are_not_pending_and_can_be_purged(terminal, clock) -> None:  # type: ignore[no-untyped-def]
    q = terminal.queue
    for _ in range(3):
        q.take("consultation")
    outbox = Outbox(q._conn)  # noqa: SLF001
    first = outbox.pending(limit=2)
    outbox.mark_delivered([e.event_id for e in first], clock.now())
    assert outbox.count_pending() == 1
    outbox.mark_delivered([e.event_id for e in first], clock.now())  # a duplicate ack is harmless
    clock.advance(days=8)
    assert outbox.purge_delivered(clock.now()) == 2
    assert outbox.count_pending() == 1


def test_a_failed_issue_leaves_no_event(terminal) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from kiosk.errors import CatalogError

    with pytest.raises(CatalogError):
        terminal.queue.take("divorce")
    assert Outbox(terminal.queue._conn).count_pending() == 0  # noqa: SLF001
