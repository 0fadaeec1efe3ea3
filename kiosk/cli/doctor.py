"""``kiosk doctor``: is this terminal fit to serve? Config, data dir, font, devices."""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from kiosk import __version__
from kiosk.bootstrap import build_terminal, device_urls
from kiosk.catalog import load_catalog
from kiosk.cli.calling import PIN_ENV as CONSOLE_PIN_ENV
from kiosk.cli.common import data_dir_of, print_json
from kiosk.config import KioskConfig, Technician
from kiosk.errors import KioskError
from kiosk.lookup.library import Library, default_library_path
from kiosk.ports import DeviceKind, DeviceState
from kiosk.startconfig import last_good_path, start_config
from kiosk.store import DB_FILENAME
from kiosk.storecheck import damaged_copies, numbers_blocked
from screens.fonts import find_cjk_font

SETTLE_S = 2.0  # devices report their first health within this
DEFAULT_PIN = Technician().pin


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``kiosk doctor``."""
    p = sub.add_parser("doctor", parents=[common], help="check configuration, data dir, fonts and devices")
    p.add_argument("--simulate", action="store_true", help="check with simulated devices")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=doctor)


def _check(rows: list[dict[str, str]], name: str, ok: bool, detail: str, required: bool = True) -> None:
    # A missing optional part (the speech model) is a warning: the kiosk serves without it.
    rows.append({"check": name, "status": "ok" if ok else ("FAIL" if required else "warn"), "detail": detail})


def qr_urls(config: "KioskConfig") -> list[tuple[str, str, str]]:
    """The pages printed QR codes point at: (check name, setting, URL)."""
    return [
        ("ticket QR", "[queue] ticket_url", config.queue.ticket_url),
        ("legal-aid QR", "[legal_aid] progress_url", config.legal_aid.progress_url),
        ("appointment QR", "[appointments] slip_url", config.appointments.slip_url),
    ]


def qr_url_check(setting: str, url: str) -> tuple[bool, str]:
    """Whether a QR's URL is a real page of this site: unset or still the shipped
    placeholder host (example.…) is a warning, for people would scan it."""
    if not url:
        return False, f"not set: the QR holds the number as text, no link; set {setting} to the site's page"
    host = urlsplit(url).hostname or ""
    if host == "example.gov.cn" or host.endswith(".example.gov.cn") or ".example." in f".{host}.":
        return False, f"{setting} points at the placeholder host {host}: set the site's real page"
    return True, url


def doctor(args: argparse.Namespace) -> int:
    """Print a table of checks; exit 0 when all pass, 1 otherwise."""
    rows: list[dict[str, str]] = []
    _check(rows, "version", True, __version__)
    data_dir = data_dir_of(args)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=data_dir):
            pass
        _check(rows, "data dir", True, str(data_dir))
    except OSError as exc:
        _check(rows, "data dir", False, f"{data_dir}: {exc}")
        data_dir = Path(tempfile.mkdtemp(prefix="kiosk-doctor-"))
    try:
        # What `kiosk run` would start with, checked the same way (catalogue included).
        start = start_config(getattr(args, "config", None), data_dir)
    except KioskError as exc:
        _check(rows, "config", False, exc.detail)
        return _report(rows, args.json)
    config = start.config
    if start.fallback:
        _check(rows, "config", False, f"{start.fallback}\n`kiosk run` starts from {last_good_path(start.path)}")
    else:
        _check(rows, "config", True, getattr(args, "config", None) or str(data_dir / "kiosk.toml") + " (defaults if absent)")
    _check_pins(rows, config)
    try:
        catalog = load_catalog(config.catalog)
        _check(rows, "catalogue", True, f"{len(catalog.services)} services")
    except KioskError as exc:
        _check(rows, "catalogue", False, exc.detail)
    for name, setting, url in qr_urls(config):
        ok, detail = qr_url_check(setting, url)
        _check(rows, name, ok, detail, required=False)
    from kiosk.voice.models import check_model  # deferred: the voice package loads its matcher; only when this command runs

    model = check_model(data_dir)
    # With a microphone, voice mode is offered: without the model it would invite speech
    # that nothing hears, so that is a fault. Without one, nothing is meant to listen.
    listens = bool(device_urls(config, args.simulate).get(DeviceKind.MIC))
    _check(rows, "speech model", model.ok, model.detail if model.ok or not listens else
           f"{model.detail} — voice mode cannot understand speech (本机暂不能听懂说话)", required=listens)
    _check_library(rows, config, data_dir)
    font = find_cjk_font()
    _check(rows, "CJK font", font is not None, str(font) if font else "none: apt-get install fonts-wqy-microhei")
    display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    _check(rows, "display", True, "present" if display else "none (the app runs offscreen)")
    try:
        terminal = build_terminal(config, data_dir, simulate=args.simulate)
    except KioskError as exc:
        _check(rows, "store", False, exc.detail)
        return _report(rows, args.json)
    fault = terminal.store_fault
    # A store replaced at this start is a FAIL: the technician must look at what was lost.
    _check(rows, "store", fault is None, getattr(fault, "detail", None) or str(data_dir / DB_FILENAME))
    if numbers_blocked(terminal.queue.connection, terminal.clock.now().date().isoformat()):
        _check(rows, "ticket numbers", False,
               "unknown today since the store was damaged: no tickets are issued; check the last numbers issued, then"
               " `kiosk queue resume A=LAST B=LAST …`")
    kept = damaged_copies(data_dir)
    if kept:
        # Kept for the technician (what they held may matter); not a fault any more.
        _check(rows, "damaged stores", False, f"{len(kept)} kept: " + ", ".join(p.name for p in kept[-3:]), required=False)
    terminal.open_devices()
    try:
        time.sleep(SETTLE_S)
        for kind, device in terminal.devices.items():
            h = device.health()
            configured = bool(h.url)
            ok = h.state is DeviceState.READY or not configured
            detail = f"{h.url or '(not configured)'}: {h.state.value}" + (f" — {h.detail}" if h.detail else "")
            _check(rows, f"device {kind.value}", ok, detail)
    finally:
        terminal.close()
    return _report(rows, args.json)


def _check_pins(rows: list[dict[str, str]], config: KioskConfig) -> None:
    """The technician PIN and the window console's PIN, where they protect something.

    The default PIN is printed in the manual: on a terminal with real devices or a link
    to the centre it opens the technician screen to anyone in the room.
    """
    real = [kind for kind, url in config.devices.model_dump().items() if url and not url.startswith("sim:")]
    if config.technician.pin == DEFAULT_PIN and (real or config.fleet.enabled):
        why = "a broker is configured" if config.fleet.enabled else f"real devices are configured ({', '.join(real)})"
        _check(rows, "technician PIN", False,
               f"still the default {DEFAULT_PIN} while {why}: set [technician] pin = \"<4–8 digits>\" in kiosk.toml")
    else:
        _check(rows, "technician PIN", True, "set" if config.technician.pin != DEFAULT_PIN else "default (simulated devices only)")
    host = config.calling.console_http.rpartition(":")[0].strip("[]")
    pin = os.environ.get(CONSOLE_PIN_ENV) or getattr(config.calling, "console_pin", "")
    # On loopback only staff at this machine reach the console; anywhere else a PIN is required.
    if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("127.") and not pin:
        _check(rows, "console PIN", False,
               f"the window console listens on {config.calling.console_http} without a PIN: set ${CONSOLE_PIN_ENV}"
               " for `kiosk console`, or serve it on 127.0.0.1")


def _check_library(rows: list[dict[str, str]], config: KioskConfig, data_dir: Path) -> None:
    """The law library: a warning, not a failure, when absent (look-up is then not
    offered; everything else works)."""
    path = default_library_path(data_dir, config.lookup.library)
    try:
        with Library(path) as lib:
            _check(rows, "law library", True, f"{path}: {lib.version}, {lib.meta.get('texts')} texts")
    except KioskError as exc:
        _check(rows, "law library", False, exc.detail, required=False)


def _report(rows: list[dict[str, str]], as_json: bool) -> int:
    if as_json:
        print_json(rows)
    else:
        width = max(len(r["check"]) for r in rows)
        for r in rows:
            print(f"{r['check']:<{width}}  {r['status']:<4}  {r['detail']}")
    return 1 if any(r["status"] == "FAIL" for r in rows) else 0
