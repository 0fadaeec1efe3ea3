"""Running unattended: systemd's watchdog fed from the UI thread, the frozen-screen
watch, the restart journal, the screen's timetable and the kiosk lockdown.

Everything here runs on Kivy's clock, on purpose: ``WATCHDOG=1`` is sent only while the
UI thread turns, so a UI blocked by anything (a driver call, a deadlock) stops the pings
and systemd restarts the kiosk — a process that is merely alive is not enough.
"""

from __future__ import annotations

import logging
import signal
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.graphics import Color, Rectangle
from kivy.uix.widget import Widget

from kiosk.ports import DeviceKind, DeviceState
from kiosk.runjournal import RunJournal
from kiosk.schedule import nightly_restart_due, screen_on
from kiosk.sdnotify import notify, watchdog_interval_s
from kiosk.visit import VisitState
from kiosk.watchdog import FreezeWatch, resident_mb

if TYPE_CHECKING:
    from screens.app import KioskApp

log = logging.getLogger(__name__)

TICK_S = 5.0  # without a systemd watchdog: how often the schedule and the watch run
SERVING_POLL_S = 0.05  # after the first frame, until the devices have opened
ALIVE_S = 60.0
# A run restarted for its memory has lasted this long at least: a bound set below what
# the kiosk needs must not darken the screen again and again.
MEMORY_MIN_RUN_S = 1800.0  # how often run.json records that the run is healthy
BACKLIGHT_ROOT = Path("/sys/class/backlight")


def find_backlight(setting: str) -> Path | None:
    """The backlight to switch with the screen: the configured directory, the first
    under /sys/class/backlight, or None (``"none"``, or no backlight on this machine)."""
    if setting == "none":
        return None
    if setting:
        return Path(setting)
    found = sorted(BACKLIGHT_ROOT.glob("*")) if BACKLIGHT_ROOT.is_dir() else []
    return found[0] if found else None


class ScreenOff(Widget):
    """A black cover over everything while the screen is off; a touch on it wakes the
    screen and goes no further (the first touch at night must not start a visit)."""

    def __init__(self, on_touch: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_touch = on_touch
        with self.canvas:
            Color(0, 0, 0, 1)
            self._rect = Rectangle(pos=(0, 0), size=Window.size)
        Window.bind(size=self._fit)

    def _fit(self, _window: object, size: tuple[int, int]) -> None:
        self._rect.size = size

    def on_touch_down(self, touch: Any) -> bool:
        """Wake the screen; swallow the touch."""
        self._on_touch()
        return True

    def on_touch_move(self, touch: Any) -> bool:
        """Swallowed while off."""
        return True

    def on_touch_up(self, touch: Any) -> bool:
        """Swallowed while off."""
        return True


class SessionKeeper:
    """Attach to a ``KioskApp`` before ``run()``: readiness, watchdog, frozen-screen
    watch and journal always; with ``lockdown`` (``kiosk run --kiosk``, a terminal) also
    the screen timetable, the nightly restart and no way out of the app."""

    def __init__(
        self,
        app: "KioskApp",
        data_dir: Path,
        restart: Callable[[], None],
        *,
        lockdown: bool = False,
        frozen_after_s: float | None = None,
        memory_min_run_s: float = MEMORY_MIN_RUN_S,
        environ: dict[str, str] | None = None,
    ) -> None:
        self.app = app
        self.terminal = app.terminal
        self.config = app.terminal.config
        self.journal = RunJournal(data_dir)
        self._restart = restart
        self.lockdown = lockdown
        self._env = environ
        sched = self.config.schedule
        self.memory_min_run_s = memory_min_run_s
        self.freeze = FreezeWatch(frozen_after_s if frozen_after_s is not None else sched.frozen_screen_minutes * 60.0)
        self.watchdog_s = watchdog_interval_s(environ)
        self.started_at: datetime | None = None
        self._started_m: float | None = None
        self.ready = False
        self.serving = False  # the devices have opened after the first frame
        self.frozen = False
        self.restarting = False
        self.backlight = find_backlight(sched.backlight)
        self.cover: ScreenOff | None = None
        self._awake_until = 0.0
        self._next_alive = 0.0

    def now(self) -> datetime:
        """The terminal's clock (local time, aware)."""
        return self.terminal.clock.now()

    def start(self) -> None:
        """Arm everything; call before ``app.run()``."""
        # Two ticks: the first runs before the first frame is drawn, the second after it.
        Clock.schedule_once(lambda _dt: Clock.schedule_once(self._on_first_frame, 0), 0)
        Clock.schedule_interval(self._tick, self.watchdog_s or TICK_S)
        self.terminal.flow.add_listener(lambda *_a: self.wake())
        self.app.activity_hooks.append(self.wake)
        Window.bind(on_touch_down=self._on_touch_down, on_touch_up=self._on_touch_up, on_key_down=lambda *_a: self.wake())
        # systemd stops the unit with SIGTERM. SDL would turn it into a close request,
        # which kiosk mode refuses: stop the app cleanly here instead (main thread).
        signal.signal(signal.SIGTERM, lambda *_a: Clock.schedule_once(lambda _dt: self.app.stop(), 0))
        if self.lockdown:
            # Alt+F4 and a compositor's close request must not end the kiosk; Escape is
            # already "back" (exit_on_escape = 0 in screens/env.py).
            Window.bind(on_request_close=lambda *_a, **_k: True)
            Window.show_cursor = False

    def _on_first_frame(self, _dt: float) -> None:
        if Clock.frames_displayed < 1:
            Clock.schedule_once(self._on_first_frame, 0)  # not drawn yet: ready only once seen
            return
        self.started_at = self.now()
        self._started_m = time.monotonic()
        try:
            self.journal.begin(self.started_at)
        except OSError as exc:
            # A full or read-only disk must not keep the kiosk from serving.
            log.error("cannot write the run journal in %s: %s", self.journal.data_dir, exc)
        self.ready = True
        notify(f"READY=1\nSTATUS=attract screen up (frame {Clock.frames_displayed})", self._env)
        self._tick(0)
        Clock.schedule_interval(self._serving, SERVING_POLL_S)

    def _serving(self, _dt: float) -> bool | None:
        # The attract screen comes first; the devices open behind it. Once they have,
        # say whether a card can be read: `systemctl status` shows it to a technician,
        # and the start-up bench times a restart to this moment, not only to the picture.
        if not self.terminal.devices_ready.is_set():
            return None
        reader = self.terminal.devices.get(DeviceKind.IDCARD)
        state = reader.health().state if reader is not None else DeviceState.ABSENT
        self.serving = True
        if state is DeviceState.READY:
            notify("STATUS=serving, ready for a card", self._env)
        else:
            notify(f"STATUS=serving, card reader {state.value}", self._env)
        return False

    def _tick(self, _dt: float) -> None:
        if not self.ready or self.restarting:
            return
        now_m = time.monotonic()
        now = self.now()
        flow = self.terminal.flow
        idle = flow.state is VisitState.ATTRACT and self.app.sm.current == "attract"
        if not self.frozen:
            attract = self.app.sm.get_screen("attract") if self.app.sm.has_screen("attract") else None
            shown = (attract.clock_text, attract.hours_text) if attract is not None else None
            if self.freeze.observe(idle, shown, now_m):
                self._frozen(now)
            else:
                notify("WATCHDOG=1", self._env)
        if now_m >= self._next_alive and not self.frozen:
            self._next_alive = now_m + ALIVE_S
            try:
                self.journal.alive(now)
            except OSError as exc:
                log.warning("cannot write the run journal: %s", exc)
        if not self.lockdown:
            return  # a developer's or a test's window: never dark, never restarted at night
        self._apply_screen(now, idle)
        if idle and self.started_at is not None and nightly_restart_due(self.config.schedule.nightly_restart, self.started_at, now):
            self.restart_for("nightly", f"nightly restart at {self.config.schedule.nightly_restart:%H:%M}")
        elif idle:
            self._check_memory()

    def _check_memory(self) -> None:
        # Weeks of running: whatever grows (a driver's heap, a leak not found yet) is
        # cut back by a restart while nobody is at the terminal, not by the kernel's
        # OOM killer in the middle of someone's visit.
        bound = self.config.schedule.memory_restart_mb
        if not bound or self._started_m is None or time.monotonic() - self._started_m < self.memory_min_run_s:
            return
        rss = resident_mb()
        if rss is not None and rss > bound:
            self.restart_for("memory", f"memory {rss:.0f} MB over the {bound} MB bound")

    def _frozen(self, now: datetime) -> None:
        self.frozen = True
        detail = f"attract screen unchanged for {self.freeze.unchanged_s(time.monotonic()):.0f} s"
        log.error("frozen screen: %s; stopping the watchdog pings", detail)
        self._end("frozen_screen", detail, now)
        notify(f"STATUS=frozen screen: {detail}", self._env)
        if self.watchdog_s is None:
            # No systemd watching (started by hand): restart ourselves.
            self.restart_for("frozen_screen", detail)

    def restart_for(self, reason: str, detail: str) -> None:
        """End this run for ``reason`` (recorded first) and start anew."""
        if self.restarting:
            return
        self.restarting = True
        self._end(reason, detail, self.now())
        log.warning("restarting: %s (%s)", reason, detail)
        notify(f"STOPPING=1\nSTATUS=restarting: {reason}", self._env)
        self._restart()

    # --- the screen's timetable ---------------------------------------------------------------

    def _on_touch_down(self, _window: object, _touch: object) -> bool:
        # While dark, the whole touch (down and up) is swallowed: the attract screen
        # starts a visit on touch-up, and a first touch at night must only light it.
        if self.cover is not None:
            return True
        self.wake()
        return False

    def _on_touch_up(self, _window: object, _touch: object) -> bool:
        if self.cover is not None:
            self.wake()
            return True
        return False

    def wake(self) -> None:
        """A touch, a key, a card, a voice: light the screen for a while (at night too)."""
        self._awake_until = time.monotonic() + self.config.schedule.wake_minutes * 60.0
        if self.cover is not None:
            self._set_screen(True)

    def _apply_screen(self, now: datetime, idle: bool) -> None:
        lit = screen_on(self.config.hours, self.config.schedule, now) or not idle or time.monotonic() < self._awake_until
        if lit != (self.cover is None):
            self._set_screen(lit)

    def _set_screen(self, lit: bool) -> None:
        if lit and self.cover is not None:
            Window.remove_widget(self.cover)
            self.cover = None
        elif not lit and self.cover is None:
            self.cover = ScreenOff(self.wake)
            Window.add_widget(self.cover)
        log.info("screen %s", "on" if lit else "off")
        self._write_backlight(lit)

    def _write_backlight(self, lit: bool) -> None:
        if self.backlight is None:
            return
        # bl_power: 0 on, 4 powered down (the kernel's FB_BLANK values).
        try:
            (self.backlight / "bl_power").write_text("0" if lit else "4")
        except OSError as exc:
            log.warning("cannot switch the backlight %s: %s", self.backlight, exc)
            self.backlight = None  # said once; the black screen stays

    def stopped(self) -> None:
        """The app's loop ended: record a plain stop unless a reason is already there."""
        self._end("stopped", "the app was closed", self.now())

    def _end(self, reason: str, detail: str, now: datetime) -> None:
        try:
            self.journal.end(reason, detail, now)
        except OSError as exc:
            log.warning("cannot record why the run ends (%s): %s", reason, exc)
