"""Voice-activity endpointing: where an utterance starts and ends, from audio energy.

Pure (no I/O): fed 16-bit mono PCM, it says "speech started" and "speech ended". The
level is compared with a noise floor that follows the room while nobody speaks, so a
noisy township hall and a quiet village room both work. Speech must last
``min_speech_ms`` to count (a cough or a door is shorter) and ends after
``hangover_ms`` of quiet (people pause between words, elderly people longer).
"""

from __future__ import annotations

import array
import enum
import math
import sys
from dataclasses import dataclass


class VadEvent(str, enum.Enum):
    """What the endpointer noticed."""

    STARTED = "started"
    ENDED = "ended"


@dataclass(frozen=True)
class EndpointConfig:
    """Endpointing thresholds (dB are relative to the noise floor unless said)."""

    frame_ms: int = 20
    start_db: float = 12.0  # this far above the floor is speech
    stop_db: float = 7.0  # below this (floor-relative) is quiet again
    min_level_dbfs: float = -50.0  # never call anything quieter than this speech
    min_speech_ms: int = 120
    hangover_ms: int = 700
    preroll_ms: int = 300  # audio kept from before the start, so onsets are not clipped
    max_utterance_s: float = 15.0
    floor_adapt: float = 0.05  # how fast the floor follows the room (per frame)


@dataclass(frozen=True)
class Endpoint:
    """An event at a sample offset from the start of the stream."""

    event: VadEvent
    sample: int


def level_dbfs(pcm: bytes) -> float:
    """The RMS level of 16-bit little-endian PCM, in dB relative to full scale."""
    samples = array.array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    if sys.byteorder == "big":
        samples.byteswap()
    if not samples:
        return -120.0
    mean_square = sum(s * s for s in samples) / len(samples)
    if mean_square <= 0:
        return -120.0
    return 10 * math.log10(mean_square / (32768.0 * 32768.0))


class Endpointer:
    """Feed PCM in any chunk sizes; get STARTED/ENDED endpoints at sample offsets."""

    def __init__(self, sample_rate: int = 16000, config: EndpointConfig | None = None) -> None:
        self.config = config or EndpointConfig()
        self.sample_rate = sample_rate
        self._frame_bytes = 2 * int(sample_rate * self.config.frame_ms / 1000)
        self._pending = b""
        self._sample = 0  # samples consumed so far
        self._floor: float | None = None
        self._speaking = False
        self._run = 0  # consecutive speech frames (before start) or quiet frames (after)
        self._run_start = 0
        self._speech_start = 0
        self._last_speech_end = 0

    @property
    def speaking(self) -> bool:
        """True between STARTED and ENDED."""
        return self._speaking

    @property
    def noise_floor(self) -> float | None:
        """The current noise floor in dBFS (None before the first frame)."""
        return self._floor

    def reset(self) -> None:
        """Forget the current utterance (keep the learnt noise floor)."""
        self._speaking = False
        self._run = 0

    def feed(self, pcm: bytes) -> list[Endpoint]:
        """Consume ``pcm``; return the endpoints found in it, in order."""
        data = self._pending + pcm
        out: list[Endpoint] = []
        n = len(data) - len(data) % self._frame_bytes
        for i in range(0, n, self._frame_bytes):
            event = self._frame(level_dbfs(data[i : i + self._frame_bytes]))
            if event is not None:
                out.append(event)
        self._pending = data[n:]
        return out

    def finish(self) -> list[Endpoint]:
        """The stream ended: close an utterance in progress."""
        if self._speaking:
            self._speaking = False
            return [Endpoint(VadEvent.ENDED, self._last_speech_end)]
        return []

    def _frame(self, db: float) -> Endpoint | None:
        cfg = self.config
        frame_samples = self._frame_bytes // 2
        start, self._sample = self._sample, self._sample + frame_samples
        if self._floor is None:
            self._floor = db
        floor = max(self._floor, -90.0)
        if not self._speaking:
            if db >= max(floor + cfg.start_db, cfg.min_level_dbfs):
                if self._run == 0:
                    self._run_start = start
                self._run += 1
                if self._run * cfg.frame_ms >= cfg.min_speech_ms:
                    self._speaking = True
                    self._run = 0
                    self._speech_start = self._run_start
                    self._last_speech_end = self._sample
                    return Endpoint(VadEvent.STARTED, self._run_start)
            else:
                self._run = 0
                # Only quiet frames teach the floor: speech must not raise it.
                self._floor += cfg.floor_adapt * (db - self._floor)
            return None
        if db >= max(floor + cfg.stop_db, cfg.min_level_dbfs):
            self._run = 0
            self._last_speech_end = self._sample
        else:
            self._run += 1
        too_long = (self._sample - self._speech_start) >= cfg.max_utterance_s * self.sample_rate
        if self._run * cfg.frame_ms >= cfg.hangover_ms or too_long:
            self._speaking = False
            self._run = 0
            return Endpoint(VadEvent.ENDED, self._last_speech_end)
        return None
