"""The endpointer, table-driven on synthetic signals: quiet rooms, noisy rooms, short
noises, pauses within speech, the hangover, and the longest utterance."""

from __future__ import annotations

import math
import random

import pytest

from devices.audio.vad import EndpointConfig, Endpointer, VadEvent, level_dbfs

RATE = 16000


def tone(ms: int, dbfs: float, freq: float = 220.0) -> bytes:
    """A sine at ``dbfs`` RMS."""
    amp = 32767 * 10 ** (dbfs / 20) * math.sqrt(2)
    n = RATE * ms // 1000
    return b"".join(int(amp * math.sin(2 * math.pi * freq * i / RATE)).to_bytes(2, "little", signed=True) for i in range(n))


def noise(ms: int, dbfs: float, seed: int = 1) -> bytes:
    """Gaussian noise at about ``dbfs`` RMS (digital zero when dbfs is None-like)."""
    rng = random.Random(seed)
    sigma = 32767 * 10 ** (dbfs / 20)
    n = RATE * ms // 1000
    return b"".join(max(-32768, min(32767, int(rng.gauss(0, sigma)))).to_bytes(2, "little", signed=True) for _ in range(n))


def quiet(ms: int) -> bytes:
    return b"\x00\x00" * (RATE * ms // 1000)


def run(signal: bytes, chunk_ms: int = 100, config: EndpointConfig | None = None) -> list[tuple[str, int]]:
    ep = Endpointer(RATE, config)
    step = 2 * RATE * chunk_ms // 1000
    events = []
    for i in range(0, len(signal), step):
        events += ep.feed(signal[i : i + step])
    events += ep.finish()
    # Offsets in milliseconds, to keep the table readable.
    return [(e.event.value, e.sample * 1000 // RATE) for e in events]


CASES = [
    # name, signal, expected [(event, ms)] (starts exact to the frame; ends at the last loud frame)
    ("silence only", quiet(2000), []),
    ("one word in a quiet room", quiet(500) + tone(600, -20) + quiet(1500), [("started", 500), ("ended", 1100)]),
    ("one word in a noisy hall", noise(500, -45) + noise(600, -45, 2)[:0] + tone(600, -20) + noise(1500, -45, 3), [("started", 500), ("ended", 1100)]),
    ("a cough is too short", quiet(500) + tone(80, -15) + quiet(1500), []),
    ("a pause inside speech is not the end", quiet(300) + tone(400, -20) + quiet(400) + tone(400, -20) + quiet(1500), [("started", 300), ("ended", 1500)]),
    ("a long pause ends the utterance", quiet(300) + tone(400, -20) + quiet(900) + tone(400, -20) + quiet(1500), [("started", 300), ("ended", 700), ("started", 1600), ("ended", 2000)]),
    ("very quiet sound is never speech", quiet(300) + tone(800, -60) + quiet(1000), []),
    ("speech until the stream ends", quiet(300) + tone(900, -20), [("started", 300), ("ended", 1200)]),
]


@pytest.mark.parametrize("signal, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_endpoints(signal: bytes, expected: list[tuple[str, int]]) -> None:
    assert run(signal) == expected


@pytest.mark.parametrize("chunk_ms", [10, 20, 33, 100, 250])
def test_chunk_size_does_not_matter(chunk_ms: int) -> None:
    signal = quiet(500) + tone(600, -20) + quiet(1500)
    assert run(signal, chunk_ms) == [("started", 500), ("ended", 1100)]


def test_longest_utterance_is_cut() -> None:
    cfg = EndpointConfig(max_utterance_s=2.0)
    events = run(quiet(200) + tone(5000, -20) + quiet(1000), config=cfg)
    assert events[:2] == [("started", 200), ("ended", 2200)]


def test_noise_floor_follows_the_room() -> None:
    ep = Endpointer(RATE)
    ep.feed(noise(2000, -40))
    assert ep.noise_floor is not None and -44 < ep.noise_floor < -36
    # A level that is speech in a quiet room is not speech in this one.
    assert ep.feed(tone(500, -35)) == []


def test_levels() -> None:
    assert level_dbfs(b"") == -120.0
    assert level_dbfs(quiet(20)) == -120.0
    assert level_dbfs(tone(100, -20)) == pytest.approx(-20, abs=0.3)


def test_reset_forgets_the_utterance() -> None:
    ep = Endpointer(RATE)
    [started] = ep.feed(quiet(300) + tone(300, -20))
    assert started.event is VadEvent.STARTED and ep.speaking
    ep.reset()
    assert not ep.speaking and ep.finish() == []
