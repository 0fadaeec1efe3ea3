"""``kiosk doctor``: is this terminal fit to serve? Config, data dir, font, devices."""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from kiosk import __version__
from kiosk.bootstrap import build_terminal
from kiosk.catalog import load_catalog
from kiosk.cli.common import data_dir_of, print_json
from kiosk.config import load_config
from kiosk.errors import KioskError
from kiosk.ports import DeviceState

if TYPE_CHECKING:
    from kiosk.config import KioskConfig

SETTLE_S = 2.0  # devices report their first health within this


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
        config = load_config(getattr(args, "config", None), data_dir)
        _check(rows, "config", True, getattr(args, "config", None) or str(data_dir / "kiosk.toml") + " (defaults if absent)")
    except KioskError as exc:
        _check(rows, "config", False, exc.detail)
        return _report(rows, args.json)
    try:
        catalog = load_catalog(config.catalog)
        _check(rows, "catalogue", True, f"{len(catalog.services)} services")
    except KioskError as exc:
        _check(rows, "catalogue", False, exc.detail)
    for name, setting, url in qr_urls(config):
        ok, detail = qr_url_check(setting, url)
        _check(rows, name, ok, detail, required=False)
    from kiosk.voice.models import check_model

    model = check_model(data_dir)
    _check(rows, "speech model", model.ok, model.detail, required=False)
    from screens.fonts import find_cjk_font

    font = find_cjk_font()
    _check(rows, "CJK font", font is not None, str(font) if font else "none: apt-get install fonts-wqy-microhei")
    display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    _check(rows, "display", True, "present" if display else "none (the app runs offscreen)")
    terminal = build_terminal(config, data_dir, simulate=args.simulate)
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


def _report(rows: list[dict[str, str]], as_json: bool) -> int:
    if as_json:
        print_json(rows)
    else:
        width = max(len(r["check"]) for r in rows)
        for r in rows:
            print(f"{r['check']:<{width}}  {r['status']:<4}  {r['detail']}")
    return 1 if any(r["status"] == "FAIL" for r in rows) else 0
