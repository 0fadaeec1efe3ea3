"""Booking, cancelling, moving and the last place — terminal asks over a real
Mosquitto, answered by the centre's appointment book on SQLite."""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest

from kiosk.appointments import AppointmentError
from tests.appointments.conftest import SITE, desk_of, person

PHONE = "13800138000"


def _all_events(t):
    from kiosk.store import DB_FILENAME, connect

    rows = connect(t.data_dir / DB_FILENAME).execute("SELECT kind, payload FROM outbox ORDER BY seq").fetchall()
    return [(r["kind"], json.loads(r["payload"])) for r in rows]


def _events(t, kind):
    # Delivered or not: the agent may have sent them already.
    return [p for k, p in _all_events(t) if k == kind]


def test_slots_by_day_then_time_book_find_cancel(appt_fleet):
    appt_fleet.publish(capacity=2)
    t = appt_fleet.online_terminal("AP1")
    desk = desk_of(t)
    slots = desk.slots("consultation")
    # Next 7 working days (Fri 27 Nov → Mon 7 Dec), 09:00 already begun today.
    days = sorted({s.day for s in slots})
    assert days[0] == date(2026, 11, 27) and len(days) == 7 and date(2026, 11, 28) not in days  # no Saturday
    assert [s.start for s in slots if s.day == days[0]] == ["09:30", "10:00", "10:30"]
    assert [(s.day, s.start) for s in slots] == sorted((s.day, s.start) for s in slots)
    assert all(s.free == 2 for s in slots)

    booking = desk.book(slots[0], "consultation", person(), PHONE)
    assert booking.code.isdigit() and len(booking.code) == 6 and booking.start == "09:30" and booking.phone_last4 == "8000"
    assert [s.free for s in desk.slots("consultation") if s.slot_id == slots[0].slot_id] == [1]
    # The same person cannot hold two open appointments for one service.
    with pytest.raises(AppointmentError) as twice:
        desk.book(slots[1], "consultation", person(), PHONE)
    assert twice.value.message_key == "appointment.already_booked"
    # Found by card, or by code and the phone's last four digits — not by the code alone.
    assert [b.code for b in desk.find(card=person())] == [booking.code]
    assert [b.code for b in desk.find(code=booking.code, phone_last4="8000")] == [booking.code]
    assert desk.find(code=booking.code, phone_last4="1234") == []
    cancelled = desk.cancel(booking, phone_last4="8000")
    assert cancelled.state == "cancelled"
    assert [s.free for s in desk.slots("consultation") if s.slot_id == slots[0].slot_id] == [2]
    assert desk.find(card=person()) == []
    # Counts only, in the outbox: never the person, the code or the phone.
    booked = _events(t, "appointment_booked")
    assert booked == [{"day": "2026-11-27", "service": "consultation", "slot_day": "2026-11-27"}]
    assert _events(t, "appointment_cancelled") == [{"day": "2026-11-27", "service": "consultation", "slot_day": "2026-11-27"}]
    dump = json.dumps(_all_events(t), ensure_ascii=False)
    assert PHONE not in dump and "420281199106080036" not in dump and booking.code not in dump and "李" not in dump
    # The centre keeps no ID number either.
    rows = appt_fleet.book.bookings_of(SITE)
    assert "420281199106080036" not in json.dumps(rows, default=str) and rows[0]["masked_name"] == "李**"


def test_moving_takes_the_new_place_and_frees_the_old(appt_fleet):
    appt_fleet.publish(capacity=1)
    t = appt_fleet.online_terminal("AP2")
    desk = desk_of(t)
    first, second = desk.slots("consultation")[:2]
    booking = desk.book(first, "consultation", person(), PHONE)
    moved = desk.move(booking, second, card=person())
    assert moved.code == booking.code and moved.start == second.start
    free = {s.slot_id: s.free for s in desk.slots("consultation")}
    assert free[first.slot_id] == 1 and second.slot_id not in free  # the new one is full now
    with pytest.raises(AppointmentError) as wrong:
        desk.move(moved, first, card=person("11010519491231002X", "王五"))  # someone else's card
    assert wrong.value.message_key == "appointment.not_found"


def test_the_last_place_booked_from_two_terminals_at_once(appt_fleet):
    appt_fleet.publish(first=date(2026, 11, 30), last=date(2026, 11, 30), start="09:00", end="09:30", capacity=1)
    a, b = appt_fleet.online_terminal("AP3"), appt_fleet.online_terminal("AP4")
    desks = [desk_of(a), desk_of(b)]
    slot = desks[0].slots("consultation")[0]
    people = [person(), person("11010519491231002X", "王五")]
    go = threading.Barrier(2)
    results: list[object] = [None, None]

    def book(i: int) -> None:
        go.wait()
        try:
            results[i] = desks[i].book(slot, "consultation", people[i], PHONE)
        except AppointmentError as exc:
            results[i] = exc

    threads = [threading.Thread(target=book, args=(i,)) for i in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    won = [r for r in results if not isinstance(r, AppointmentError)]
    lost = [r for r in results if isinstance(r, AppointmentError)]
    assert len(won) == 1 and len(lost) == 1
    assert lost[0].message_key == "appointment.full"  # 已约满
    assert appt_fleet.book.all_slots(SITE)[0]["booked"] == 1
    assert len(appt_fleet.book.bookings_of(SITE)) == 1


def test_offline_booking_is_refused_plainly(appt_fleet, tmp_path):
    from kiosk.appointments import AppointmentDesk
    from kiosk.store import connect

    t = appt_fleet.terminal("AP5")  # no agent: no centre
    desk = AppointmentDesk(connect(tmp_path / "x.sqlite3"), t.clock, lambda: t.centre)
    with pytest.raises(AppointmentError) as off:
        desk.slots("consultation")
    assert off.value.message_key == "appointment.offline"
    assert t.translator.t("appointment.offline").startswith("暂时连不上")
