"""The queue: numbers, priority with anti-starvation, waits, calling at windows."""

from __future__ import annotations

import threading

import pytest

from kiosk.errors import CatalogError, QueueError
from kiosk.queue import QueueService, pick_next
from kiosk.store import connect
from kiosk.tickets import Priority, TicketState

N, E, D, M = Priority.NORMAL, Priority.ELDERLY, Priority.DISABLED, Priority.MILITARY


def test_numbers_count_per_service_and_restart_each_day(terminal, clock) -> None:  # type: ignore[no-untyped-def]
    q = terminal.queue
    assert [q.take("consultation").number for _ in range(3)] == ["A001", "A002", "A003"]
    assert q.take("legal_aid").number == "B001"
    clock.advance(days=3)  # Friday to Monday: the next day the windows open
    assert q.take("consultation").number == "A001"
    assert len(q.tickets()) == 1  # today's tickets only


def test_unknown_service_is_refused(terminal) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CatalogError):
        terminal.queue.take("divorce")


def test_priority_tickets_are_called_first(terminal) -> None:  # type: ignore[no-untyped-def]
    q = terminal.queue
    q.take("consultation")  # A001 normal
    q.take("consultation", E)  # A002 elderly
    q.take("consultation", D)  # A003 disabled
    assert q.call_next(1).number == "A002"
    assert q.call_next(1).number == "A003"
    assert q.call_next(1).number == "A001"
    assert q.call_next(1) is None


def test_a_normal_ticket_is_never_passed_over_forever(terminal) -> None:  # type: ignore[no-untyped-def]
    q = terminal.queue  # max_priority_streak = 3 by default
    q.take("consultation")  # A001 normal waits first
    for _ in range(10):
        q.take("consultation", M)
    called = [q.call_next(1).number for _ in range(5)]
    assert called == ["A002", "A003", "A004", "A001", "A005"]


def test_pick_next_rule_table() -> None:
    from datetime import date, datetime

    from kiosk.tickets import Ticket

    def t(i: int, p: Priority) -> Ticket:
        return Ticket(i, date.today(), "consultation", f"A{i:03d}", p, TicketState.WAITING, datetime.now())

    cases = [
        ([], 0, None),
        ([t(1, N)], 0, 1),
        ([t(1, N), t(2, E)], 0, 2),
        ([t(1, N), t(2, E)], 2, 2),
        ([t(1, N), t(2, E)], 3, 1),  # the streak is used up: the normal ticket goes
        ([t(2, E)], 9, 2),  # no normal ticket waits: priority goes on
    ]
    for waiting, streak, expected in cases:
        got = pick_next(waiting, streak, 3)
        assert (got.ticket_id if got else None) == expected, (waiting, streak)


def test_ahead_and_estimate_follow_the_call_rule(terminal) -> None:  # type: ignore[no-untyped-def]
    q = terminal.queue
    a1 = q.take("consultation")
    a2 = q.take("consultation")
    a3 = q.take("consultation", E)
    assert (q.get(a3.ticket_id).ahead, q.get(a1.ticket_id).ahead, q.get(a2.ticket_id).ahead) == (0, 1, 2)
    # Catalogue says 15 minutes per consultation until there is history.
    assert q.get(a2.ticket_id).eta_minutes == 30
    assert q.estimate("consultation").ahead == 3
    assert q.estimate("consultation", E).ahead == 1


def test_waits_learn_from_recent_service_times(terminal, clock) -> None:  # type: ignore[no-untyped-def]
    q = terminal.queue
    for _ in range(4):
        q.take("consultation")
    for _ in range(3):
        q.call_next(1)
        clock.advance(minutes=5)
        q.done(1)
    assert q.service_minutes("consultation") == pytest.approx(5)
    last = q.waiting(["consultation"])[0]
    assert q.get(last.ticket_id).eta_minutes == 0  # nobody ahead
    q.take("consultation")
    assert q.estimate("consultation").eta_minutes == 10  # 2 ahead × 5 min, one window


def test_recall_skip_done_and_calling_finishes_the_last_ticket(terminal) -> None:  # type: ignore[no-untyped-def]
    q = terminal.queue
    for _ in range(3):
        q.take("mediation")
    first = q.call_next(2)
    assert first.window == 2 and first.state is TicketState.CALLED
    assert q.recall(2).recalls == 1
    second = q.call_next(2)  # calling the next one finishes the first
    assert q.find(first.number).state is TicketState.DONE
    assert q.skip(2).state is TicketState.NO_SHOW
    with pytest.raises(QueueError):
        q.done(2)  # nothing being served now
    assert q.call_next(2, ["mediation"]).number == "C003"
    assert q.done(2).state is TicketState.DONE
    assert second.number == "C002"


def test_windows_calling_at_once_never_get_the_same_ticket(terminal, data_dir, clock) -> None:  # type: ignore[no-untyped-def]
    q = terminal.queue
    for _ in range(60):
        q.take("consultation")
    called: list[str] = []
    lock = threading.Lock()

    def window(n: int) -> None:
        own = QueueService(connect(data_dir / "kiosk.sqlite3"), terminal.catalog, clock)
        while (t := own.call_next(n)) is not None:
            with lock:
                called.append(t.number)

    threads = [threading.Thread(target=window, args=(n,)) for n in range(1, 5)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(called) == [f"A{i:03d}" for i in range(1, 61)]


def test_numbers_are_said_digit_by_digit() -> None:
    from kiosk.tickets import spoken_number

    assert spoken_number("B007") == "B零零七号"
    assert spoken_number("A120") == "A一二零号"
    assert spoken_number("B007", "en") == "B 0 0 7"


def test_after_hours_a_ticket_is_for_the_next_opening_and_waits_behind_its_queue(terminal, clock) -> None:  # type: ignore[no-untyped-def]
    q = terminal.queue
    q.take("consultation")  # Friday 09:00: A001, left waiting at closing time
    clock.advance(hours=10, minutes=32)  # Friday 19:32, hours 08:30–17:30
    est = q.estimate("consultation")
    assert est.resumes is not None and est.resumes.isoweekday() == 1 and f"{est.resumes:%H:%M}" == "08:30"
    assert est.waiting == 0  # Monday's queue, not Friday's leftovers
    first = q.take("consultation", by_hours=True)
    assert first.day == est.resumes.date() and first.number == "A001"
    second = q.take("consultation", E, by_hours=True)
    assert second.ahead == 0  # priority: called first on Monday
    assert q.get(first.ticket_id).ahead == 1
    assert q.estimate("consultation").waiting == 2
    clock.advance(days=2, hours=13)  # Monday 08:32: open, the tickets are today's queue
    assert q.estimate("consultation").resumes is None
    assert [t.number for t in q.waiting(["consultation"])] == ["A001", "A002"]
    assert q.take("consultation").number == "A003"
    clock.advance(hours=10)  # Monday 18:32: staff at a window still issue for today
    assert q.take("consultation").day == clock.now().date()


def test_a_site_without_after_hours_tickets_issues_none(tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    from kiosk.bootstrap import build_terminal
    from kiosk.config import parse_config

    clock.advance(hours=9)  # Friday 18:00
    terminal = build_terminal(parse_config("[queue]\nafter_hours_tickets = false\n"), tmp_path, clock=clock, with_devices=False)
    try:
        with pytest.raises(QueueError) as caught:
            terminal.queue.take("consultation", by_hours=True)
        assert caught.value.message_key == "hours.no_tickets"
        assert terminal.queue.tickets() == []
    finally:
        terminal.close()


def test_a_closed_date_moves_the_next_opening_past_it() -> None:
    from datetime import datetime

    from kiosk.config import parse_config
    from kiosk.schedule import next_opening, open_now

    hours = parse_config("[hours]\nclosed_dates = [2026-12-03]\n").hours
    assert not open_now(hours, datetime(2026, 12, 3, 10, 0))  # a Thursday, but a holiday
    assert next_opening(hours, datetime(2026, 12, 2, 19, 0)) == datetime(2026, 12, 4, 8, 30)
