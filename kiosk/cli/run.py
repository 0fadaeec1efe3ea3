"""``kiosk run``: start the touch-screen app."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import threading
from pathlib import Path

from kiosk.bootstrap import build_terminal
from kiosk.cli.common import data_dir_of
from kiosk.logs import setup_logging
from kiosk.memory import tune_allocator
from kiosk.startconfig import last_good_path, mark_started, start_config

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
    p.add_argument("--kiosk", action="store_true", help="locked down for a terminal (full screen, no cursor, no way out)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the app until its window closes."""
    data_dir = data_dir_of(args)
    # A kiosk.toml that fails falls back to the last one that started (and says so):
    # a terminal must never need a visit because of its configuration.
    start = start_config(getattr(args, "config", None), data_dir)
    config = start.config
    log_file = setup_logging(data_dir)
    tune_allocator()  # before Kivy and the GL driver allocate anything (kiosk/memory.py)
    if start.fallback:
        log.error("configuration failed, running on the last good one: %s", start.fallback)
        print(f"kiosk: {start.fallback}\nkiosk: started from {last_good_path(start.path)}", file=sys.stderr)
    from screens.env import has_display, prepare_kivy  # deferred: Kivy loads only after prepare_kivy has configured it

    offscreen = not has_display()
    prepare_kivy(*args.size, fullscreen=args.fullscreen or args.kiosk, offscreen=offscreen)
    # The features load once the attract screen is drawn (KioskApp.ensure_features).
    terminal = build_terminal(config, data_dir, simulate=args.simulate, defer_features=True)
    from kivy.clock import Clock  # deferred: Kivy loads only after prepare_kivy has configured it
    from kivy.core.window import Window  # deferred: Kivy loads only after prepare_kivy has configured it

    from screens.app import KioskApp  # deferred: Kivy loads only after prepare_kivy has configured it

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
            from screens.pilot import Pilot  # deferred: Kivy loads only after prepare_kivy has configured it

            Pilot(app).screenshot(live)

        Clock.schedule_interval(save, LIVE_SHOT_S)

    restarting = threading.Event()

    def restart_now() -> None:
        # Stop the app on its own thread, then exec anew.
        restarting.set()
        Clock.schedule_once(lambda _dt: app.stop(), 0)

    # Watchdog, restart journal, screen timetable, nightly restart (docs/terminal.md).
    from screens.session import SessionKeeper  # deferred: Kivy loads only after prepare_kivy has configured it

    keeper = SessionKeeper(app, data_dir, restart_now, lockdown=args.kiosk)
    keeper.start()

    def restart() -> None:
        # From the fleet agent's worker: the centre's restart command.
        Clock.schedule_once(lambda _dt: keeper.restart_for("command", "restart_app from the centre"), 0)

    # After the first frame the configuration has started: keep it as the last good one.
    Clock.schedule_once(lambda _dt: mark_started(start), 0)
    config_file = start.path
    agents: list[object] = []

    def start_fleet() -> None:
        # After the first frame, on a worker: the MQTT client's imports and connection
        # never delay the attract screen.
        from fleet.agent import Agent, start_agent  # deferred: only when this command runs (paho, aiohttp)

        agent = start_agent(terminal, screenshot=lambda: screen_png(app), restart=restart, config_path=config_file,
                            config_fallback=start.fallback)
        agents.append(agent)
        from fleet.update.service import start_for_agent  # deferred: only when this command runs (paho, aiohttp)

        updater = start_for_agent(agent, config.update, restart) if isinstance(agent, Agent) else None
        if updater is not None:
            agents.append(updater)

    if config.fleet.enabled:
        Clock.schedule_once(lambda _dt: threading.Thread(target=start_fleet, name="fleet-start", daemon=True).start(), 1.0)
    try:
        app.run()
    except KeyboardInterrupt:
        pass
    finally:
        keeper.stopped()
        for agent in agents:
            agent.close()  # type: ignore[attr-defined]
        terminal.close()
        # Full screen, closing the window resizes it: the app's size-bound rules must
        # not run any more with the app gone (they would raise inside Window.close) —
        # neither the app's own nor the kv rules of the screens, which follow the
        # window's size through the widget tree: the tree leaves the window first.
        Window.unbind(on_resize=app._on_resize)
        for widget in list(Window.children):
            Window.remove_widget(widget)
        Window.close()
    if restarting.is_set():
        log.warning("restarting")
        # orig_argv: the command line as given, so `python -m kiosk.cli run` comes back
        # as a module too (argv[0] alone would run kiosk/cli/__main__.py as a script).
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
    # Everything is recorded, saved and closed, and no other thread is left. What would
    # remain is the interpreter taking every module and the GL driver apart (half a
    # second and more on a small board) while systemd waits to start the next run and
    # the screen stays dark: the process ends here instead.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def screen_png(app: object, timeout_s: float = 5.0) -> bytes | None:
    """PNG of the screen shown now, taken on the UI thread (callable from any thread)."""
    from kivy.clock import Clock  # deferred: Kivy loads only after prepare_kivy has configured it

    from screens.pilot import Pilot  # deferred: Kivy loads only after prepare_kivy has configured it

    done = threading.Event()
    result: list[bytes] = []

    def shoot(_dt: float) -> None:
        try:
            with tempfile.TemporaryDirectory() as tmp:
                out = Pilot(app).screenshot(Path(tmp) / "screen.png")
                result.append(out.read_bytes())
        finally:
            done.set()

    Clock.schedule_once(shoot, 0)
    return result[0] if done.wait(timeout_s) and result else None
