"""The home screen offers only what can work now on this terminal, and says before the
first tap why something cannot (kiosk.availability; screens/home.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from kiosk.availability import Available, Unavailable
from kiosk.bootstrap import build_terminal
from kiosk.config import KioskConfig, parse_config
from kiosk.ports import DeviceKind
from kiosk.terminal import AbsentDevice
from tests.appointments.conftest import appt_fleet  # noqa: F401 — the fixture, used below
from tests.support.ui import run_scenario


def run(name: str, data_dir: Path, size: str = "1280x800", **given: Any) -> dict[str, Any]:
    """Run one scenario of home_scenarios.py in its own process; its record."""
    return run_scenario("tests.screens.home_scenarios", name, data_dir, given, size=size, timeout=180)


def tile(terminal: Any, action: str) -> Any:
    return next(t for t in terminal.flow.features.tiles() if t.action == action)


# --- the core's answers (no Kivy) -------------------------------------------------------------

def test_legal_aid_needs_the_centres_key(tmp_path: Path) -> None:
    without = build_terminal(KioskConfig(), tmp_path / "a", with_devices=False)
    assert tile(without, "la:open").availability() == Unavailable("home.why.legal_aid_key")
    with_key = build_terminal(parse_config('[legal_aid]\npublic_key = "' + "A" * 43 + '="\n'), tmp_path / "b", with_devices=False)
    assert isinstance(tile(with_key, "la:open").availability(), Available)


def test_video_needs_a_camera_and_a_reachable_lawyer(tmp_path: Path) -> None:
    t = build_terminal(KioskConfig(), tmp_path / "t", simulate=True)
    try:
        call = tile(t, "call:open")
        assert call.availability() == Unavailable("home.why.video_no_lawyer")  # no centre link
        t.centre = t.video.demo_centre()
        assert isinstance(call.availability(), Available)
        t.devices[DeviceKind.CAMERA] = AbsentDevice(DeviceKind.CAMERA, "", "unplugged")
        assert call.availability() == Unavailable("home.why.video_camera")
    finally:
        t.close()
    off = build_terminal(parse_config("[video]\nenabled = false\n"), tmp_path / "off", simulate=True)
    try:
        # Switched off here: no tile, nothing to explain.
        assert all(x.action != "call:open" for x in off.flow.features.tiles())
    finally:
        off.close()


def test_appointments_only_for_services_with_published_slots(appt_fleet: Any) -> None:  # noqa: F811
    t = appt_fleet.online_terminal("HT1")
    appts = t.flow.features.get("appointments")
    book = tile(t, "appt:open")
    assert isinstance(book.availability(), Available)  # online
    assert "consultation" in appts.services()  # the centre not asked yet: every service
    appts.refresh_free_slots()
    assert appts.services() == []  # nothing published: nothing to book (cancel and move stay)
    appt_fleet.publish(service="mediation", capacity=2)
    appts.refresh_free_slots()
    assert appts.services() == ["mediation"]  # the menu offers only what can be booked


def test_appointments_without_the_centre(tmp_path: Path) -> None:
    t = build_terminal(KioskConfig(), tmp_path / "t", with_devices=False)
    assert tile(t, "appt:open").availability() == Unavailable("home.why.appointment_offline")


# --- what a person sees -------------------------------------------------------------------------

@pytest.mark.ui
def test_home_offers_what_works_and_says_why_not(data_dir: Path) -> None:
    r = run("home_tiles", data_dir)
    offline = r["offline"]
    # No key, no centre: no legal-aid application, progress, appointment or video button ...
    for action in ("la:open", "la:progress_open", "appt:open", "call:open"):
        assert action not in offline["actions"]
    # ... but the reason, and what to do instead, before anyone taps.
    texts = "\n".join(offline["texts"])
    assert "在这里申请法律援助：本机还不能受理申请，请取号到窗口申请" in texts
    assert "视频找律师：现在没有值班律师在线，可以取号或预约" in texts
    assert "预约办事：现在连不上服务中心，请取号到窗口办理" in texts
    # The window services stay, apart from what is done here, each with its plain line.
    assert "取号到窗口办理" in texts and "在这里自助办理" in texts
    assert "伤情、笔迹等专门鉴定" in texts
    assert "service:forensic" in offline["actions"] and "rate:ticket" in offline["actions"]
    assert "service:video" not in offline["actions"]  # the video is a call, not a window ticket
    # A duty lawyer reachable: the video tile is offered and opens the call.
    assert "call:open" in r["online"]["actions"]
    assert "视频找律师：现在没有值班律师在线，可以取号或预约" not in "\n".join(r["online"]["texts"])
    assert r["after_call_tap"] == "call_consent"
    # The camera unplugged: the tile goes, the reason comes.
    assert "call:open" not in r["no_camera"]["actions"]
    assert "视频找律师：本机没有摄像头，请取号到窗口咨询" in "\n".join(r["no_camera"]["texts"])


@pytest.mark.ui
@pytest.mark.parametrize("size", ["1280x800", "1080x1920"])
def test_elder_tiles_are_at_least_as_large(data_dir: Path, size: str) -> None:
    r = run("home_modes", data_dir, size=size)
    standard, elder = r["standard"]["tile_sizes"], r["elder"]["tile_sizes"]
    assert standard and elder
    assert min(w for w, _ in elder) >= max(w for w, _ in standard) - 1
    assert min(h for _, h in elder) >= max(h for _, h in standard) - 1


@pytest.mark.ui
def test_home_tiles_are_reused_with_the_words_of_the_moment(data_dir: Path) -> None:
    r = run("home_again", data_dir)
    first, again, english = r["first"], r["again"], r["english"]
    # The waits follow the queue: the ticket taken in between is one more waiting.
    waiting = [int(n) for n in re.findall(r"等候 (\d+) 人", first["consultation"])]
    assert waiting and f"等候 {waiting[0] + 1} 人" in again["consultation"]
    assert again["actions"] == first["actions"]
    # The language changed: every tile in English, none left in Chinese.
    assert "Legal consultation" in english["consultation"] and "法律咨询" not in english["consultation"]
    assert any(t.startswith("Take a number for a window") for t in english["texts"])
    assert not any("法律咨询" in t for t in english["texts"])
    # The same tiles and notes, not new ones, each time the screen is shown.
    assert len(first["parts"]) >= 10
    assert again["parts"] == first["parts"]
    assert english["parts"] == first["parts"]
