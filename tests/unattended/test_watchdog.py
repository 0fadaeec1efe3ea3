"""The kiosk under a fake systemd: READY=1 after the first frame, WATCHDOG=1 from the UI
thread's clock (stopping when that thread is blocked or the attract screen is frozen),
and the restart journal that tells the next run why it was restarted."""

from __future__ import annotations

import json
import signal
import sqlite3
import time

from kiosk.store import DB_FILENAME
from tests.unattended.notify_support import NotifySocket, start_kiosk, stop


def test_ready_after_first_frame_then_pings_that_stop_when_the_ui_thread_blocks(tmp_path):
    ns = NotifySocket(tmp_path / "notify.sock")
    proc = start_kiosk(tmp_path / "data", ns, TEST_BLOCK_UI_AFTER_S="10", TEST_BLOCK_UI_FOR_S="15")
    try:
        ready = ns.wait_for("READY=1", timeout=60)
        status = next(m for t, m in ns.messages if "READY=1" in m)
        assert "attract screen up (frame " in status and "(frame 0)" not in status
        assert not [t for t in ns.times("WATCHDOG=1") if t < ready], "pinged before it was ready"
        # The devices open behind the attract screen; then systemd's status says a card can be read.
        serving = ns.wait_for("STATUS=serving, ready for a card", timeout=30)
        assert serving >= ready
        # WATCHDOG_USEC=1 s: a ping every 0.5 s while the UI thread turns (further apart
        # while it still builds screens on a loaded machine: wait for four, not 3 s).
        deadline = time.monotonic() + 8
        while len(ns.times("WATCHDOG=1")) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(ns.times("WATCHDOG=1")) >= 4
        # The UI thread is blocked 10 s after the first frame for 15 s (long enough that a
        # late ping is not taken for one in the block): pings stop, process alive.
        blocked_from = ready + 11.5
        time.sleep(max(0.0, blocked_from - time.monotonic()) + 4)
        assert proc.poll() is None, "the process must still be alive: only its UI thread is stuck"
        assert not [t for t in ns.times("WATCHDOG=1") if blocked_from < t < blocked_from + 4]
        # Unblocked, it pings again.
        ns.wait_for("WATCHDOG=1", timeout=15, after=blocked_from + 4)
    finally:
        stop(proc)
        ns.close()


def test_frozen_attract_screen_stops_pings_and_the_next_run_reports_why(tmp_path):
    data = tmp_path / "data"
    ns = NotifySocket(tmp_path / "notify.sock")
    proc = start_kiosk(data, ns, TEST_FROZEN_AFTER_S="4")
    try:
        ready = ns.wait_for("READY=1", timeout=60)
        frozen = ns.wait_for("STATUS=frozen screen", timeout=20, after=ready)
        assert ns.times("WATCHDOG=1"), "it pinged while the screen still counted as changing"
        time.sleep(3)
        assert proc.poll() is None
        assert not [t for t in ns.times("WATCHDOG=1") if t > frozen], "pings must stop on a frozen screen"
        run = json.loads((data / "run.json").read_text())
        assert run["end"]["reason"] == "frozen_screen"
        assert "unchanged for" in run["end"]["detail"]
        # systemd's watchdog kills it (SIGABRT), and starts it again.
        proc.send_signal(signal.SIGABRT)
        proc.wait(15)
    finally:
        stop(proc)
    ns2 = NotifySocket(tmp_path / "notify2.sock")
    proc = start_kiosk(data, ns2)
    try:
        ns2.wait_for("READY=1", timeout=60)
        restarts = json.loads((data / "restarts.json").read_text())
        assert restarts[0]["reason"] == "frozen_screen"
        assert restarts[0]["lost_s"] is not None and restarts[0]["lost_s"] >= 0
        with sqlite3.connect(data / DB_FILENAME) as c:
            payloads = [json.loads(p) for (p,) in c.execute("SELECT payload FROM outbox WHERE kind = 'restart'")]
        assert [p["reason"] for p in payloads] == ["frozen_screen"]
        # Fed again by the new run.
        ns2.wait_for("WATCHDOG=1", timeout=10)
    finally:
        stop(proc)
        ns2.close()
        ns.close()


def test_kiosk_mode_refuses_escape_and_close_requests(tmp_path):
    data = tmp_path / "data"
    ns = NotifySocket(tmp_path / "notify.sock")
    proc = start_kiosk(data, ns, "--kiosk", TEST_ESCAPE_AFTER_S="3")
    try:
        ready = ns.wait_for("READY=1", timeout=60)
        deadline = time.monotonic() + 20
        while not (data / "close.json").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert json.loads((data / "close.json").read_text()) == {"refused": True}
        time.sleep(2)
        assert proc.poll() is None
        ns.wait_for("WATCHDOG=1", timeout=5, after=ready + 4)
    finally:
        stop(proc)
        ns.close()
    # Without --kiosk (a developer's window) the same request closes the app.
    data2 = tmp_path / "data2"
    ns2 = NotifySocket(tmp_path / "notify2.sock")
    proc = start_kiosk(data2, ns2, TEST_ESCAPE_AFTER_S="3")
    try:
        assert proc.wait(60) == 0
        assert json.loads((data2 / "close.json").read_text()) == {"refused": False}
        assert json.loads((data2 / "run.json").read_text())["end"]["reason"] == "stopped"
    finally:
        stop(proc)
        ns2.close()


def test_sigterm_stops_a_kiosk_mode_app_cleanly(tmp_path):
    """systemd stops the unit with SIGTERM: kiosk mode refuses close requests, but not that."""
    data = tmp_path / "data"
    ns = NotifySocket(tmp_path / "notify.sock")
    proc = start_kiosk(data, ns, "--kiosk")
    try:
        ready = ns.wait_for("READY=1", timeout=60)
        ns.wait_for("WATCHDOG=1", timeout=10, after=ready + 5)  # every screen built by then
        proc.terminate()
        assert proc.wait(20) == 0, stop(proc)[-2000:]
        assert json.loads((data / "run.json").read_text())["end"]["reason"] == "stopped"
    finally:
        stop(proc)
        ns.close()


def _tap_report(data, ns, **disturbance):
    proc = start_kiosk(data, ns, **disturbance)
    try:
        ns.wait_for("READY=1", timeout=60)
        deadline = time.monotonic() + 30
        while not (data / "tap.json").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        return json.loads((data / "tap.json").read_text())
    finally:
        stop(proc)


def test_a_touch_before_the_features_have_loaded_gets_the_whole_home_screen(tmp_path):
    """`kiosk run` draws the attract screen before loading the features. A person who
    touches it at once, before they are in, gets the same home screen as one who comes
    later: every service, and the features' tiles and notes."""
    ns = NotifySocket(tmp_path / "notify.sock")
    try:
        early = _tap_report(tmp_path / "early", ns, TEST_TAP_BEFORE_FEATURES="1")
        later = _tap_report(tmp_path / "later", ns, TEST_TAP_AFTER_S="2")
    finally:
        ns.close()
    assert early["features_pending_at_tap"] is True, "the touch must come before the features loaded"
    assert later["features_pending_at_tap"] is False
    assert early["screen"] == later["screen"] == "home"
    assert "doc:open" in later["actions"] and "service:consultation" in later["actions"]
    assert early["actions"] == later["actions"]
def test_sigterm_while_the_screens_are_still_being_built_stops_cleanly(tmp_path):
    """On a slow board the app is still building its screens (one per frame) when
    systemd stops it: the stop is clean all the same — no screen built by a stopped app."""
    data = tmp_path / "data"
    ns = NotifySocket(tmp_path / "notify.sock")
    proc = start_kiosk(data, ns, "--kiosk", TEST_SIGTERM_AT_SCREEN="3")
    try:
        assert proc.wait(90) == 0, stop(proc)[-2000:]
        err = stop(proc)
        assert "Traceback" not in err, err[-2000:]
        assert json.loads((data / "run.json").read_text())["end"]["reason"] == "stopped"
    finally:
        stop(proc)
        ns.close()
