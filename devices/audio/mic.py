"""The real microphone: PortAudio capture through sounddevice.

URLs: ``default`` (the system's default input) or ``sounddevice://NAME_OR_INDEX``
(``?rate=16000&block_ms=50``). PortAudio calls back on its own audio thread; the
callback only copies the block into a bounded queue (no decoding, no logging there: a
slow callback drops audio), and ``chunks()`` hands the blocks to whichever worker
listens. sounddevice is imported in ``open()``, so a terminal without a microphone
never loads PortAudio.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Iterator, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from devices.health import HealthTracker
from devices.registry import DeviceContext
from kiosk.ports import AudioChunk, DeviceHealth, DeviceKind, DeviceState

log = logging.getLogger(__name__)


class _InputStream(Protocol):
    """What this module uses of ``sounddevice.RawInputStream``."""

    @property
    def active(self) -> bool: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


class SoundDeviceMic:
    """A PortAudio input device as an ``AudioSource`` (mono 16-bit PCM)."""

    kind = DeviceKind.MIC

    def __init__(self, url: str, sample_rate: int = 16000, block_ms: int = 50, device: str | int | None = None, queue_seconds: float = 5.0) -> None:
        self.url = url
        self.sample_rate = sample_rate
        self.block_ms = block_ms
        self.device = device
        self._tracker = HealthTracker(self.kind, url)
        # Bounded: if nobody listens, old audio is dropped rather than piling up.
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=max(1, int(queue_seconds * 1000 / block_ms)))
        self._stream: _InputStream | None = None
        self._lock = threading.Lock()
        self._overflows = 0
        self._closed = True

    @classmethod
    def from_url(cls, url: str) -> "SoundDeviceMic":
        """``default`` or ``sounddevice://NAME_OR_INDEX?rate=16000&block_ms=50``."""
        if url == "default":
            return cls(url)
        parts = urlsplit(url)
        q = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        name = unquote(parts.netloc + parts.path).strip("/") or None
        device: str | int | None = int(name) if name and name.isdigit() else name
        return cls(url, sample_rate=int(q.get("rate", 16000)), block_ms=int(q.get("block_ms", 50)), device=device)

    def open(self) -> None:
        """Start capturing; a missing PortAudio or input device makes the health ABSENT."""
        self._closed = False
        self._start()

    def _start(self) -> bool:
        with self._lock:
            if self._stream is not None:
                return True
            try:
                import sounddevice as sd  # deferred: PortAudio loads on first use, not at import
            except (ImportError, OSError) as exc:
                self._tracker.report(DeviceState.ABSENT, f"PortAudio not available: {exc}", "device.fault")
                return False
            try:
                stream = sd.RawInputStream(
                    samplerate=self.sample_rate,
                    blocksize=int(self.sample_rate * self.block_ms / 1000),
                    device=self.device,
                    channels=1,
                    dtype="int16",
                    callback=self._on_audio,
                )
                stream.start()
            except Exception as exc:  # PortAudioError, ValueError (no such device)…
                self._tracker.report(DeviceState.ABSENT, f"no input device: {exc}", "device.fault")
                return False
            self._stream = stream
        self._tracker.report(DeviceState.READY)
        return True

    def close(self) -> None:
        """Stop capturing and release the device."""
        self._closed = True
        with self._lock:
            stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception as exc:  # closing a device that vanished
                log.debug("mic close: %s", exc)

    def health(self) -> DeviceHealth:
        """Ready while capturing."""
        return self._tracker.health

    @property
    def overflows(self) -> int:
        """Blocks dropped because nobody read them in time, or PortAudio overran."""
        return self._overflows

    def _on_audio(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        # PortAudio's thread: copy and go.
        if status:
            self._overflows += 1
        try:
            self._queue.put_nowait(bytes(indata))
        except queue.Full:
            self._overflows += 1
            try:
                self._queue.get_nowait()
                self._queue.put_nowait(bytes(indata))
            except (queue.Empty, queue.Full):
                pass

    def flush(self) -> None:
        """Drop captured audio not yet read (e.g. what the kiosk itself just said)."""
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def chunks(self, seconds: float | None = None) -> Iterator[AudioChunk]:
        """Captured audio as it comes; stops after ``seconds``, on close, or if the device
        stops delivering (then the health says so)."""
        if self._stream is None and not self._closed and not self._start():
            return
        wanted = None if seconds is None else int(self.sample_rate * seconds) * 2
        got = 0
        while not self._closed and (wanted is None or got < wanted):
            try:
                block = self._queue.get(timeout=1.0)
            except queue.Empty:
                stream = self._stream
                if stream is None or not stream.active:
                    self._tracker.report(DeviceState.FAULT, "microphone stopped delivering audio", "device.fault")
                    self.close()
                    self._closed = False  # a later chunks() may open it again
                    return
                continue
            got += len(block)
            yield AudioChunk(block, self.sample_rate)


def open_default_mic(url: str, ctx: DeviceContext) -> SoundDeviceMic:
    """Registry factory for ``default`` and ``sounddevice://`` microphones."""
    return SoundDeviceMic.from_url(url)
