"""The restart journal, systemd's notification protocol, the timetable and the
``[schedule]`` section, without a running app."""

from __future__ import annotations

import json
import socket
import subprocess
from datetime import datetime, time, timedelta

import pytest

from kiosk.config import OpeningHours, ScheduleSettings, parse_config
from kiosk.errors import ConfigError
from kiosk.runjournal import RunJournal
from kiosk.schedule import next_power_on, nightly_restart_due, screen_on
from kiosk.sdnotify import notify, watchdog_interval_s
from kiosk.watchdog import FreezeWatch
from tests.support import CST, PYTHON, ROOT, kiosk_env

MON = datetime(2026, 11, 30, 9, 0, tzinfo=CST)  # a Monday


def kiosk(data, *args, **env):
    e = kiosk_env(data)
    e.update(env)
    return subprocess.run([PYTHON, "-m", "kiosk.cli", "--data-dir", str(data), *args], env=e, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_notify_reaches_an_abstract_socket_and_is_a_noop_without_one():
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        name = f"legal-kiosk-test-{id(s)}"
        s.bind("\0" + name)
        s.settimeout(2)
        assert notify("READY=1", {"NOTIFY_SOCKET": "@" + name})
        assert s.recv(100) == b"READY=1"
    assert not notify("READY=1", {})
    assert not notify("READY=1", {"NOTIFY_SOCKET": "/nonexistent/sock"})
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert watchdog_interval_s({}) is None and watchdog_interval_s({"WATCHDOG_USEC": "x"}) is None


def test_freeze_watch_counts_only_unchanged_time_on_attract():
    w = FreezeWatch(60)
    assert not w.observe(True, "09:00", 0)
    assert not w.observe(True, "09:00", 59)
    assert not w.observe(True, "09:01", 70)  # changed: the count starts again
    assert not w.observe(False, None, 200)  # a visit: nothing is judged
    assert not w.observe(True, "09:01", 210)
    assert w.observe(True, "09:01", 270)


def test_watchdog_kill_then_start_reports_watchdog_and_time_lost(tmp_path):
    data = tmp_path / "data"
    j = RunJournal(data)
    assert j.begin(MON) is None  # the very first start
    j.alive(MON + timedelta(minutes=5))
    res = kiosk(data, "session", "stopped", SERVICE_RESULT="watchdog", EXIT_CODE="killed", EXIT_STATUS="ABRT")
    assert res.returncode == 0, res.stderr
    r = j.begin(MON + timedelta(minutes=5, seconds=40))
    assert (r.reason, r.detail) == ("watchdog", "watchdog killed ABRT")
    listed = json.loads(kiosk(data, "session", "restarts", "--json").stdout)
    assert listed[0]["reason"] == "watchdog" and listed[0]["lost_s"] is not None


def test_the_apps_own_reason_wins_and_a_power_cut_counts_from_the_last_sign_of_life(tmp_path):
    j = RunJournal(tmp_path)
    j.begin(MON)
    assert j.end("frozen_screen", "attract screen unchanged for 3600 s", MON + timedelta(hours=2))
    assert not j.end("watchdog", "watchdog", MON + timedelta(hours=2, seconds=30))
    assert j.begin(MON + timedelta(hours=2, seconds=45)).reason == "frozen_screen"
    # Nothing recorded an end (power cut): reason unknown, lost since the last alive().
    j.alive(MON + timedelta(hours=3))
    r = j.begin(MON + timedelta(hours=3, minutes=10))
    assert r.reason == "unknown" and r.lost_s == 600.0
    # Started again with nothing recorded, then a crash: systemd's exit code.
    j.begin(MON + timedelta(hours=4))
    res = kiosk(tmp_path, "session", "stopped", SERVICE_RESULT="exit-code", EXIT_CODE="exited", EXIT_STATUS="1")
    assert "crash" in res.stdout
    assert j.begin(MON + timedelta(hours=4, minutes=1)).reason == "crash"
    assert [x["reason"] for x in j.restarts()] == ["crash", "unknown", "unknown", "frozen_screen"]


def test_session_stopped_outside_systemd_says_so(tmp_path):
    res = kiosk(tmp_path, "session", "stopped")
    assert res.returncode == 2 and "ExecStopPost" in res.stderr and "Traceback" not in res.stderr


def test_screen_timetable():
    hours, sched = OpeningHours(), ScheduleSettings()  # Mon–Fri 08:30–17:30, on 15 min before, off 30 after
    at = lambda h, m, day=MON: day.replace(hour=h, minute=m)  # noqa: E731
    assert not screen_on(hours, sched, at(8, 14))
    assert screen_on(hours, sched, at(8, 15))
    assert screen_on(hours, sched, at(17, 59))
    assert not screen_on(hours, sched, at(18, 0))
    assert not screen_on(hours, sched, at(12, 0, MON + timedelta(days=5)))  # Saturday
    assert screen_on(hours, ScheduleSettings(screen_off=False), at(23, 0))


def test_nightly_restart_once_and_never_late_into_the_morning():
    started = MON.replace(hour=9)
    at = time(3, 30)
    next_night = (MON + timedelta(days=1)).replace(hour=3, minute=29)
    assert not nightly_restart_due(at, started, next_night)
    assert nightly_restart_due(at, started, next_night + timedelta(minutes=1))
    assert nightly_restart_due(at, started, next_night + timedelta(hours=1))  # a visit held it back
    assert not nightly_restart_due(at, started, next_night + timedelta(hours=3))  # too late: skipped
    assert not nightly_restart_due(at, next_night + timedelta(minutes=2), next_night + timedelta(minutes=5))
    assert not nightly_restart_due(None, started, next_night + timedelta(minutes=1))


def test_power_on_is_the_next_opening_day():
    fri_evening = (MON + timedelta(days=4)).replace(hour=18)
    assert next_power_on(OpeningHours(), time(7, 45), fri_evening) == (MON + timedelta(days=7)).replace(hour=7, minute=45)
    assert next_power_on(OpeningHours(), None, fri_evening) is None


def test_rtc_alarm_command(tmp_path):
    (tmp_path / "kiosk.toml").write_text("[schedule]\npower_on = 07:45:00\n")
    res = kiosk(tmp_path, "session", "rtc-alarm", "--dry-run")
    assert res.returncode == 0, res.stderr
    cmd = res.stdout.split()
    assert cmd[:4] == ["rtcwake", "-m", "no", "-t"]
    when = datetime.fromtimestamp(int(cmd[4]))
    assert when.time() == time(7, 45) and when > datetime.now() and when.isoweekday() <= 5
    res = kiosk(tmp_path, "session", "rtc-alarm", "--rtc", str(tmp_path / "no-rtc"))
    assert res.returncode == 0 and "no RTC alarm" in res.stdout


def test_schedule_section_is_validated():
    with pytest.raises(ConfigError, match="frozen_screen_minutes"):
        parse_config("[schedule]\nfrozen_screen_minutes = 1\n")
    with pytest.raises(ConfigError, match="nightly_restrat"):
        parse_config("[schedule]\nnightly_restrat = 03:00:00\n")
    assert parse_config("[schedule]\nnightly_restart = 02:15:00\n").schedule.nightly_restart == time(2, 15)
