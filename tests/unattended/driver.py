"""``kiosk run`` exactly as a terminal runs it, with one disturbance a test asks for
through the environment (this file is run as a script by tests/unattended):

- ``TEST_BLOCK_UI_AFTER_S`` / ``TEST_BLOCK_UI_FOR_S``: block Kivy's UI thread for a
  while (what a hung driver call would do), the process and its threads staying alive;
- ``TEST_TAP_AFTER_S``: touch the middle of the screen like a person, then write the
  screen shown a second later to ``DATA/tap.json``;
- ``TEST_ESCAPE_AFTER_S``: press Escape, then ask the window to close as Alt+F4 or the
  compositor would (and stop the app the way Kivy's window loop does when nothing
  refuses); the outcome goes to ``DATA/close.json``;
- ``TEST_SIGTERM_AT_SCREEN``: once the app has built this many screens (it builds the
  rest one per frame after the first), the process gets SIGTERM from systemd — what a
  stop during start-up on a slow board looks like, at a moment the test chooses;
- ``TEST_FROZEN_AFTER_S``: judge the attract screen frozen after this many seconds
  without change (the product's minimum is two minutes, too long for a test).
"""

from __future__ import annotations

import os
import sys
import time

import screens.env
from kiosk.cli import main

_prepare = screens.env.prepare_kivy


def prepare_and_disturb(*args: object, **kwargs: object) -> None:
    """Prepare Kivy as usual, then arm the disturbance (Kivy may be imported now)."""
    _prepare(*args, **kwargs)  # type: ignore[arg-type]
    from kivy.clock import Clock

    block_after = os.environ.get("TEST_BLOCK_UI_AFTER_S")
    if block_after:
        block_for = float(os.environ.get("TEST_BLOCK_UI_FOR_S", "8"))
        Clock.schedule_once(lambda _dt: time.sleep(block_for), float(block_after))
    tap_after = os.environ.get("TEST_TAP_AFTER_S")
    if tap_after:
        Clock.schedule_once(_tap, float(tap_after))
    escape_after = os.environ.get("TEST_ESCAPE_AFTER_S")
    if escape_after:
        Clock.schedule_once(_escape_and_close, float(escape_after))
    sigterm_at = os.environ.get("TEST_SIGTERM_AT_SCREEN")
    if sigterm_at:
        _sigterm_at_screen(int(sigterm_at))
    frozen_after = os.environ.get("TEST_FROZEN_AFTER_S")
    if frozen_after:
        import screens.session

        init = screens.session.SessionKeeper.__init__

        def init_sooner(self: object, *a: object, **k: object) -> None:
            k["frozen_after_s"] = float(frozen_after)
            init(self, *a, **k)  # type: ignore[arg-type]

        screens.session.SessionKeeper.__init__ = init_sooner  # type: ignore[method-assign]


def _sigterm_at_screen(count: int) -> None:
    import signal

    import screens.app  # deferred: the app's modules import Kivy, prepared only now
    from screens.base import KioskScreen

    build = screens.app.KioskApp.root_screen

    def build_then_stop(self: screens.app.KioskApp, name: str) -> KioskScreen:
        screen = build(self, name)
        if len(self.sm.screen_names) == count:
            os.kill(os.getpid(), signal.SIGTERM)
        return screen

    screens.app.KioskApp.root_screen = build_then_stop  # type: ignore[method-assign]


def _tap(_dt: float) -> None:
    import json
    from pathlib import Path

    from kivy.app import App
    from kivy.clock import Clock
    from kivy.core.window import Window

    from screens.pilot import Pilot

    app = App.get_running_app()
    Pilot(app).tap_at(Window.width / 2, Window.height / 2)

    def report(_dt: float) -> None:
        Path(os.environ["KIOSK_DATA_DIR"], "tap.json").write_text(json.dumps({"screen": app.sm.current}))

    Clock.schedule_once(report, 1.0)


def _escape_and_close(_dt: float) -> None:
    import json
    from pathlib import Path

    from kivy.app import App
    from kivy.core.window import Window

    Window.dispatch("on_key_down", 27, 41, None, [])
    Window.dispatch("on_keyboard", 27, 41, None, [])
    refused = bool(Window.dispatch("on_request_close"))
    Path(os.environ["KIOSK_DATA_DIR"], "close.json").write_text(json.dumps({"refused": refused}))
    if not refused:
        App.get_running_app().stop()


screens.env.prepare_kivy = prepare_and_disturb
sys.exit(main(sys.argv[1:]))
