"""Announcements: the words, twice per call, calls never interleaved or overlapping,
recalls said again, and calls made by other processes followed."""

from __future__ import annotations

import threading
import time

import pytest

from devices.audio.sim import SimSpeaker
from kiosk.announce import Announcer, CallAnnounced, CallWatcher, announcement_text, display_snapshot
from kiosk.queue import QueueService
from kiosk.store import DB_FILENAME, connect
from kiosk.tickets import Priority


@pytest.mark.parametrize(
    "number,window,language,said",
    [
        ("B007", 2, "zh_CN", "请B零零七号到2号窗口办理"),
        ("A010", 1, "zh_CN", "请A零一零号到1号窗口办理"),
        ("C100", 12, "zh_CN", "请C一零零号到12号窗口办理"),
        ("B007", 2, "en", "Number B 0 0 7, please go to window 2"),
    ],
)
def test_announcement_text(number: str, window: int, language: str, said: str) -> None:
    assert announcement_text(number, window, language) == said


def test_a_catalogue_template_is_used_when_given() -> None:
    assert announcement_text("B007", 2, "zh_CN", "{number}，请到{window}号窗口") == "B零零七号，请到2号窗口"


class TimedSpeaker(SimSpeaker):
    """The simulated speaker, also noting when each utterance starts and ends."""

    def __init__(self) -> None:
        super().__init__("sim:", seconds_per_char=0.004)
        self.spans: list[tuple[str, float, float]] = []

    def _run(self) -> None:  # the sim's worker, timed
        while True:
            text = self._queue.get()
            if text is None:
                return
            start = time.monotonic()
            self._spoken.append(text)
            time.sleep(len(text) * self._per_char)
            self.spans.append((text, start, time.monotonic()))


def wait_spoken(speaker: SimSpeaker, n: int, timeout: float = 10.0) -> list[str]:
    end = time.monotonic() + timeout
    while len(speaker.spoken()) < n and time.monotonic() < end:
        time.sleep(0.01)
    return speaker.spoken()


def test_each_call_is_said_twice_and_calls_never_interleave_or_overlap() -> None:
    speaker = TimedSpeaker()
    speaker.open()
    try:
        announcer = Announcer(speaker)
        calls = [CallAnnounced(f"A{i:03d}", i % 4 + 1, "consultation") for i in range(1, 13)]
        # Four windows' calls arrive at once from four threads.
        threads = [threading.Thread(target=lambda c=c: announcer.announce(c)) for c in calls]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        spoken = wait_spoken(speaker, 24)
        time.sleep(0.2)
    finally:
        speaker.close()
    assert len(spoken) == 24
    pairs = [spoken[i : i + 2] for i in range(0, 24, 2)]
    assert all(a == b for a, b in pairs), "a call's two sayings were split by another call"
    assert sorted(p[0] for p in pairs) == sorted(announcement_text(c.number, c.window) for c in calls)
    spans = sorted(speaker.spans, key=lambda s: s[1])
    assert all(prev[2] <= nxt[1] for prev, nxt in zip(spans, spans[1:])), "two announcements overlapped"


def test_the_watcher_follows_calls_and_recalls_made_on_another_connection(terminal, data_dir, clock) -> None:  # type: ignore[no-untyped-def]
    q = terminal.queue
    q.take("consultation")
    q.take("legal_aid")
    q.take("legal_aid", Priority.ELDERLY)
    q.call_next(1, ["consultation"])  # before the display started: not announced again
    watcher = CallWatcher(q)
    assert watcher.poll() == []
    # A console in another process: its own connection to the same store.
    console = QueueService(connect(data_dir / DB_FILENAME), terminal.catalog, clock)
    clock.advance(minutes=1)
    console.call_next(2, ["legal_aid"])
    assert watcher.poll() == [CallAnnounced("B002", 2, "legal_aid")]
    assert watcher.poll() == []
    console.recall(2)
    assert watcher.poll() == [CallAnnounced("B002", 2, "legal_aid", recall=True)]
    clock.advance(minutes=1)
    console.call_next(2, ["legal_aid"])  # finishes B002, calls B001
    console.done(1)
    assert watcher.poll() == [CallAnnounced("B001", 2, "legal_aid")]
    snap = display_snapshot(q, windows=[1, 2, 3])
    assert [(w.window, w.number) for w in snap.windows] == [(1, None), (2, "B001"), (3, None)]
    assert snap.waiting_count == 0 and snap.upcoming == ()


def test_the_terminals_speaker_announces_a_call_twice(data_dir, clock) -> None:  # type: ignore[no-untyped-def]
    """Through the terminal's configured ``sim:`` speaker, at its real speaking pace."""
    from kiosk.bootstrap import build_terminal
    from kiosk.config import KioskConfig
    from kiosk.ports import DeviceKind

    config = KioskConfig().model_copy(update={"devices": KioskConfig().devices.model_copy(update={"idcard": "", "printer": "", "camera": "", "mic": ""})})
    terminal = build_terminal(config, data_dir, clock=clock)
    terminal.open_devices()
    try:
        speaker = terminal.devices[DeviceKind.SPEAKER]
        watcher = CallWatcher(terminal.queue)
        announcer = Announcer(speaker)  # type: ignore[arg-type]
        for _ in range(7):
            terminal.queue.take("legal_aid")
        for _ in range(6):
            terminal.queue.call_next(1, ["legal_aid"])
            clock.advance(minutes=1)
        watcher.prime()
        terminal.queue.call_next(2, ["legal_aid"])  # B007
        for call in watcher.poll():
            announcer.announce(call)
        spoken = wait_spoken(speaker, 2)  # type: ignore[arg-type]
        assert spoken == ["请B零零七号到2号窗口办理"] * 2
    finally:
        terminal.close()
