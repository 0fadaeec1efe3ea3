"""``kiosk run``: start the touch-screen app."""

from __future__ import annotations

import argparse
import logging
import sys

from kiosk.bootstrap import build_terminal
from kiosk.cli.common import config_of
from kiosk.logs import setup_logging

log = logging.getLogger(__name__)

LIVE_SHOT_S = 2.0  # offscreen: how often the current screen is saved to PNG


def parse_size(text: str) -> tuple[int, int]:
    """``"1920x1080"`` → (1920, 1080)."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1280x800, not {text!r}") from None
    if not (320 <= w <= 7680 and 320 <= h <= 7680):
        raise argparse.ArgumentTypeError("size out of range (320–7680 each way)")
    return w, h


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``kiosk run``."""
    p = sub.add_parser("run", parents=[common], help="start the kiosk app")
    p.add_argument("--simulate", action="store_true", help="use simulated devices for every device")
    p.add_argument("--fullscreen", action="store_true", help="fill the screen (kiosk hardware)")
    p.add_argument("--size", type=parse_size, default=(1280, 800), metavar="WxH", help="window size (default 1280x800)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the app until its window closes."""
    config, data_dir = config_of(args)
    log_file = setup_logging(data_dir)
    from screens.env import has_display, prepare_kivy

    offscreen = not has_display()
    prepare_kivy(*args.size, fullscreen=args.fullscreen, offscreen=offscreen)
    terminal = build_terminal(config, data_dir, simulate=args.simulate)
    from kivy.clock import Clock
    from kivy.core.window import Window

    from screens.app import KioskApp

    app = KioskApp(terminal)
    print(f"Legal Kiosk: terminal {config.terminal_id}, data in {data_dir}, log in {log_file}", file=sys.stderr)
    if offscreen:
        live = data_dir / "screenshots" / "screen.png"
        live.parent.mkdir(parents=True, exist_ok=True)
        print(
            f"No display: running offscreen. The current screen is saved every {LIVE_SHOT_S:.0f} s to {live}\n"
            f"(`kiosk screenshot SCREEN --out F.png` renders any screen). Stop with Ctrl-C.",
            file=sys.stderr,
        )

        def save(_dt: float) -> None:
            from screens.pilot import Pilot

            Pilot(app).screenshot(live)

        Clock.schedule_interval(save, LIVE_SHOT_S)
    try:
        app.run()
    except KeyboardInterrupt:
        pass
    finally:
        terminal.close()
        Window.close()
    return 0
