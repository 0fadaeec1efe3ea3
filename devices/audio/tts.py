"""Offline speech output with espeak-ng, behind the ``Speaker`` port.

Debian's espeak-ng ``cmn`` voice reads the pinyin of its own dictionary as English
letters ("请" comes out as "king three") and resolves polyphones badly (长辈 as chang
bei). So the text is first made speakable (numbers as people say them: "B007" →
"B零零七号"), then turned into tone-numbered pinyin by pypinyin, and spoken by the
``cmn-latn-pinyin`` voice, which reads pinyin as Mandarin.

URLs:
- ``espeak:`` (``?voice=cmn-latn-pinyin&rate=150&volume=100&device=NAME``): play on the
  default (or named) PortAudio output; ``volume`` (0–100) is the starting output level,
  which ``set_volume`` (the fleet's command) changes;
- ``espeak+wav:///DIR``: write each announcement to ``DIR/NNNN.wav`` instead of playing
  it (a terminal without a loudspeaker, tests, demos). ``&realtime=0`` writes at once.

One worker thread serves the queue, so announcements never overlap; ``say(…,
interrupt=True)`` drops what is queued and cuts what is playing, within ~50 ms.
"""

from __future__ import annotations

import collections
import logging
import queue
import shutil
import subprocess
import threading
import time
import wave
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from devices.health import HealthTracker
from devices.registry import DeviceContext
from kiosk.errors import DeviceError
from kiosk.ports import DeviceHealth, DeviceKind, DeviceState
from kiosk.voice.numbers import speakable
from kiosk.voice.pinyin import tts_pinyin

log = logging.getLogger(__name__)

VOICE = "cmn-latn-pinyin"
_BLOCK_S = 0.05  # playback granularity: how fast an interrupt cuts in
_SYNTH_TIMEOUT_S = 30
_RECHECK_S = 5.0  # how often a missing output is looked for again


def espeak_binary() -> str | None:
    """The espeak-ng executable, if installed."""
    return shutil.which("espeak-ng")


def synthesize(text: str, *, voice: str = VOICE, rate: int = 150, volume: int = 100, pitch: int = 50) -> tuple[bytes, int]:
    """Speak ``text`` into mono 16-bit PCM: (pcm, sample_rate). Chinese text is made
    speakable and converted to pinyin first. DeviceError if espeak-ng fails."""
    exe = espeak_binary()
    if exe is None:
        raise DeviceError("espeak-ng is not installed (apt-get install espeak-ng)")
    spoken = tts_pinyin(speakable(text)) if voice.startswith("cmn") else text
    try:
        proc = subprocess.run(
            [exe, "-v", voice, "-s", str(rate), "-a", str(volume), "-p", str(pitch), "--stdout", spoken],
            capture_output=True,
            timeout=_SYNTH_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DeviceError(f"espeak-ng failed: {exc}") from exc
    if proc.returncode != 0 or not proc.stdout:
        raise DeviceError(f"espeak-ng failed (exit {proc.returncode}): {proc.stderr.decode(errors='replace')[:200]}")
    # espeak-ng streams its WAV to a pipe with unknown sizes in the header: parse the
    # format from the header and take everything after the data chunk's header.
    return _pcm_from_stream_wav(proc.stdout)


def _pcm_from_stream_wav(data: bytes) -> tuple[bytes, int]:
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise DeviceError("espeak-ng did not produce WAV")
    pos = 12
    rate = 22050
    while pos + 8 <= len(data):
        cid, size = data[pos : pos + 4], int.from_bytes(data[pos + 4 : pos + 8], "little")
        if cid == b"fmt ":
            channels = int.from_bytes(data[pos + 10 : pos + 12], "little")
            rate = int.from_bytes(data[pos + 12 : pos + 16], "little")
            bits = int.from_bytes(data[pos + 22 : pos + 24], "little")
            if channels != 1 or bits != 16:
                raise DeviceError(f"espeak-ng produced {channels} channel(s) of {bits} bits")
        elif cid == b"data":
            pcm = data[pos + 8 :]
            return pcm[: len(pcm) - len(pcm) % 2], rate
        pos += 8 + size + (size & 1)
    raise DeviceError("espeak-ng output has no audio")


def volume_gain(level: int) -> float:
    """The sample gain of an output level 0–100: square law, so the steps sound even
    (50 → 0.25, about −12 dB; 10 → −40 dB; 0 → silence)."""
    level = max(0, min(100, int(level)))
    return (level / 100.0) ** 2


def apply_volume(pcm: bytes, level: int) -> bytes:
    """Mono 16-bit PCM scaled to ``level`` (0–100). The output's own mixer is left
    alone: the kiosk owns its level without a system mixer dependency."""
    gain = volume_gain(level)
    if gain >= 1.0:
        return pcm
    import numpy as np  # deferred: heavy, and only needed when the volume is turned down

    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) * gain
    scaled: bytes = np.clip(np.rint(samples), -32768, 32767).astype("<i2").tobytes()
    return scaled


def write_wav(path: Path, pcm: bytes, rate: int) -> None:
    """Write mono 16-bit PCM as a WAV file."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)


class AudioSink(Protocol):
    """Where synthesised speech goes."""

    def check(self) -> str | None:
        """None if usable, else why not (for the health)."""

    def play(self, pcm: bytes, rate: int, interrupt: threading.Event) -> bool:
        """Play ``pcm``; return False if ``interrupt`` cut it short."""


class SoundDeviceSink:
    """Plays on a PortAudio output device."""

    def __init__(self, device: str | int | None = None) -> None:
        self.device = device

    def check(self) -> str | None:
        """Is there an output device?"""
        try:
            import sounddevice as sd  # deferred: PortAudio loads on first use, not at import

            sd.query_devices(self.device, kind="output")
        except (ImportError, OSError) as exc:
            return f"PortAudio not available: {exc}"
        except Exception as exc:  # ValueError / PortAudioError: no such device
            return f"no output device: {exc}"
        return None

    def play(self, pcm: bytes, rate: int, interrupt: threading.Event) -> bool:
        """Write in small blocks so an interrupt is heard at once."""
        import sounddevice as sd  # deferred: PortAudio loads on first use (loaded already by check())

        block = 2 * int(rate * _BLOCK_S)
        with sd.RawOutputStream(samplerate=rate, channels=1, dtype="int16", device=self.device) as stream:
            for i in range(0, len(pcm), block):
                if interrupt.is_set():
                    stream.abort()
                    return False
                stream.write(pcm[i : i + block])
        return True


class WavDirSink:
    """Writes each announcement to ``DIR/NNNN.wav``; in real time by default, so
    queueing and interruption behave as they would through a loudspeaker (an
    interrupted announcement's file holds only what was "heard")."""

    def __init__(self, directory: Path, realtime: bool = True) -> None:
        self.directory = directory
        self.realtime = realtime
        self._n = 0

    def check(self) -> str | None:
        """Can the directory be written?"""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return f"cannot write {self.directory}: {exc}"
        return None

    def play(self, pcm: bytes, rate: int, interrupt: threading.Event) -> bool:
        """Write the file (only what played before an interrupt)."""
        self._n += 1
        played = len(pcm)
        complete = True
        if self.realtime:
            block = 2 * int(rate * _BLOCK_S)
            start = time.monotonic()
            for i in range(0, len(pcm), block):
                if interrupt.is_set():
                    played, complete = i, False
                    break
                # Sleep until this block would have finished playing.
                due = start + (i + block) / 2 / rate
                interrupt.wait(max(0.0, due - time.monotonic()))
            else:
                played = len(pcm)
        write_wav(self.directory / f"{self._n:04d}.wav", pcm[:played], rate)
        return complete


class EspeakSpeaker:
    """The ``Speaker`` port on espeak-ng, with an announcement queue and interrupt."""

    kind = DeviceKind.SPEAKER

    def __init__(self, url: str, sink: AudioSink, *, voice: str = VOICE, rate: int = 150, volume: int = 100, keep: int = 200) -> None:
        self.url = url
        self.sink = sink
        self.voice = voice
        self.rate = rate
        self.volume = max(0, min(100, volume))  # the output level (VolumeControl)
        self._tracker = HealthTracker(self.kind, url)
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._spoken: collections.deque[str] = collections.deque(maxlen=keep)
        self._interrupt = threading.Event()
        self._speaking = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_check = 0.0

    @classmethod
    def from_url(cls, url: str, ctx: DeviceContext | None = None) -> "EspeakSpeaker":
        """``espeak:?voice=…&rate=…&volume=…&device=…`` or ``espeak+wav:///DIR?realtime=0``."""
        parts = urlsplit(url)
        q = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        sink: AudioSink
        if parts.scheme == "espeak+wav":
            path = unquote(parts.path)
            if not path:
                if ctx is None:
                    raise DeviceError(f"speaker {url}: needs a directory (espeak+wav:///DIR)")
                path = str(ctx.data_dir / "speech")
            sink = WavDirSink(Path(path), realtime=q.get("realtime", "1") != "0")
        elif parts.scheme == "espeak":
            device = q.get("device")
            sink = SoundDeviceSink(int(device) if device and device.isdigit() else device)
        else:
            raise DeviceError(f"speaker: not an espeak URL: {url!r}")
        return cls(url, sink, voice=q.get("voice", VOICE), rate=int(q.get("rate", 150)), volume=int(q.get("volume", 100)))

    def open(self) -> None:
        """Check espeak-ng, its voice and the output; start the announcement worker."""
        problem = self._check()
        self._last_check = time.monotonic()
        if problem:
            self._tracker.report(DeviceState.ABSENT, problem, "device.fault")
        else:
            self._tracker.report(DeviceState.READY)
        self._thread = threading.Thread(target=self._run, name="espeak-speaker", daemon=True)
        self._thread.start()

    def _check(self) -> str | None:
        exe = espeak_binary()
        if exe is None:
            return "espeak-ng is not installed"
        try:
            voices = subprocess.run([exe, f"--voices={self.voice.split('-')[0]}"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"espeak-ng does not run: {exc}"
        if self.voice not in voices.split():
            return f"espeak-ng has no voice {self.voice}"
        return self.sink.check()

    def close(self) -> None:
        """Stop the worker; queued announcements are dropped, the current one cut."""
        self._interrupt.set()
        self._drain()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=3)
            self._thread = None

    def set_volume(self, level: int) -> None:
        """The output level 0–100, from the next announcement on."""
        self.volume = max(0, min(100, int(level)))

    def health(self) -> DeviceHealth:
        """Ready when espeak-ng, its voice and the output are there."""
        return self._tracker.health

    @property
    def speaking(self) -> bool:
        """True while an announcement plays (the listener mutes then)."""
        return self._speaking.is_set()

    def say(self, text: str, *, interrupt: bool = False) -> None:
        """Queue ``text``; ``interrupt`` drops what is queued and cuts the current one."""
        if interrupt:
            self._interrupt.set()
            self._drain()
        self._queue.put(text)

    def spoken(self) -> list[str]:
        """What was spoken (or begun) since open, oldest first."""
        return list(self._spoken)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until the queue is empty and nothing plays (tests, ``kiosk say``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.02)
        return False

    def _output_back(self) -> bool:
        """Re-check a missing output, at most every few seconds."""
        now = time.monotonic()
        if now - self._last_check < _RECHECK_S:
            return False
        self._last_check = now
        problem = self._check()
        if problem is None:
            self._tracker.report(DeviceState.READY)
            return True
        return False

    def _drain(self) -> None:
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return
            self._queue.task_done()

    def _run(self) -> None:
        while True:
            text = self._queue.get()
            try:
                if text is None:
                    return
                self._speak(text)
            finally:
                self._queue.task_done()

    def _speak(self, text: str) -> None:
        self._interrupt.clear()
        if self._tracker.health.state is DeviceState.ABSENT and not self._output_back():
            return  # nobody hears it; the screen still shows everything
        try:
            pcm, rate = synthesize(text, voice=self.voice, rate=self.rate)
        except DeviceError as exc:
            self._tracker.report(DeviceState.FAULT, exc.detail, "device.fault")
            return
        # The level is applied to the samples played (espeak-ng's own amplitude is left at
        # its default, where its voice is tuned and does not clip).
        pcm = apply_volume(pcm, self.volume)
        if self._interrupt.is_set():
            return  # cut before it began
        self._spoken.append(text)
        self._speaking.set()
        try:
            self.sink.play(pcm, rate, self._interrupt)
            if self._tracker.health.state is not DeviceState.READY and self.sink.check() is None:
                self._tracker.report(DeviceState.READY)
        except Exception as exc:  # the output vanished mid-sentence
            self._tracker.report(DeviceState.FAULT, f"playback failed: {exc}", "device.fault")
        finally:
            self._speaking.clear()


def open_espeak_speaker(url: str, ctx: DeviceContext) -> EspeakSpeaker:
    """Registry factory for ``espeak:`` and ``espeak+wav://`` speakers."""
    return EspeakSpeaker.from_url(url, ctx)


