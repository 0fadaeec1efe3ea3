"""The screen timetable and the nightly restart in a running kiosk (offscreen, under a
fake systemd): what a person at the terminal, and the technician, would notice."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image

from tests.unattended.notify_support import NotifySocket, start_kiosk, stop


def _config(tmp: Path, **schedule: str) -> Path:
    lines = ["[schedule]"] + [f"{k} = {v}" for k, v in schedule.items()]
    cfg = tmp / "kiosk.toml"
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cfg


def _until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout} s: {what}")


def _centre_pixel(png: Path) -> tuple[int, ...]:
    with Image.open(png) as im:
        return im.convert("RGB").getpixel((im.width // 2, im.height // 2))


def test_screen_off_outside_hours_and_a_touch_wakes_it_without_starting_a_visit(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    light = tmp_path / "backlight"
    light.mkdir()
    (light / "bl_power").write_text("0")
    # Closed every day: outside opening hours now, whatever the time of the test.
    cfg = _config(tmp_path, backlight=json.dumps(str(light)))
    cfg.write_text("[hours]\ndays = []\n" + cfg.read_text(), encoding="utf-8")
    ns = NotifySocket(tmp_path / "notify.sock")
    proc = start_kiosk(data, ns, "--kiosk", "--config", str(cfg), TEST_TAP_AFTER_S="9")
    shot = data / "screenshots" / "screen.png"
    try:
        ns.wait_for("READY=1", timeout=60)
        _until(lambda: (light / "bl_power").read_text() == "4", 10, "backlight off")
        mark = shot.stat().st_mtime if shot.exists() else 0
        _until(lambda: shot.exists() and shot.stat().st_mtime > mark, 10, "a new screenshot")
        time.sleep(0.3)
        assert _centre_pixel(shot) == (0, 0, 0), "the screen must be black outside opening hours"
        # The tap at 9 s: lit again, still on the attract screen (the tap only woke it).
        _until(lambda: (data / "tap.json").exists(), 20, "the tap")
        assert json.loads((data / "tap.json").read_text())["screen"] == "attract"
        assert (light / "bl_power").read_text() == "0"
        mark = shot.stat().st_mtime
        _until(lambda: shot.stat().st_mtime > mark, 10, "a new screenshot")
        time.sleep(0.3)
        assert _centre_pixel(shot) != (0, 0, 0)
    finally:
        stop(proc)
        ns.close()


def test_nightly_restart_happens_while_idle_and_is_reported(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    at = (datetime.now() + timedelta(seconds=25)).replace(microsecond=0)
    if at.date() != datetime.now().date():  # the test would straddle midnight
        at = datetime.now()
    cfg = _config(tmp_path, nightly_restart=at.strftime("%H:%M:%S"), screen_off="false")
    ns = NotifySocket(tmp_path / "notify.sock")
    # As `python -m kiosk.cli`: the restart must come back as the same module command.
    proc = start_kiosk(data, ns, "--kiosk", "--config", str(cfg), module=True)
    try:
        first = ns.wait_for("READY=1", timeout=60)
        assert time.monotonic() - first < 20, "too slow a start for the chosen restart time"
        # Same process (exec'd anew), a second READY=1 after the restart time.
        ns.wait_for("STOPPING=1", timeout=60, after=first)
        ns.wait_for("READY=1", timeout=60, after=first + 1)
        assert proc.poll() is None
        restarts = json.loads((data / "restarts.json").read_text())
        assert restarts[0]["reason"] == "nightly"
        assert 0 <= restarts[0]["lost_s"] < 60
        # Once a night: it keeps running after that.
        time.sleep(5)
        assert len(ns.times("READY=1")) == 2
    finally:
        stop(proc)
        ns.close()


def test_without_kiosk_mode_the_screen_stays_lit(tmp_path):
    """A developer's window (no --kiosk) is never darkened, whatever the hours."""
    data = tmp_path / "data"
    data.mkdir()
    light = tmp_path / "backlight"
    light.mkdir()
    (light / "bl_power").write_text("0")
    cfg = _config(tmp_path, backlight=json.dumps(str(light)))
    cfg.write_text("[hours]\ndays = []\n" + cfg.read_text(), encoding="utf-8")
    ns = NotifySocket(tmp_path / "notify.sock")
    proc = start_kiosk(data, ns, "--config", str(cfg))
    shot = data / "screenshots" / "screen.png"
    try:
        ns.wait_for("READY=1", timeout=60)
        time.sleep(6)
        assert (light / "bl_power").read_text() == "0"
        assert shot.exists() and _centre_pixel(shot) != (0, 0, 0)
    finally:
        stop(proc)
        ns.close()


def test_memory_over_its_bound_restarts_the_kiosk_while_idle_and_not_again_at_once(tmp_path):
    """Weeks of running: memory over ``[schedule] memory_restart_mb`` ends the run the
    next time the terminal stands idle (here at once: the app alone uses more than the
    smallest bound), recorded as such; the new run is not restarted again straight away."""
    data = tmp_path / "data"
    data.mkdir()
    cfg = _config(tmp_path, memory_restart_mb="256", screen_off="false")
    cfg.write_text(cfg.read_text().replace("[schedule]", "[schedule]\n# no nightly restart here"), encoding="utf-8")
    ns = NotifySocket(tmp_path / "notify.sock")
    proc = start_kiosk(data, ns, "--kiosk", "--config", str(cfg), TEST_MEMORY_MIN_RUN_S="6")
    try:
        first = ns.wait_for("READY=1", timeout=60)
        stopping = ns.wait_for("STOPPING=1", timeout=60, after=first)
        assert stopping - first >= 5, "restarted before the run had lasted its minimum"
        assert any("restarting: memory" in m for _t, m in ns.messages)
        second = ns.wait_for("READY=1", timeout=60, after=stopping)
        assert proc.poll() is None, "the same process, exec'd anew"
        restarts = json.loads((data / "restarts.json").read_text())
        assert restarts[0]["reason"] == "memory" and "MB over the 256 MB bound" in restarts[0]["detail"]
        time.sleep(max(0.0, second + 4 - time.monotonic()))
        assert len(ns.times("READY=1")) == 2 and len(ns.times("STOPPING=1")) == 1
    finally:
        stop(proc)
        ns.close()


def test_a_memory_bound_below_any_kiosk_is_refused(tmp_path):
    from kiosk.config import load_config
    from kiosk.errors import ConfigError

    cfg = _config(tmp_path, memory_restart_mb="100")
    try:
        load_config(cfg, tmp_path)
    except ConfigError as exc:
        assert "memory_restart_mb" in exc.detail and "256" in exc.detail
    else:
        raise AssertionError("a 100 MB bound must be refused")
    assert load_config(_config(tmp_path, memory_restart_mb="0"), tmp_path).schedule.memory_restart_mb == 0
