"""The appointment screens driven by touch (ID card through the real pty simulator),
against a real Mosquitto and the centre's appointment book."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, time
from pathlib import Path
from typing import Any, Iterator

import pytest

from fleet.appointments.store import SlotSpec
from tests.appointments.conftest import SITE, ApptFleet, person
from tests.support import CST, ROOT, SettableClock
from tests.support.ui import run_scenario, step

pytestmark = pytest.mark.ui
# Set KIOSK_DOC_SHOTS=1 to refresh docs/screens/appointment*.png and rating*.png.
SHOTS = str(ROOT / "docs" / "screens") if os.environ.get("KIOSK_DOC_SHOTS") else ""


def run(name: str, data_dir: Path, **given: Any) -> dict[str, Any]:
    """Play scenario ``name`` of ui_scenarios.py in its own process; its record."""
    return run_scenario("tests.appointments.ui_scenarios", name, data_dir, given, out=data_dir.parent / f"{name}.json")


def texts(r: dict[str, Any], label: str) -> str:
    return "\n".join(next(s for s in r["steps"] if s["label"] == label)["texts"])


@pytest.fixture
def live(tmp_path: Path) -> Iterator[ApptFleet]:
    """A centre on the real clock (the app runs on it), with slots from today on."""
    now = datetime.now(CST)
    f = ApptFleet(tmp_path, SettableClock(now))
    f.clock.now = lambda: datetime.now(CST)  # type: ignore[method-assign]
    f.book.publish(SlotSpec(SITE, "consultation", now.date(), now.date() + timedelta(days=14), time(9), time(11), 30, 1))
    yield f
    f.close()


def _config(f: ApptFleet, tid: str) -> str:
    pw = f.provision(tid, SITE)
    return (f'terminal_id = "{tid}"\n[fleet]\nbroker = "{f.broker.url}"\npassword = "{pw}"\n'
            '[appointments]\nsite_address = "黄石市下陆区团城山街道杭州西路68号"\n')


def test_check_in_book_move_cancel_and_fully_booked_by_touch(live, tmp_path):
    """One app run (the ID card through the real pty simulator, the agent on the real
    broker): check-in ahead of walk-ins, booking with the slip, move, cancel, 已约满."""
    import shutil
    import threading

    from kiosk.bootstrap import build_terminal
    from kiosk.config import parse_config
    from kiosk.tickets import Priority

    # Today: a mediation slot that began five minutes ago, booked by the person.
    now = datetime.now(CST)
    start = (now - timedelta(minutes=5)).replace(second=0, microsecond=0)
    end = start + timedelta(minutes=30)
    if end.date() != start.date():  # near midnight the slot ends with the day, 5 minutes at least
        end = start.replace(hour=23, minute=59)
        start = min(start, end - timedelta(minutes=10))
    live.book.publish(SlotSpec(SITE, "mediation", start.date(), start.date(), start.time(), end.time(), 5, 2, tuple(range(1, 8))))
    slot = next(s for s in live.book.all_slots(SITE) if s["service"] == "mediation")
    live.book.book(SITE, "UI1", slot["slot_id"], person().id_number, "13800138000", "李**", now - timedelta(minutes=1))
    config = _config(live, "UI1")
    data = tmp_path / "k1"
    walk = build_terminal(parse_config(config), data, with_devices=False)
    walk_ins = [walk.queue.take("mediation") for _ in range(2)]
    # Another terminal takes the last place while the person types their phone number.
    signal = tmp_path / "signal"

    def other_terminal() -> None:
        for _ in range(1200):
            if signal.exists():
                live.book.book(SITE, "OTHER", int(signal.read_text()), "11010519491231002X", "13912345678", "王*", datetime.now(CST))
                Path(str(signal) + ".done").write_text("ok")
                return
            threading.Event().wait(0.1)

    th = threading.Thread(target=other_terminal, daemon=True)
    th.start()
    r = run("appointments", data, config=config, signal=str(signal), shots=SHOTS)
    th.join(5)

    assert r["violations"] == []  # every screen passed the accessibility audit (standard, elder, English)
    assert "Choose a time" in texts(r, "appointment_slots_en")
    # Check-in on arrival: the card on the attract screen finds today's appointment.
    assert "您预约了今天" in texts(r, "appointment_checkin") and "人民调解" in texts(r, "appointment_checkin")
    assert r["ticket"] == {"number": "C003", "priority": Priority.APPOINTMENT.value}
    assert step(r, "appointment_ticket")["screen"] == "ticket"
    assert walk.queue.call_next(1).number == "C003"  # called before the two who came first
    assert walk.queue.call_next(1).number == walk_ins[0].number

    # Booking: menu, days then times, the ID card, the phone on the keypad, the slip.
    assert "预约办事" in texts(r, "appointment_home") and "服务评价" in texts(r, "appointment_home")
    assert "我的预约（取消 / 改约）" in texts(r, "appointment_menu")
    assert "选择预约时间 · 法律咨询" in texts(r, "appointment_slots") and "余1位" in texts(r, "appointment_slots")
    assert len(r["days"]) == 7
    assert step(r, "appointment_card")["screen"] == "card" and "预约需要核对身份" in texts(r, "appointment_card")
    assert "138 0013 8000" in texts(r, "appointment_phone")
    assert "预约成功" in texts(r, "appointment_booked") and r["code"] in texts(r, "appointment_booked")
    assert "预约凭条已打印，请取走" in texts(r, "appointment_booked")  # said once the printer finished
    assert Path(r["slip_png"]).is_file()
    if SHOTS:
        shutil.copy(r["slip_png"], ROOT / "docs" / "img" / "slip.png")
    assert r["after_finish"] == {"screen": "attract", "card": False, "phone": ""}  # wiped with the visit
    # The card stays on the reader after every read: each flow reminds the person to take it.
    for label in ("appointment_checkin", "appointment_phone", "appointment_booked", "appointment_mine"):
        assert "请取回身份证" in texts(r, label), label

    # My appointment by ID card: moved, then cancelled.
    assert r["mine_codes"] == [r["code"]] and "改约时间" in texts(r, "appointment_mine")
    assert "改约成功" in texts(r, "appointment_moved")
    assert "预约已取消" in texts(r, "appointment_cancelled") or r["cancel_notice"] == "预约已取消"
    mine = [b for b in live.book.bookings_of(SITE) if b["code"] == r["code"]][0]
    assert mine["state"] == "cancelled" and mine["phone"] == "13800138000"

    # The last place went to the other terminal first: 已约满, nothing booked for this person.
    assert r["notice"] == "已约满，请选择其他时间" and "已约满" in texts(r, "appointment_full")
    open_consultations = [b for b in live.book.bookings_of(SITE) if b["service"] == "consultation" and b["state"] == "booked"]
    assert [b["terminal_id"] for b in open_consultations] == ["OTHER"]
