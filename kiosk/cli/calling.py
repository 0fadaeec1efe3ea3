"""``kiosk display``, ``kiosk console``, ``kiosk announce``: calling tickets at the windows.

All three work on the terminal's shared queue beside the app and ``kiosk queue``
commands; none of them changes the queue except through ``kiosk.queue``.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from screens.pilot import Pilot  # annotations only: the screens load after Kivy is configured

import argparse
import asyncio
import logging
import os
import sys
import threading
from pathlib import Path

from kiosk.announce import ANNOUNCE_KEY, Announcer, CallAnnounced, CallAnnouncements
from kiosk.bootstrap import build_terminal
from kiosk.cli.common import config_of, print_json
from kiosk.cli.run import parse_size
from kiosk.ports import DeviceKind, Speaker

log = logging.getLogger(__name__)
PIN_ENV = "KIOSK_CONSOLE_PIN"


def parse_host_port(text: str) -> tuple[str, int]:
    """``"127.0.0.1:8088"`` → ("127.0.0.1", 8088)."""
    host, _, port = text.rpartition(":")
    try:
        return host or "127.0.0.1", int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, not {text!r}") from None


def parse_windows(text: str) -> list[int]:
    """``"1,2,3"`` → [1, 2, 3]."""
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected window numbers like 1,2,3, not {text!r}") from None


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``kiosk display``, ``kiosk console`` and ``kiosk announce``."""
    d = sub.add_parser("display", parents=[common], help="the calling display (a TV in the waiting room)")
    d.add_argument("--size", type=parse_size, default=(1920, 1080), metavar="WxH")
    d.add_argument("--fullscreen", action="store_true")
    d.add_argument("--windows", type=parse_windows, default=None, metavar="1,2,3", help="windows shown even when idle (default: calling.windows)")
    d.add_argument("--notice", default=None, help="a notice that scrolls along the bottom (default: calling.notice)")
    d.add_argument("--lang", choices=("zh_CN", "en"), default=None)
    d.add_argument("--speaker", metavar="URL", default=None, help="announce calls here (default: the configured speaker)")
    d.add_argument("--no-announce", action="store_true", help="show calls without saying them")
    d.add_argument("--screenshot", type=Path, metavar="F.png", help="render offscreen once, save, and exit")
    d.set_defaults(handler=run_display)

    c = sub.add_parser("console", parents=[common], help="serve the window console (a web page for staff)")
    c.add_argument("--http", type=parse_host_port, default=None, metavar="HOST:PORT", help="where to serve (default: calling.console_http)")
    c.add_argument("--pin-env", default=PIN_ENV, metavar="VAR", help=f"environment variable holding the site PIN (default {PIN_ENV})")
    c.add_argument("--no-pin", action="store_true", help="serve without a PIN (anyone on the network can call tickets)")
    c.set_defaults(handler=run_console)

    a = sub.add_parser("announce", parents=[common], help="announce calls on the speaker (no display)")
    a.add_argument("--speaker", metavar="URL", default=None)
    a.add_argument("--seconds", type=float, default=None, help="stop after this long (default: run until stopped)")
    a.add_argument("--json", action="store_true", help="print each call as JSON")
    a.set_defaults(handler=run_announcer)


def _open_speaker(url: str, data_dir: Path, clock: object) -> Speaker | None:
    """Create and open the speaker at ``url``; None (logged) when it cannot be."""
    from devices.registry import DeviceContext, open_device  # deferred: drivers load only when this command runs

    try:
        speaker = open_device(DeviceKind.SPEAKER, url, DeviceContext(data_dir=data_dir, clock=clock))  # type: ignore[arg-type]
        speaker.open()
    except Exception as exc:  # noqa: BLE001 — the display still shows every call
        log.error("speaker %s could not be opened: %s", url, exc)
        return None
    return speaker  # type: ignore[return-value]


def run_display(args: argparse.Namespace) -> int:
    """Run the calling display (or render it once with --screenshot)."""
    config, data_dir = config_of(args)
    if args.lang:
        config = config.model_copy(update={"language": args.lang})
    from screens.env import prepare_kivy  # deferred: Kivy loads only after prepare_kivy has configured it

    prepare_kivy(*args.size, fullscreen=args.fullscreen, offscreen=True if args.screenshot else None)
    from screens.display_app import DisplayApp  # deferred: Kivy loads only after prepare_kivy has configured it

    terminal = build_terminal(config, data_dir, with_devices=False)
    url = args.speaker or config.devices.speaker
    speaker = None if (args.no_announce or args.screenshot or not url) else _open_speaker(url, data_dir, terminal.clock)
    windows = list(config.calling.windows) if args.windows is None else args.windows
    notice = config.calling.notice if args.notice is None else args.notice
    app = DisplayApp(terminal, speaker, windows=windows, notice=notice)
    try:
        if args.screenshot:
            from screens.pilot import run_script  # deferred: Kivy loads only after prepare_kivy has configured it

            out = args.screenshot.resolve()

            def script(p: Pilot) -> Generator[float, None, None]:
                yield 1.0
                p.screenshot(out)

            run_script(app, script)
            print(out)
        else:
            app.run()
    finally:
        if speaker is not None:
            speaker.close()
    return 0


def run_console(args: argparse.Namespace) -> int:
    """Serve the window console until interrupted."""
    pin = os.environ.get(args.pin_env) or None
    if pin is None and not args.no_pin:
        # Without a PIN anyone who can reach the port calls and skips tickets: that must
        # be a decision, not a forgotten variable.
        print(f"kiosk console: no site PIN: set ${args.pin_env} (e.g. {args.pin_env}=4321 kiosk console), "
              "or pass --no-pin to serve without one", file=sys.stderr)
        return 2
    config, data_dir = config_of(args)
    terminal = build_terminal(config, data_dir, with_devices=False)
    host, port = args.http or parse_host_port(config.calling.console_http)
    from fleet.window_console.server import serve  # deferred: only when this command runs (paho, aiohttp)

    def ready(bound: int) -> None:
        # One line on stdout: where to open it (tests and scripts read the port here).
        print(f"http://{host}:{bound}/", flush=True)

    asyncio.run(serve(terminal, host, port, pin, ready))
    return 0


def run_announcer(args: argparse.Namespace) -> int:
    """Say every call made on the queue, twice, until stopped."""

    config, data_dir = config_of(args)
    terminal = build_terminal(config, data_dir, with_devices=False)
    url = args.speaker or config.devices.speaker
    speaker = _open_speaker(url, data_dir, terminal.clock) if url else None
    if speaker is None:
        print("kiosk: no speaker to announce on", flush=True)
        return 3
    tr = terminal.translator
    announcer = Announcer(speaker, config.language, tr.t(ANNOUNCE_KEY) if tr.has(ANNOUNCE_KEY) else None)

    def said(call: CallAnnounced, text: str) -> None:
        if args.json:
            print_json({"number": call.number, "window": call.window, "recall": call.recall, "text": text})

    announcements = CallAnnouncements(terminal.open_queue, announcer, on_call=said)
    # Calls made from now on are said (the queue as it is counts as said).
    announcements.start()
    print(f"announcing calls on {url}", file=sys.stderr, flush=True)
    try:
        threading.Event().wait(args.seconds)  # None: until interrupted
        announcements.stop()
        # Let what was queued be said before the speaker is closed.
        wait_idle = getattr(speaker, "wait_idle", None)
        if callable(wait_idle):
            wait_idle(timeout=60)
    finally:
        speaker.close()
    return 0
