"""Check-in on arrival: from the site's list kept on the terminal (works offline), a
ticket called ahead of walk-ins; late arrivals queue as walk-ins; the centre hears of
an offline check-in once the link is back."""

from __future__ import annotations

import json
from datetime import date

from kiosk.tickets import Priority
from tests.appointments.conftest import desk_of, person
from tests.fleet.conftest import until

PHONE = "13912345678"


def test_checkin_ticket_is_called_before_earlier_walk_ins(appt_fleet):
    appt_fleet.publish(capacity=3)
    t = appt_fleet.online_terminal("CI1")
    desk = desk_of(t)
    slot = next(s for s in desk.slots("consultation") if s.start == "09:30")
    booking = desk.book(slot, "consultation", person(), PHONE)
    # The list the terminal keeps holds no ID number, name or phone.
    cache = json.dumps([dict(r) for r in desk._conn.execute("SELECT * FROM appt_cache").fetchall()], ensure_ascii=False)
    assert "420281199106080036" not in cache and PHONE not in cache and "李" not in cache
    walk_ins = [t.queue.take("consultation") for _ in range(3)]
    appt_fleet.clock.advance(minutes=25)  # 09:25, five minutes before the slot
    offer = desk.offer_for(person())
    assert offer is not None and offer.status == "on_time" and offer.booking.code == booking.code
    assert desk.offer_for(person("11010519491231002X", "王五")) is None  # someone without one
    ticket = desk.check_in(offer, t.queue)
    assert ticket.priority is Priority.APPOINTMENT and ticket.number == "A004"
    from kiosk.receipt import ticket_receipt

    printed = ticket_receipt(ticket, t.catalog.get("consultation"), t.config).text_content()
    assert "★ 预约优先 ★" in printed  # the paper says why this number goes first
    assert desk.offer_for(person()) is None  # checked in: not offered again
    called = t.queue.call_next(1, ["consultation"])
    assert called.number == ticket.number  # ahead of the three walk-ins who came earlier
    assert t.queue.call_next(1, ["consultation"]).number == walk_ins[0].number
    # The centre hears of it (the terminal was online) and marks it checked in.
    assert desk.report_pending() == 1
    assert appt_fleet.book.bookings_of(None)[0]["state"] == "checked_in"


def test_late_arrival_queues_as_a_walk_in_and_early_is_told_when(appt_fleet):
    appt_fleet.publish(capacity=3)
    t = appt_fleet.online_terminal("CI2")
    desk = desk_of(t)
    slot = next(s for s in desk.slots("consultation") if s.start == "10:30")
    desk.book(slot, "consultation", person(), PHONE)
    early = desk.offer_for(person())  # 09:00: check-in opens at 09:30
    assert early.status == "early" and early.opens_at == "09:30"
    appt_fleet.clock.advance(hours=1, minutes=46)  # 10:46: 16 minutes late
    late = desk.offer_for(person())
    assert late.status == "late"
    ticket = desk.check_in(late, t.queue)
    assert ticket.priority is Priority.NORMAL
    events = [json.loads(r["payload"]) for r in desk._conn.execute("SELECT payload FROM outbox WHERE kind = 'appointment_checked_in'")]
    assert events == [{"day": "2026-11-27", "service": "consultation", "slot_day": "2026-11-27", "late": True}]


def test_checkin_works_offline_and_is_told_to_the_centre_later(appt_fleet):
    appt_fleet.publish(capacity=3)
    t = appt_fleet.online_terminal("CI3")
    desk = desk_of(t)
    slot = next(s for s in desk.slots("consultation") if s.start == "09:30")
    booking = desk.book(slot, "consultation", person(), PHONE)
    # The village line drops.
    agent = appt_fleet.agents.pop()
    agent.close()
    assert t.centre is None or not t.centre.connected()
    appt_fleet.clock.advance(minutes=30)
    offer = desk.offer_for(person())
    ticket = desk.check_in(offer, t.queue)
    assert ticket.priority is Priority.APPOINTMENT
    assert desk.report_pending() == 0 and desk.pending_count() == 1  # kept for later
    assert appt_fleet.book.bookings_of(None)[0]["state"] == "booked"
    # The line is back: the check-in reaches the centre once.
    appt_fleet.agent(t)
    until(lambda: t.centre is not None and t.centre.connected())
    assert desk.report_pending() == 1 and desk.pending_count() == 0
    assert appt_fleet.book.bookings_of(None)[0]["state"] == "checked_in"
    # A refresh after check-in neither offers it again nor forgets it.
    desk.refresh_cache()
    assert desk.offer_for(person()) is None
    assert booking.day == date(2026, 11, 27)
