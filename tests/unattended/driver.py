"""``kiosk run`` exactly as a terminal runs it, with one disturbance a test asks for
through the environment (this file is run as a script by tests/unattended), the times
counted from the first frame (a loaded machine may take seconds to get there):

- ``TEST_BLOCK_UI_AFTER_S`` / ``TEST_BLOCK_UI_FOR_S``: block Kivy's UI thread for a
  while (what a hung driver call would do), the process and its threads staying alive;
- ``TEST_TAP_AFTER_S``: touch the middle of the screen like a person, then write the
  screen shown a second later to ``DATA/tap.json``;
- ``TEST_TAP_BEFORE_FEATURES``: the features load three seconds late (as on a board
  that is slow to come back to them), and a person touches the screen the moment the
  attract screen is drawn; ``DATA/tap.json`` says whether they were loaded then;
- ``TEST_ESCAPE_AFTER_S``: press Escape, then ask the window to close as Alt+F4 or the
  compositor would (and stop the app the way Kivy's window loop does when nothing
  refuses); the outcome goes to ``DATA/close.json``;
- ``TEST_SIGTERM_AT_SCREEN``: once the app has built this many screens (it builds the
  rest one per frame after the first), the process gets SIGTERM from systemd — what a
  stop during start-up on a slow board looks like, at a moment the test chooses;
- ``TEST_FROZEN_AFTER_S``: judge the attract screen frozen after this many seconds
  without change (the product's minimum is two minutes, too long for a test);
- ``TEST_MEMORY_MIN_RUN_S``: a run may be restarted for its memory after this many
  seconds (the product waits half an hour).
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

    def after_first_frame(fn: object, seconds: float) -> None:
        def check(_dt: float) -> None:
            if Clock.frames_displayed < 1:
                Clock.schedule_once(check, 0)
            else:
                Clock.schedule_once(fn, seconds)

        Clock.schedule_once(check, 0)

    block_after = os.environ.get("TEST_BLOCK_UI_AFTER_S")
    if block_after:
        block_for = float(os.environ.get("TEST_BLOCK_UI_FOR_S", "8"))
        after_first_frame(lambda _dt: time.sleep(block_for), float(block_after))
    tap_after = os.environ.get("TEST_TAP_AFTER_S")
    if tap_after:
        after_first_frame(_tap, float(tap_after))
    if os.environ.get("TEST_TAP_BEFORE_FEATURES"):
        import screens.app

        later = screens.app.KioskApp._after_first_frame

        # Named as the method it replaces: Kivy's clock finds a bound method by its name.
        def _after_first_frame(self: object, _dt: float) -> None:
            Clock.schedule_once(lambda dt: later(self, dt), 3.0)  # type: ignore[arg-type]

        screens.app.KioskApp._after_first_frame = _after_first_frame  # type: ignore[method-assign]
        after_first_frame(_tap, 0.0)
    escape_after = os.environ.get("TEST_ESCAPE_AFTER_S")
    if escape_after:
        after_first_frame(_escape_and_close, float(escape_after))
    sigterm_at = os.environ.get("TEST_SIGTERM_AT_SCREEN")
    if sigterm_at:
        _sigterm_at_screen(int(sigterm_at))
    frozen_after = os.environ.get("TEST_FROZEN_AFTER_S")
    memory_after = os.environ.get("TEST_MEMORY_MIN_RUN_S")
    if frozen_after or memory_after:
        import screens.session

        init = screens.session.SessionKeeper.__init__

        def init_sooner(self: object, *a: object, **k: object) -> None:
            if frozen_after:
                k["frozen_after_s"] = float(frozen_after)
            if memory_after:
                k["memory_min_run_s"] = float(memory_after)
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
    pending = app.terminal.pending_features is not None
    Pilot(app).tap_at(Window.width / 2, Window.height / 2)

    def report(_dt: float) -> None:
        actions = [b.action for b in app.buttons_on_screen()]
        Path(os.environ["KIOSK_DATA_DIR"], "tap.json").write_text(
            json.dumps({"screen": app.sm.current, "features_pending_at_tap": pending, "actions": actions}))

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
