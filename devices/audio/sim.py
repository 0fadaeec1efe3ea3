"""Simulated microphone and speaker, and a WAV file standing in for a microphone.

The speaker keeps a queue served by one worker thread, so announcements never talk
over each other; each utterance takes time in proportion to its length, as speech does.
"""

from __future__ import annotations

import collections
import logging
import queue
import threading
import time
import wave
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

from devices.health import HealthTracker
from devices.registry import DeviceContext
from kiosk.errors import DeviceError
from kiosk.ports import AudioChunk, DeviceHealth, DeviceKind, DeviceState, SimAction

log = logging.getLogger(__name__)

_CHUNK_SECONDS = 0.1


class SimMic:
    """The ``sim:`` microphone: silence, in real time, while "plugged in"; a recording
    handed to ``play`` is heard in place of the silence, as if said into it."""

    kind = DeviceKind.MIC

    def __init__(self, url: str, sample_rate: int = 16000) -> None:
        self.url = url
        self.sample_rate = sample_rate
        self._tracker = HealthTracker(self.kind, url)
        self._plugged = True
        self._pending: collections.deque[bytes] = collections.deque()  # audio to be "said", oldest first
        self._pending_lock = threading.Lock()

    def open(self) -> None:
        """Nothing to acquire."""
        self._tracker.report(DeviceState.READY)

    def close(self) -> None:
        """Nothing to release."""

    def health(self) -> DeviceHealth:
        """Ready unless unplugged by hand."""
        return self._tracker.health

    def play(self, path: Path) -> float:
        """Say the recording at ``path`` (mono 16-bit WAV at the microphone's rate) into
        the microphone, after what is already queued; returns its length in seconds."""
        try:
            with wave.open(str(path), "rb") as w:
                if w.getnchannels() != 1 or w.getsampwidth() != 2 or w.getframerate() != self.sample_rate:
                    raise DeviceError(f"simulated mic: {path} is not mono 16-bit PCM at {self.sample_rate} Hz")
                pcm = w.readframes(w.getnframes())
        except (OSError, wave.Error) as exc:
            raise DeviceError(f"simulated mic: cannot read {path}: {exc}") from exc
        with self._pending_lock:
            self._pending.append(pcm)
        return len(pcm) / 2 / self.sample_rate

    def chunks(self, seconds: float | None = None) -> Iterator[AudioChunk]:
        """Silence (or what ``play`` was given), paced in real time."""
        size = 2 * int(self.sample_rate * _CHUNK_SECONDS)
        elapsed = 0.0
        while self._plugged and (seconds is None or elapsed < seconds):
            time.sleep(_CHUNK_SECONDS)
            elapsed += _CHUNK_SECONDS
            yield AudioChunk(self._next(size), self.sample_rate)

    def _next(self, size: int) -> bytes:
        # The next chunk of a queued recording, padded with silence at its end.
        with self._pending_lock:
            if not self._pending:
                return b"\x00" * size
            pcm = self._pending[0]
            chunk, rest = pcm[:size], pcm[size:]
            if rest:
                self._pending[0] = rest
            else:
                self._pending.popleft()
        return chunk + b"\x00" * (size - len(chunk))

    def sim_actions(self) -> list[SimAction]:
        """Unplug and plug back."""
        return [SimAction("mic.toggle", "sim.mic.toggle", self._toggle)]

    def _toggle(self) -> None:
        self._plugged = not self._plugged
        if self._plugged:
            self._tracker.report(DeviceState.READY)
        else:
            self._tracker.report(DeviceState.ABSENT, "simulated microphone unplugged", "device.fault")


class WavMic:
    """``wav:///path/utterance.wav``: a recording played as if spoken into the mic."""

    kind = DeviceKind.MIC

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = Path(unquote(urlsplit(url).path))
        self._tracker = HealthTracker(self.kind, url)

    def open(self) -> None:
        """Check the file is a mono 16-bit WAV."""
        try:
            with wave.open(str(self.path), "rb") as w:
                if w.getnchannels() != 1 or w.getsampwidth() != 2:
                    raise DeviceError(f"mic {self.url}: need mono 16-bit PCM WAV")
        except (OSError, wave.Error) as exc:
            self._tracker.report(DeviceState.ABSENT, f"cannot read {self.path}: {exc}", "device.fault")
            return
        self._tracker.report(DeviceState.READY)

    def close(self) -> None:
        """Nothing to release."""

    def health(self) -> DeviceHealth:
        """Ready when the file is readable."""
        return self._tracker.health

    def chunks(self, seconds: float | None = None) -> Iterator[AudioChunk]:
        """The file's audio in 100 ms chunks (as fast as it is read)."""
        with wave.open(str(self.path), "rb") as w:
            rate = w.getframerate()
            n = int(rate * _CHUNK_SECONDS)
            limit = None if seconds is None else int(rate * seconds)
            read = 0
            while limit is None or read < limit:
                data = w.readframes(n)
                if not data:
                    break
                read += len(data) // 2
                yield AudioChunk(data, rate)


class SimSpeaker:
    """The ``sim:`` speaker: a real announcement queue; "speaking" takes time.

    ``seconds_per_char`` approximates Mandarin at about four syllables a second.
    """

    kind = DeviceKind.SPEAKER

    def __init__(self, url: str, seconds_per_char: float = 0.25, keep: int = 200) -> None:
        self.url = url
        self._per_char = seconds_per_char
        self._tracker = HealthTracker(self.kind, url)
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._spoken: collections.deque[str] = collections.deque(maxlen=keep)
        self._interrupt = threading.Event()
        self._speaking = threading.Event()
        self._plugged = True
        self._thread: threading.Thread | None = None
        self.volume = 100  # the output level (VolumeControl); nothing is played here

    def set_volume(self, level: int) -> None:
        """The output level 0–100 (kept and reported; the simulator plays no sound)."""
        self.volume = max(0, min(100, int(level)))

    def open(self) -> None:
        """Start the announcement worker."""
        self._thread = threading.Thread(target=self._run, name="sim-speaker", daemon=True)
        self._thread.start()
        self._tracker.report(DeviceState.READY)

    def close(self) -> None:
        """Stop the worker; queued announcements are dropped."""
        self._interrupt.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=2)

    def health(self) -> DeviceHealth:
        """Ready unless unplugged by hand."""
        return self._tracker.health

    def say(self, text: str, *, interrupt: bool = False) -> None:
        """Queue ``text``; ``interrupt`` drops what is queued and cuts the current one."""
        if interrupt:
            self._interrupt.set()
            while not self._queue.empty():
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
        self._queue.put(text)

    def spoken(self) -> list[str]:
        """What was spoken (or begun) since open, oldest first."""
        return list(self._spoken)

    @property
    def speaking(self) -> bool:
        """True while an announcement "plays" (as ``EspeakSpeaker.speaking``: the
        listener mutes then, so the kiosk does not hear itself)."""
        return self._speaking.is_set()

    def sim_actions(self) -> list[SimAction]:
        """Unplug and plug back."""
        return [SimAction("speaker.toggle", "sim.speaker.toggle", self._toggle)]

    def _toggle(self) -> None:
        self._plugged = not self._plugged
        if self._plugged:
            self._tracker.report(DeviceState.READY)
        else:
            self._tracker.report(DeviceState.ABSENT, "simulated speaker unplugged", "device.fault")

    def _run(self) -> None:
        while True:
            text = self._queue.get()
            if text is None:
                return
            if not self._plugged:
                continue  # nobody hears it; the screen still shows everything
            self._interrupt.clear()
            self._spoken.append(text)
            self._speaking.set()
            # Speaking takes time; an interrupt cuts it short.
            self._interrupt.wait(len(text) * self._per_char)
            self._speaking.clear()


def open_sim_mic(url: str, ctx: DeviceContext) -> SimMic:
    """Registry factory for ``sim:`` microphones."""
    return SimMic(url)


def open_wav_mic(url: str, ctx: DeviceContext) -> WavMic:
    """Registry factory for ``wav://`` microphones."""
    return WavMic(url)


def open_sim_speaker(url: str, ctx: DeviceContext) -> SimSpeaker:
    """Registry factory for ``sim:`` speakers."""
    return SimSpeaker(url)
