"""The appointment steps of the visit flow without Kivy: events in, states out; the
centre answers over the real broker (the flow's worker posts its answers back)."""

from __future__ import annotations

from kiosk import events as ev
from kiosk.ports import DeviceKind
from kiosk.visit import VisitState as S
from kiosk.appointments.states import AppointmentState as A
from kiosk.appointments import events as ap_ev
from tests.appointments.conftest import SITE, person


def wired(appt_fleet, tid):  # type: ignore[no-untyped-def]
    t = appt_fleet.online_terminal(tid)

    def settle() -> S:
        # Hand the worker's answer to the flow, as the app's bridge does on the UI thread.
        t.flow.handle(t.flow.inbox.take(timeout=15))
        return t.flow.state

    return t, settle


def test_find_by_code_and_phone_digits_then_cancel(appt_fleet):
    appt_fleet.publish(capacity=2)
    t, settle = wired(appt_fleet, "FL1")
    slot = appt_fleet.book.free_slots(SITE, "consultation", appt_fleet.clock.now())[0]
    booked = appt_fleet.book.book(SITE, "X", slot["id"], person().id_number, "13800138000", "李**", appt_fleet.clock.now())
    f = t.flow
    f.handle(ev.Started())
    assert f.handle(ap_ev.AppointmentsOpened()) is A.APPT_MENU
    f.handle(ap_ev.AppointmentAsked("mine"))
    assert f.state is S.CARD and f.card_purpose == "appointment.card_why_mine"
    assert f.handle(ev.BackPressed()) is A.APPT_MENU  # back from the card step returns to the menu
    assert f.handle(ap_ev.AppointmentAsked("by_code")) is A.APPT_MINE  # no card at hand: the code instead
    f.handle(ap_ev.AppointmentAsked("code", booked["code"]))
    f.handle(ap_ev.AppointmentAsked("last4", "1234"))  # the wrong phone: nothing found
    settle()
    assert f.features.get("appointments").bookings == [] and f.features.get("appointments").message_key == "appointment.not_found"
    assert f.features.get("appointments").code == ""  # start again from the code
    f.handle(ap_ev.AppointmentAsked("code", booked["code"]))
    f.handle(ap_ev.AppointmentAsked("last4", "8000"))
    assert settle() is A.APPT_MINE and [b.code for b in f.features.get("appointments").bookings] == [booked["code"]]
    f.handle(ap_ev.AppointmentAsked("cancel", booked["code"]))
    settle()
    assert f.visit.notice_key == "appointment.cancelled" and f.features.get("appointments").bookings == []
    assert appt_fleet.book.bookings_of(None)[0]["state"] == "cancelled"
    f.handle(ev.Finished())
    assert f.features.get("appointments").code == "" and f.features.get("appointments").proof_last4 == ""  # wiped with the visit


def test_the_check_in_list_is_kept_current_in_the_background(appt_fleet):
    from tests.fleet.conftest import until

    appt_fleet.publish(service="notary", capacity=2)
    t, _ = wired(appt_fleet, "FL3")
    desk = t.flow.features.get("appointments").desk
    assert desk.offer_for(person()) is None
    # Booked at another terminal of the site: this one learns of it at its next round.
    slot = appt_fleet.book.free_slots(SITE, "notary", appt_fleet.clock.now())[0]
    appt_fleet.book.book(SITE, "ELSEWHERE", slot["id"], person().id_number, "13800138000", "李**", appt_fleet.clock.now())
    t.flow.features.get("appointments").keep_current()
    until(lambda: desk._conn.execute("SELECT COUNT(*) FROM appt_cache").fetchone()[0] == 1)
    assert desk.offer_for(person()).booking.service == "notary"


def test_a_card_at_the_start_offers_check_in_and_a_walk_in_when_early(appt_fleet):
    appt_fleet.publish(service="mediation", start="10:30", end="11:00", capacity=2)
    t, settle = wired(appt_fleet, "FL2")
    slot = appt_fleet.book.free_slots(SITE, "mediation", appt_fleet.clock.now())[0]
    appt_fleet.book.book(SITE, "X", slot["id"], person().id_number, "13800138000", "李**", appt_fleet.clock.now())
    f = t.flow
    # 09:00, the slot is at 10:30: too early to check in; a walk-in ticket is offered.
    assert f.handle(ev.CardRead(DeviceKind.IDCARD, card=person())) is S.HOME
    assert settle() is A.APPT_CHECKIN
    assert f.features.get("appointments").offer.status == "early" and f.features.get("appointments").offer.opens_at == "09:30"
    assert f.handle(ap_ev.AppointmentAsked("walkin")) is S.TICKET
    assert f.visit.ticket.number == "C001" and f.visit.ticket.priority.value == "normal"
    assert f.features.get("appointments").offer is None
    # Someone without an appointment: the card changes nothing (no question).
    f.handle(ev.Finished())
    f.handle(ev.Finished())
    assert f.state is S.ATTRACT
    f.handle(ev.CardRead(DeviceKind.IDCARD, card=person("11010519491231002X", "王五")))
    assert settle() is S.HOME
