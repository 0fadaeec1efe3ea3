"""Booking, finding by code and cancelling with the keypad only (no touches): the focus
ring's keys and Enter, the digit keys for the numbers; the ID card through the real pty
simulator, the terminal's agent on a real Mosquitto, the centre's real appointment book.
Then, on the home screen, "我想预约" / "预约" / "预约办事" said (the voice intent) open the
appointments menu.

The scenario lives here too (``SCENARIOS`` below), played in a fresh process (one Kivy
window per run) like those of ``ui_scenarios.py``.
"""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.appointments.ui_scenarios import look as audited
from tests.appointments.ui_scenarios import say, wait_for
from tests.support.ui import Scenarios, scenario_command

pytestmark = pytest.mark.ui
PHONE, WRONG_LAST4 = "13800138000", "1234"

# --- the scenario (in the app's process) ---------------------------------------------


def _keypad_scenario(p: Any, record: dict[str, Any]) -> Any:
    """预约 → 法律咨询 → a day → a time → card → phone (digit keys) → 确定 → slip; then
    用预约码查找 → the code → a wrong last four (not found) → the code → the right last
    four → 取消预约. Every choice by the focus ring and Enter; then the voice intent."""
    from time import monotonic as clock

    from screens.focus import KEY_ENTER, KEY_LEFT, KEY_RIGHT

    def look(p: Any, record: dict[str, Any], label: str) -> None:
        t0 = clock()
        audited(p, record, label)
        record["steps"][-1]["look_s"] = round(clock() - t0, 2)

    app = p.app
    appts = app.terminal.flow.features.get("appointments")
    touches: list[object] = []
    from kivy.core.window import Window

    Window.bind(on_touch_down=lambda _w, touch: touches.append(touch))  # a touch would be a test bug
    record["enters"] = []

    def press(action: str) -> Any:
        """Move the ring to the button that does ``action`` (RIGHT or LEFT through the
        buttons in reading order, whichever way is shorter, as a person would), then Enter. Fails when the ring never gets there
        (the button is not reachable by keypad)."""
        seen: list[str] = []
        t0 = clock()
        for _ in range(60):
            f = app.keypad.focused
            if f is not None and f.action == action:
                break
            order = [b.action for b in app.buttons_on_screen()]
            at = order.index(f.action) if f is not None and f.action in order else -1
            ahead = (order.index(action) - at) % len(order) if action in order else 1
            p.press_key(KEY_RIGHT if at < 0 or ahead <= len(order) // 2 else KEY_LEFT)
            yield 0.05
            f = app.keypad.focused
            seen.append(f.action if f is not None else "")
        else:
            raise AssertionError(f"the focus ring never reached {action!r}; it went over {sorted(set(seen))}")
        record["enters"].append(action)
        record.setdefault("moves", []).append((action, len(seen), round(clock() - t0, 2)))
        yield p.press_key(KEY_ENTER)

    def type_digits(digits: str) -> Any:
        for d in digits:
            p.press_key(48 + int(d))  # the digit keys of the keypad (top row)
        yield 0.3

    def ready() -> bool:
        return appts.asking is None

    yield from wait_for(p, lambda: app.terminal.centre is not None and app.terminal.centre.connected())
    # Booking.
    yield from press("start")
    look(p, record, "kp_home")
    yield from press("appt:open")
    look(p, record, "kp_menu")
    yield from press("appt:service:consultation")
    yield from wait_for(p, lambda: app.sm.current == "appt_slots" and ready())
    look(p, record, "kp_slots")
    days = [b.action for b in p.buttons() if b.action.startswith("appt:day:")]
    record["days"] = days
    yield from press(days[1])
    yield 0.2
    slots = [b.action for b in p.buttons() if b.action.startswith("appt:slot:")]
    record["slot"] = slots[0].rsplit(":", 1)[1]
    record["slot_day"] = days[1].rsplit(":", 1)[1]
    yield from press(slots[0])
    yield from wait_for(p, lambda: app.sm.current == "card")
    look(p, record, "kp_card")
    app._run_sim_action("idcard.insert_adult")  # the person's card on the reader
    yield from wait_for(p, lambda: app.sm.current == "appt_phone")
    yield from type_digits(PHONE)
    look(p, record, "kp_phone")
    yield from press("numpad:ok")
    yield from wait_for(p, lambda: app.sm.current == "appt_booked")
    yield from wait_for(p, lambda: appts.slip_key in ("appointment.slip_printed", "appointment.not_printed"), 20)
    look(p, record, "kp_booked")
    record["code"] = code = appts.booking.code if appts.booking else ""
    yield from press("finish")
    yield from wait_for(p, lambda: app.sm.current == "attract")
    record["after_finish"] = {"screen": app.sm.current, "card": app.terminal.flow.visit.card is not None,
                              "phone": appts.phone}
    app._run_sim_action("idcard.remove")  # the person takes the card and goes home
    yield 0.5

    # Another day, without the card: 我的预约 by the slip's code and the phone's last four.
    yield from press("start")
    yield from press("appt:open")
    yield from press("appt:by_code")
    yield from wait_for(p, lambda: app.sm.current == "appt_mine")
    look(p, record, "kp_code")
    yield from type_digits(code)
    yield from press("numpad:ok")
    look(p, record, "kp_last4")
    yield from type_digits(WRONG_LAST4)  # a wrong pair: told so, and back to the code
    yield from press("numpad:ok")
    yield from wait_for(p, ready)
    look(p, record, "kp_not_found")
    yield from type_digits(code)
    yield from press("numpad:ok")
    yield from type_digits(PHONE[-4:])
    yield from press("numpad:ok")
    yield from wait_for(p, lambda: ready() and bool(appts.bookings))
    look(p, record, "kp_found")
    record["found"] = [b.code for b in appts.bookings]
    yield from press(f"appt:cancel:{code}")
    yield from wait_for(p, ready)
    record["cancel_notice"] = app.notice
    look(p, record, "kp_cancelled")

    # By voice on the home screen: "我想预约" and its shorter forms open the menu.
    yield from press("home")
    yield from wait_for(p, lambda: app.sm.current == "home", 5)
    record["voice"] = {}
    for words in ("我想预约", "预约", "预约办事"):
        yield say(p, words)
        yield from wait_for(p, lambda: app.sm.current == "appt_menu", 5)
        record["voice"][words] = app.sm.current
        yield from press("back")
        yield from wait_for(p, lambda: app.sm.current == "home", 5)
    record["touches"] = len(touches)


SCENARIOS = Scenarios()
SCENARIOS["keypad_booking"] = _keypad_scenario


# --- the test (in pytest's process) --------------------------------------------------


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Any]:
    """A centre on the real clock (the app runs on it), with consultation slots."""
    from fleet.appointments.store import SlotSpec
    from tests.appointments.conftest import SITE, ApptFleet
    from tests.support import CST, SettableClock

    now = datetime.now(CST)
    f = ApptFleet(tmp_path, SettableClock(now))
    f.clock.now = lambda: datetime.now(CST)  # type: ignore[method-assign]
    f.book.publish(SlotSpec(SITE, "consultation", now.date(), now.date() + timedelta(days=14), time(9), time(11), 30, 1))
    yield f
    f.close()


def test_book_find_by_code_and_cancel_by_keypad_only(live: Any, tmp_path: Path) -> None:
    from tests.appointments.conftest import SITE
    from tests.support import kiosk_env

    pw = live.provision("KP1", SITE)
    config = (f'terminal_id = "KP1"\n[fleet]\nbroker = "{live.broker.url}"\npassword = "{pw}"\n'
              '[appointments]\nsite_address = "黄石市下陆区团城山街道杭州西路68号"\n')
    data = tmp_path / "kp"
    out = tmp_path / "keypad.json"
    proc = subprocess.run(scenario_command(__name__, "keypad_booking", data, out, given={"config": config}),
                          env=kiosk_env(), capture_output=True, text=True, timeout=120)
    assert out.is_file(), proc.stderr[-3000:]
    r: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    steps = {s["label"]: s for s in r["steps"]}

    def text(label: str) -> str:
        return "\n".join(steps[label]["texts"])

    assert r["touches"] == 0  # the keypad only
    assert r["violations"] == []  # the accessibility audit of every screen shown
    # Booking: the screens a person goes through, the number as typed, the code and slip.
    assert [steps[k]["screen"] for k in ("kp_home", "kp_menu", "kp_slots", "kp_card", "kp_phone", "kp_booked")] == [
        "home", "appt_menu", "appt_slots", "card", "appt_phone", "appt_booked"]
    assert "预约办事" in text("kp_home") and "选择预约时间 · 法律咨询" in text("kp_slots")
    assert "预约需要核对身份" in text("kp_card")
    assert "138 0013 8000" in text("kp_phone")
    code = r["code"]
    assert len(code) == 6 and code.isdigit()
    assert "预约成功" in text("kp_booked") and code in text("kp_booked")
    assert "预约凭条已打印，请取走" in text("kp_booked")
    slip = (data / "printer" / "last.bin").read_bytes()  # what the printer received
    assert code.encode() in slip and b"*******8000" in slip and PHONE.encode() not in slip
    assert (data / "printer" / "last.png").is_file()
    assert r["after_finish"] == {"screen": "attract", "card": False, "phone": ""}  # wiped with the visit

    # Booked at the centre for this person, in the chosen slot, with the phone typed.
    booked = [b for b in live.book.bookings_of(SITE) if b["code"] == code]
    assert len(booked) == 1 and booked[0]["terminal_id"] == "KP1" and booked[0]["phone"] == PHONE

    # Found by code and the last four; a wrong pair first: told, and asked for the code again.
    assert "请输入6位预约码" in text("kp_code") and "再输入预约手机号后四位" in text("kp_last4")
    assert "没有找到这个预约" in text("kp_not_found") and "请输入6位预约码" in text("kp_not_found")
    assert r["found"] == [code] and code in text("kp_found") and "取消预约" in text("kp_found")
    assert steps["kp_found"]["screen"] == "appt_mine"

    # Cancelled: told on screen, gone at the centre, the place free again.
    assert r["cancel_notice"] == "预约已取消"
    assert code not in text("kp_cancelled")
    # …and the screen says it is done, not "enter the last four digits" again.
    assert "预约已取消" in steps["kp_cancelled"]["texts"] and "再输入预约手机号后四位" not in text("kp_cancelled")
    mine = [b for b in live.book.bookings_of(SITE) if b["code"] == code][0]
    assert mine["state"] == "cancelled"
    assert not [b for b in live.book.bookings_of(SITE) if b["state"] == "booked"]
    slot = next(s for s in live.book.all_slots(SITE) if str(s["slot_id"]) == r["slot"])
    assert slot["booked"] == 0
    # Every press was an Enter on the focus ring, in this order.
    assert r["enters"][:3] == ["start", "appt:open", "appt:service:consultation"]
    assert r["enters"].count("numpad:ok") == 5 and f"appt:cancel:{code}" in r["enters"]

    # Said on the home screen, each opens the appointments menu (the voice intent).
    assert r["voice"] == {"我想预约": "appt_menu", "预约": "appt_menu", "预约办事": "appt_menu"}
