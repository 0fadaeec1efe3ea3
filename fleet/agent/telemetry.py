"""Collecting a terminal's health for telemetry: counts and states, never people."""

from __future__ import annotations

import platform
import shutil
import sqlite3
import time
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Mapping

import kiosk
from fleet import topics
from kiosk.lookup.library import installed_version
from kiosk.publicity.package import default_publicity_dir
from kiosk.publicity.package import installed_version as publicity_version
from kiosk.ports import Device, DeviceKind, ReceiptPrinter
from kiosk.voice.models import check_model

SPEECH_MODEL_DIR = Path("models") / "vosk-small-cn"
_STARTED = time.monotonic()


def _versions() -> dict[str, str]:
    out = {"kiosk": kiosk.__version__, "python": platform.python_version()}
    for dist in ("kivy", "paho-mqtt"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            pass
    return out


_MEMINFO: tuple[float, tuple[float, float]] = (-1e9, (0.0, 0.0))  # (read at, figures)


def _meminfo() -> tuple[float, float]:
    """(this process's RSS, the machine's available memory) in MB, from /proc; read at
    most once a second (a simulator's thousands of agents share one process)."""
    global _MEMINFO
    if time.monotonic() - _MEMINFO[0] < 1.0:
        return _MEMINFO[1]
    rss = avail = 0.0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                avail = int(line.split()[1]) / 1024
    except OSError:
        pass
    figures = (round(rss, 1), round(avail, 1))
    _MEMINFO = (time.monotonic(), figures)
    return figures


def device_reports(devices: Mapping[DeviceKind, Device], with_paper: bool = True) -> list[topics.DeviceReport]:
    """Each device's state; printers also their paper (DLE EOT status) if ``with_paper``."""
    out = []
    for kind, device in devices.items():
        try:
            h = device.health()
            state, detail = h.state.value, h.detail
        except Exception as exc:  # noqa: BLE001 — a broken adapter is itself a fault to report
            state, detail = "fault", f"health failed: {type(exc).__name__}"
        paper = None
        if with_paper and isinstance(device, ReceiptPrinter) and state != "absent":
            try:
                # A printer polled in the background already knows its live state: no
                # query of our own to wait for (nor to queue behind a job).
                paper = device.last_status.value if device.polling else device.status().value
            except Exception:  # noqa: BLE001
                paper = "unknown"
        out.append(topics.DeviceReport(kind=getattr(kind, "value", str(kind)), state=state, detail=detail[:200], paper=paper))
    return out


def speech_report(data_dir: Path, devices: Mapping[DeviceKind, Device]) -> topics.DeviceReport | None:
    """Speech recognition as one more "device": a terminal with a microphone but no
    speech model offers a voice mode that hears nothing, which is a fault to repair.
    None when the terminal has no microphone configured (no voice input is meant)."""
    mic = next((d for k, d in devices.items() if getattr(k, "value", k) == "mic"), None)
    if mic is None:
        return None
    try:
        if mic.health().detail == "not configured":
            return None
    except Exception:  # noqa: BLE001 — the mic's own report says what is wrong with it
        pass
    status = check_model(data_dir)  # file checks only; never loads the model
    return topics.DeviceReport(kind="speech", state="ready" if status.ok else "absent", detail=status.detail[:200])


_VERSIONS: dict[str, str] | None = None


def collect(
    *,
    now: datetime,
    session: int,
    data_dir: Path,
    devices: Mapping[DeviceKind, Device],
    conn: sqlite3.Connection,
    config_version: int,
    volume: int | None,
    visit_state: str,
    library: Path | None = None,
) -> topics.Telemetry:
    """One telemetry message. ``conn`` is the agent's own connection to the store;
    ``library`` the law library file, whose content version is reported with the
    software's versions."""
    global _VERSIONS
    if _VERSIONS is None:
        _VERSIONS = _versions()
    day = now.date().isoformat()
    tickets = conn.execute("SELECT COUNT(*), SUM(state = 'waiting') FROM tickets WHERE day = ?", (day,)).fetchone()
    pending = conn.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0]
    try:
        du = shutil.disk_usage(data_dir)
        free, total = du.free / 2**20, du.total / 2**20
    except OSError:
        free = total = 0.0
    rss, avail = _meminfo()
    content = installed_version(library) if library is not None else None
    versions = _VERSIONS if content is None else {**_VERSIONS, "library": content}
    slides = publicity_version(default_publicity_dir(data_dir))
    if slides is not None:
        versions = {**versions, "publicity": slides}
    reports = device_reports(devices)
    speech = speech_report(data_dir, devices)
    if speech is not None:
        reports.append(speech)
    return topics.Telemetry(
        at=now,
        session=session,
        devices=reports,
        disk_free_mb=round(free, 1),
        disk_total_mb=round(total, 1),
        mem_rss_mb=rss,
        mem_available_mb=avail,
        uptime_s=round(time.monotonic() - _STARTED, 1),
        versions=versions,
        tickets_today=int(tickets[0] or 0),
        waiting=int(tickets[1] or 0),
        outbox_pending=int(pending),
        speech_model=speech.state == "ready" if speech is not None else (data_dir / SPEECH_MODEL_DIR).is_dir(),
        config_version=config_version,
        volume=volume,
        visit_state=visit_state,
    )


