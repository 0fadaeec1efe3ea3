"""The commands a terminal runs for the centre. Each handler takes a ``CommandContext``
(only what commands need of the terminal) and the arguments, and returns an ``Outcome``
or raises CommandError."""

from __future__ import annotations

import base64
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Protocol

from fleet import topics
from kiosk.config import KioskConfig
from kiosk.logs import mask_text
from kiosk.ports import ReceiptPrinter
from kiosk.receipt import test_receipt


class CommandContext(Protocol):
    """What the command handlers may use of the terminal and its ctx."""

    @property
    def session(self) -> int:
        """The connection's sequence number."""

    @property
    def kiosk_config(self) -> KioskConfig:
        """The terminal's configuration in force (the test receipt prints from it)."""

    @property
    def log_file(self) -> Path:
        """The kiosk's log file (it may not exist yet)."""

    @property
    def restart(self) -> Callable[[], None] | None:
        """Restarts the app (None: not available on this terminal)."""

    @property
    def screenshot(self) -> Callable[[], bytes | None] | None:
        """PNG bytes of the current screen, or None if it could not be captured in
        time (None itself: there is no screen to capture)."""

    def now(self) -> datetime:
        """The terminal's clock."""

    def telemetry(self) -> topics.Telemetry:
        """A health snapshot."""

    def printer(self) -> ReceiptPrinter | None:
        """The receipt printer, if the terminal has one."""

    def set_volume(self, level: int) -> bool:
        """Keep ``level`` for the next start and apply it now; False when the
        speaker cannot take a level (it is still kept)."""

    def config_version(self) -> int:
        """The centre's configuration version applied here (0: none yet)."""

    def offer_config(self, version: int, config: dict[str, Any]) -> topics.Reported:
        """Validate a desired configuration now; apply it at the next idle moment."""


class CommandError(Exception):
    """A command failed in a way the centre should read: an error code and a message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Outcome:
    """A handler's result, and something to do after the reply has been published
    (``restart_app`` answers first, then restarts)."""

    result: dict[str, Any]
    after: Callable[[], None] | None = None


def _int_arg(args: dict[str, Any], name: str, default: int, lo: int, hi: int) -> int:
    value = args.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise CommandError("bad_request", f"{name}: an integer from {lo} to {hi}")
    return value


def ping(ctx: CommandContext, args: dict[str, Any]) -> Outcome:
    """Alive, with the connection sequence and the terminal's clock."""
    return Outcome({"pong": True, "session": ctx.session, "at": ctx.now().isoformat()})


def self_test(ctx: CommandContext, args: dict[str, Any]) -> Outcome:
    """Every device's health (and the printer's paper), speech recognition (a terminal
    with a microphone and no speech model fails), disk and backlog."""
    tel = ctx.telemetry()
    devices = [d.model_dump(exclude_none=True) for d in tel.devices]
    # A device the terminal was never given ("not configured") is no fault.
    used = [d for d in devices if not (d["state"] == "absent" and d.get("detail") == "not configured")]
    ok = all(d["state"] == "ready" for d in used) and all(d.get("paper") in (None, "ready", "paper_low") for d in used)
    return Outcome({"ok": ok, "devices": devices, "speech_model": tel.speech_model, "disk_free_mb": tel.disk_free_mb,
                    "outbox_pending": tel.outbox_pending})


def print_test(ctx: CommandContext, args: dict[str, Any]) -> Outcome:
    """Print the test receipt on the terminal's printer."""
    printer = ctx.printer()
    if printer is None:
        raise CommandError("no_device", "this terminal has no printer")
    try:
        printer.print_receipt(test_receipt(ctx.kiosk_config, printed_at=ctx.now()))
    except Exception as exc:  # noqa: BLE001 — the printer's fault is the answer
        raise CommandError("failed", f"print failed: {type(exc).__name__}: {mask_text(str(exc))}") from exc
    status = printer.status().value
    return Outcome({"printed": True, "status": status})


def restart_app(ctx: CommandContext, args: dict[str, Any]) -> Outcome:
    """Restart the kiosk app (after the reply has gone out)."""
    if ctx.restart is None:
        raise CommandError("unsupported", "restart is not available on this terminal")
    return Outcome({"restarting": True}, after=ctx.restart)


def get_logs(ctx: CommandContext, args: dict[str, Any]) -> Outcome:
    """The last N lines of the kiosk's log, masked again on the way out."""
    n = _int_arg(args, "lines", 200, 1, 5000)
    path = ctx.log_file
    if not path.is_file():
        return Outcome({"lines": [], "path": "logs/kiosk.log"})
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = [mask_text(line.rstrip("\n")) for line in deque(f, maxlen=n)]
    return Outcome({"lines": lines, "path": "logs/kiosk.log"})


def screenshot(ctx: CommandContext, args: dict[str, Any]) -> Outcome:
    """A PNG of the current screen (rendered on the UI thread by the app)."""
    if ctx.screenshot is None:
        raise CommandError("unsupported", "no screen to capture on this terminal")
    png = ctx.screenshot()
    if not png:
        raise CommandError("failed", "the screen could not be captured in time")
    return Outcome({"png_base64": base64.b64encode(png).decode(), "bytes": len(png)})


def set_volume(ctx: CommandContext, args: dict[str, Any]) -> Outcome:
    """Set the speaker's output level (0–100) now and keep it for the next start;
    reported in telemetry. ``applied`` is false when the terminal's speaker cannot take
    a level (none configured): the level is kept for when it has one."""
    level = _int_arg(args, "level", -1, 0, 100)
    applied = ctx.set_volume(level)
    return Outcome({"volume": level, "applied": applied})


def set_config(ctx: CommandContext, args: dict[str, Any]) -> Outcome:
    """Validate configuration now; apply it at the next idle moment (like desired)."""
    config = args.get("config")
    if not isinstance(config, dict):
        raise CommandError("bad_request", "config: an object of sections to set")
    version = args.get("version", ctx.config_version() + 1)
    if not isinstance(version, int) or version < 1:
        raise CommandError("bad_request", "version: a positive integer")
    state = ctx.offer_config(version, config)
    if state.state == "rejected":
        raise CommandError("rejected", state.error or "invalid configuration")
    return Outcome(state.model_dump(mode="json", exclude_none=True))


HANDLERS: dict[str, Callable[[CommandContext, dict[str, Any]], Outcome]] = {
    "ping": ping,
    "self_test": self_test,
    "print_test": print_test,
    "restart_app": restart_app,
    "get_logs": get_logs,
    "screenshot": screenshot,
    "set_volume": set_volume,
    "set_config": set_config,
}

# Commands that may block (devices, the UI thread, restarts, a configuration being
# applied) run on the agent's pool; the others are answered at once where they arrive
# (paho's network thread, or the loop that drives the agent).
SLOW = frozenset({"self_test", "print_test", "screenshot", "restart_app", "set_config"})
