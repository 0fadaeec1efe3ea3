"""Calling tickets aloud: the announcement for a call, who says it, and how calls are noticed.

Calls are made by any process that shares the queue (the window console, ``kiosk queue
call``, a second console on another tablet). The process that owns the waiting room's
speaker and screen does not hear of them directly: a ``CallWatcher`` reads the queue and
turns what changed into ``CallAnnounced`` values — a new call, or a recall — and an
``Announcer`` says each one twice on the speaker, one call after another.

Numbers are read digit by digit, as queue callers do ("请B零零七号到2号窗口办理"), so
"B007" is never heard as "B seven".
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Sequence

from kiosk.ports import Speaker
from kiosk.queue import QueueService
from kiosk.tickets import Ticket, spoken_number

log = logging.getLogger(__name__)

# How many times each call is said: once is easily missed in a noisy waiting room.
REPEATS = 2

# The announcement per language, used when the translation catalogue has no
# ``calling.announce`` entry (a speaker must never say a catalogue key aloud).
DEFAULT_TEMPLATES = {
    "zh_CN": "请{number}到{window}号窗口办理",
    "en": "Number {number}, please go to window {window}",
}
ANNOUNCE_KEY = "calling.announce"


@dataclass(frozen=True)
class CallAnnounced:
    """A ticket was called (or called again) to a window: say it and show it."""

    number: str
    window: int
    service: str
    recall: bool = False


def announcement_text(number: str, window: int, language: str = "zh_CN", template: str | None = None) -> str:
    """What the speaker says for a call: ``B007`` to window 2 → ``请B零零七号到2号窗口办理``."""
    tmpl = template or DEFAULT_TEMPLATES.get(language, DEFAULT_TEMPLATES["zh_CN"])
    return tmpl.format(number=spoken_number(number, language), window=window)


class Announcer:
    """Says each call ``repeats`` times on a speaker; calls never interleave or overlap.

    The speaker queues what it is given and speaks one text at a time; the lock here
    makes a call's repeats go into that queue together, so two windows calling at once
    are heard "A, A, B, B" and never "A, B, A, B". Nothing is ever said with
    ``interrupt``: a call cut short is a person who misses their turn.
    """

    def __init__(self, speaker: Speaker, language: str = "zh_CN", template: str | None = None, repeats: int = REPEATS) -> None:
        self._speaker = speaker
        self._language = language
        self._template = template
        self._repeats = repeats
        self._lock = threading.Lock()

    def text_for(self, call: CallAnnounced) -> str:
        """The words for ``call``."""
        return announcement_text(call.number, call.window, self._language, self._template)

    def announce(self, call: CallAnnounced) -> str:
        """Queue ``call`` on the speaker (``repeats`` times); returns the text said."""
        text = self.text_for(call)
        with self._lock:
            for _ in range(self._repeats):
                self._speaker.say(text, interrupt=False)
        log.info("announced %s to window %d%s", call.number, call.window, " (recall)" if call.recall else "")
        return text


@dataclass(frozen=True)
class _Seen:
    called_at: datetime | None
    window: int | None
    recalls: int


def diff_calls(before: dict[int, _Seen], tickets: Sequence[Ticket]) -> tuple[list[CallAnnounced], dict[int, _Seen]]:
    """The calls between two looks at the queue: a ticket called since (or called
    again after a transfer) is a call; more recalls than before is a recall. Pure."""
    calls: list[CallAnnounced] = []
    after: dict[int, _Seen] = {}
    for t in tickets:
        seen = _Seen(t.called_at, t.window, t.recalls)
        after[t.ticket_id] = seen
        if t.window is None:
            continue
        old = before.get(t.ticket_id)
        if old is None or old.called_at != t.called_at or old.window != t.window:
            calls.append(CallAnnounced(t.number, t.window, t.service))
        elif t.recalls > old.recalls:
            # Several recalls between two looks are said once: repeating a number
            # four times in a row helps no one.
            calls.append(CallAnnounced(t.number, t.window, t.service, recall=True))
    return calls, after


class CallWatcher:
    """Follows the calls made on a queue by any process, by reading the queue.

    ``poll`` is cheap (one indexed query of today's called tickets) and is meant to be
    called every half second or so from one thread. Calls made before the watcher
    started are not announced: a display that restarts must not call the morning again.
    """

    def __init__(self, queue: QueueService) -> None:
        self._queue = queue
        self._seen: dict[int, _Seen] = {}
        self.prime()

    def prime(self) -> None:
        """Take the queue as it is now as already announced."""
        _, self._seen = diff_calls({}, self._queue.called_today())

    def poll(self) -> list[CallAnnounced]:
        """The calls and recalls made since the last poll, in call order."""
        calls, self._seen = diff_calls(self._seen, self._queue.called_today())
        return calls


class CallAnnouncements:
    """Says every call made on the queue, by any process, on its own worker.

    ``open_queue`` gives the worker a queue on its own SQLite connection (a connection
    is not shared between threads); ``on_call`` hears of each call said.
    """

    def __init__(
        self,
        open_queue: Callable[[], QueueService],
        announcer: Announcer,
        period_s: float = 0.5,
        on_call: Callable[[CallAnnounced, str], None] | None = None,
    ) -> None:
        self._open_queue = open_queue
        self._announcer = announcer
        self._period = period_s
        self._on_call = on_call
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._primed = threading.Event()

    def start(self) -> None:
        """Start following; returns once the queue as it is has been taken as said."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="call-announcements", daemon=True)
        self._thread.start()
        self._primed.wait(10)

    def stop(self) -> None:
        """Stop following (what is already queued on the speaker is still said)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        watcher = CallWatcher(self._open_queue())
        self._primed.set()
        while not self._stop.wait(self._period):
            try:
                calls = watcher.poll()
            except Exception:  # noqa: BLE001 — a locked or busy store: try again next time
                log.exception("could not read the queue for announcements")
                continue
            for call in calls:
                text = self._announcer.announce(call)
                if self._on_call is not None:
                    self._on_call(call, text)


@dataclass(frozen=True)
class WindowShown:
    """One window on the calling display: the number it serves now, if any."""

    window: int
    number: str | None = None
    service: str | None = None


@dataclass(frozen=True)
class DisplaySnapshot:
    """What the calling display shows: every window, the next few, how many wait."""

    windows: tuple[WindowShown, ...]
    upcoming: tuple[str, ...]
    waiting_count: int
    priority_upcoming: frozenset[str] = frozenset()


def display_snapshot(queue: QueueService, windows: Sequence[int] = (), upcoming: int = 6) -> DisplaySnapshot:
    """Read the queue for the display. Windows shown: those in ``windows`` (the site's
    windows, shown even when idle) and every window that called a ticket today."""
    serving = queue.serving()
    called = {t.window for t in queue.called_today() if t.window is not None}
    shown = sorted(set(windows) | set(serving) | called)
    next_up = queue.upcoming(None, upcoming)
    return DisplaySnapshot(
        windows=tuple(
            WindowShown(w, serving[w].number, serving[w].service) if w in serving else WindowShown(w) for w in shown
        ),
        upcoming=tuple(t.number for t in next_up),
        waiting_count=len(queue.waiting()),
        priority_upcoming=frozenset(t.number for t in next_up if t.priority.is_priority),
    )
