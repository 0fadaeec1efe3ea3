"""``kiosk session``: the unattended terminal's bookkeeping, run by its systemd units.

- ``stopped``: ExecStopPost= of legal-kiosk.service records why the app ended (the
  watchdog fired, an exit code, a signal) unless the app recorded it itself.
- ``restarts``: the recent restarts, their reasons and the time lost.
- ``rtc-alarm``: arm the RTC to power the machine on at ``[schedule] power_on``
  (legal-kiosk-rtcwake.service, as root, at boot and daily).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from kiosk.cli.common import config_of, data_dir_of, print_json
from kiosk.runjournal import RunJournal, reason_of_service_result
from kiosk.schedule import next_power_on, rtcwake_command

RTC_WAKEALARM = Path("/sys/class/rtc/rtc0/wakealarm")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``kiosk session stopped|restarts|rtc-alarm``."""
    p = sub.add_parser("session", parents=[common], help="unattended running: restarts, RTC alarm")
    ss = p.add_subparsers(dest="session_command", metavar="ACTION", required=True)
    st = ss.add_parser("stopped", parents=[common], help="record why the kiosk unit stopped (systemd's ExecStopPost=)")
    st.set_defaults(handler=stopped)
    rs = ss.add_parser("restarts", parents=[common], help="recent restarts with their reasons and the time lost")
    rs.add_argument("--json", action="store_true")
    rs.set_defaults(handler=restarts)
    ra = ss.add_parser("rtc-alarm", parents=[common], help="power on by the RTC at [schedule] power_on")
    ra.add_argument("--dry-run", action="store_true", help="print the rtcwake command, run nothing")
    ra.add_argument("--rtc", type=Path, default=RTC_WAKEALARM, help=argparse.SUPPRESS)  # tests: another RTC
    ra.set_defaults(handler=rtc_alarm)


def stopped(args: argparse.Namespace) -> int:
    """Read systemd's $SERVICE_RESULT, $EXIT_CODE, $EXIT_STATUS into the run journal."""
    result = os.environ.get("SERVICE_RESULT", "")
    if not result:
        print("kiosk: session stopped is run by systemd (ExecStopPost=); no $SERVICE_RESULT here", file=sys.stderr)
        return 2
    reason, detail = reason_of_service_result(result, os.environ.get("EXIT_CODE", ""), os.environ.get("EXIT_STATUS", ""))
    journal = RunJournal(data_dir_of(args))
    recorded = journal.end(reason, detail, datetime.now().astimezone())
    print(f"kiosk: run ended: {reason} ({detail})" + ("" if recorded else " — the app had recorded its own reason"))
    return 0


def restarts(args: argparse.Namespace) -> int:
    """Print the recent restarts, newest first."""
    rows = RunJournal(data_dir_of(args)).restarts()
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("no restarts recorded")
    for r in rows:
        lost = "?" if r.get("lost_s") is None else f"{r['lost_s']:.0f} s"
        print(f"{r.get('started_at', '?')}  {r.get('reason', '?'):14} lost {lost:>8}  {r.get('detail', '')}")
    return 0


def rtc_alarm(args: argparse.Namespace) -> int:
    """Arm the RTC for the next power-on, if configured and the hardware has an alarm."""
    config, _ = config_of(args)
    when = next_power_on(config.hours, config.schedule.power_on, datetime.now().astimezone())
    if when is None:
        print("kiosk: no [schedule] power_on configured; the RTC alarm is left alone")
        return 0
    cmd = rtcwake_command(when)
    if args.dry_run:
        print(" ".join(cmd))
        return 0
    if not args.rtc.exists():
        print(f"kiosk: this machine has no RTC alarm ({args.rtc} is missing); it will not power itself on")
        return 0
    if shutil.which(cmd[0]) is None:
        print("kiosk: rtcwake not found (Debian package util-linux)", file=sys.stderr)
        return 1
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"kiosk: rtcwake failed: {done.stderr.strip() or done.stdout.strip()}", file=sys.stderr)
        return 1
    print(f"kiosk: the machine powers on at {when:%Y-%m-%d %H:%M}")
    return 0
