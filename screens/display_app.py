"""The calling display's app: one window on a TV, fed by a worker that follows the queue.

The worker polls the shared queue (any process may call: the console, ``kiosk queue
call``), announces each new call on the speaker and hands a snapshot to the UI through
the one bridge (``UiBridge``). The UI thread never touches SQLite or the speaker.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Sequence

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import NumericProperty, StringProperty

from kiosk.announce import ANNOUNCE_KEY, Announcer, CallAnnounced, CallWatcher, DisplaySnapshot, display_snapshot
from kiosk.events import Event
from kiosk.ports import Speaker
from kiosk.terminal import Terminal
from screens import theme
from screens.bridge import UiBridge
from screens.display import CallingDisplay

log = logging.getLogger(__name__)

POLL_S = 0.5  # a call shows and is heard within half a second of being made


@dataclass(frozen=True)
class DisplayUpdate(Event):
    """What the worker hands the UI: the queue as it stands, or a call just made."""

    item: DisplaySnapshot | CallAnnounced


class DisplayApp(App):
    """The waiting room's calling display for one terminal's queue."""

    lang = StringProperty("zh_CN")
    scale = NumericProperty(1.0)

    def __init__(
        self,
        terminal: Terminal,
        speaker: Speaker | None = None,
        *,
        windows: Sequence[int] = (),
        notice: str = "",
        upcoming: int = 6,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)
        self.terminal = terminal
        self.lang = terminal.translator.language
        self.title = terminal.translator.t("display.title")
        self._windows = tuple(windows)
        self._notice = notice
        self._upcoming = upcoming
        tr = terminal.translator
        template = tr.t(ANNOUNCE_KEY) if tr.has(ANNOUNCE_KEY) else None
        self.announcer = Announcer(speaker, self.lang, template) if speaker is not None else None
        self._stopping = threading.Event()
        self._worker: threading.Thread | None = None
        self._bridge: UiBridge | None = None
        self.view: CallingDisplay | None = None
        self.calls_shown: list[str] = []  # numbers shown as called, oldest first (for tests)

    def load_kv(self, filename: str | None = None) -> bool:
        """No automatic kv: Kivy would load ``display.kv`` a second time by this class's
        name; ``screens.display`` loads it once, with its widgets."""
        return False

    # --- what kv uses ---------------------------------------------------------------------

    def tr(self, key: str, *_deps: object, **values: object) -> str:
        """A UI text; kv passes ``app.lang`` so the text follows the language."""
        return self.terminal.translator.t(key, None, **values)  # None: the display's language

    def service_name(self, code: str) -> str:
        """A service's name in the display's language."""
        return self.terminal.catalog.get(code).name.get(self.lang)

    # --- lifecycle ------------------------------------------------------------------------

    def build(self) -> CallingDisplay:
        """The display's root, and the worker that feeds it."""
        Window.clearcolor = theme.BACKGROUND
        self.scale = theme.scale_for(*Window.size)
        Window.bind(size=lambda _w, size: setattr(self, "scale", theme.scale_for(*size)))
        config = self.terminal.config
        self.view = CallingDisplay(site=config.site_name if self.lang == "zh_CN" else (config.site_name_en or config.site_name), notice=self._notice)
        self._bridge = UiBridge(self._on_update)
        # The first snapshot is read here so the first frame already shows the queue.
        self.view.show(display_snapshot(self.terminal.queue, self._windows, self._upcoming), self)
        Clock.schedule_interval(self._tick_clock, 1.0)
        self._tick_clock(0)
        self._worker = threading.Thread(target=self._follow, name="display-follow", daemon=True)
        self._worker.start()
        return self.view

    def on_stop(self) -> None:
        """Stop the worker."""
        self._stopping.set()
        if self._worker is not None:
            self._worker.join(timeout=2)

    # --- worker ---------------------------------------------------------------------------

    def _follow(self) -> None:
        watcher = CallWatcher(self.terminal.queue)
        while not self._stopping.wait(POLL_S):
            try:
                calls = watcher.poll()
                for call in calls:
                    if self.announcer is not None:
                        self.announcer.announce(call)
                snap = display_snapshot(self.terminal.queue, self._windows, self._upcoming)
            except Exception:  # noqa: BLE001 — a bad read must not stop the display
                log.exception("reading the queue failed; retrying")
                continue
            assert self._bridge is not None
            self._bridge.post(DisplayUpdate(snap))
            for call in calls:
                self._bridge.post(DisplayUpdate(call))

    # --- UI thread ------------------------------------------------------------------------

    def _on_update(self, event: Event) -> None:
        assert self.view is not None
        item = event.item if isinstance(event, DisplayUpdate) else None
        if isinstance(item, DisplaySnapshot):
            self.view.show(item, self)
        elif isinstance(item, CallAnnounced):
            self.view.called(item, self)
            self.calls_shown.append(item.number)

    def _tick_clock(self, _dt: float) -> None:
        assert self.view is not None
        self.view.clock_text = self.terminal.clock.now().strftime("%H:%M")
