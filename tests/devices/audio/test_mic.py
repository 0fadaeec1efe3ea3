"""The PortAudio microphone, against a stand-in ``sounddevice`` module (this machine
has no sound card), and against the real one when no input device exists."""

from __future__ import annotations

import sys
import threading
import time
import types
from pathlib import Path
from typing import Any

import pytest

from devices.audio.mic import SoundDeviceMic, open_default_mic
from devices.registry import DeviceContext
from kiosk.ports import DeviceState


class FakeStream:
    """Calls back from its own thread, like PortAudio, with numbered blocks."""

    def __init__(self, samplerate: int, blocksize: int, callback: Any, fail: bool = False, **_: Any) -> None:
        self.samplerate = samplerate
        self.blocksize = blocksize
        self.callback = callback
        self.active = False
        self.blocks = 0
        self.stop_after: int | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.active = True
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while self.active:
            if self.stop_after is not None and self.blocks >= self.stop_after:
                self.active = False  # the device went away
                return
            self.blocks += 1
            self.callback(bytes([self.blocks % 256]) * 2 * self.blocksize, self.blocksize, None, None)
            time.sleep(0.005)

    def stop(self) -> None:
        self.active = False

    def close(self) -> None:
        self.active = False


def fake_sounddevice(monkeypatch: pytest.MonkeyPatch, fail: Exception | None = None) -> list[FakeStream]:
    streams: list[FakeStream] = []
    module = types.ModuleType("sounddevice")

    def raw_input_stream(**kw: Any) -> FakeStream:
        if fail is not None:
            raise fail
        kw.pop("device"), kw.pop("channels"), kw.pop("dtype")
        stream = FakeStream(**kw)
        streams.append(stream)
        return stream

    module.RawInputStream = raw_input_stream  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sounddevice", module)
    return streams


def test_capture_yields_blocks_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    streams = fake_sounddevice(monkeypatch)
    mic = SoundDeviceMic("default", block_ms=10)
    mic.open()
    try:
        assert mic.health().state is DeviceState.READY
        chunks = list(mic.chunks(seconds=0.1))
    finally:
        mic.close()
    assert streams[0].samplerate == 16000 and streams[0].blocksize == 160
    assert sum(len(c.pcm) for c in chunks) == 2 * 1600
    firsts = [c.pcm[0] for c in chunks]
    assert firsts == sorted(firsts)  # nothing reordered
    assert all(c.sample_rate == 16000 for c in chunks)


def test_nobody_listening_keeps_only_recent_audio(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_sounddevice(monkeypatch)
    mic = SoundDeviceMic("default", block_ms=10, queue_seconds=0.05)  # 5 blocks
    mic.open()
    try:
        time.sleep(0.2)
        assert mic.overflows > 0
        mic.flush()
        first = next(iter(mic.chunks(seconds=0.01)))
        assert first.pcm  # fresh audio after the flush
    finally:
        mic.close()


def test_no_input_device_is_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_sounddevice(monkeypatch, fail=ValueError("No input device matching 'usb'"))
    mic = open_default_mic("sounddevice://usb?rate=8000", DeviceContext(data_dir=Path(".")))
    assert (mic.device, mic.sample_rate) == ("usb", 8000)
    mic.open()
    assert mic.health().state is DeviceState.ABSENT
    assert "no input device" in mic.health().detail
    assert list(mic.chunks(seconds=0.1)) == []
    mic.close()


def test_device_that_stops_delivering_is_a_fault(monkeypatch: pytest.MonkeyPatch) -> None:
    streams = fake_sounddevice(monkeypatch)
    mic = SoundDeviceMic("default", block_ms=10)
    mic.open()
    streams[0].stop_after = 3
    got = list(mic.chunks())  # ends by itself when the stream dies
    assert 1 <= len(got) <= 3
    assert mic.health().state is DeviceState.FAULT
    mic.close()


def test_url_forms() -> None:
    assert SoundDeviceMic.from_url("default").device is None
    assert SoundDeviceMic.from_url("sounddevice://2").device == 2
    m = SoundDeviceMic.from_url("sounddevice://USB%20Audio?rate=48000&block_ms=20")
    assert (m.device, m.sample_rate, m.block_ms) == ("USB Audio", 48000, 20)


def test_real_portaudio_without_a_sound_card_is_absent() -> None:
    try:
        import sounddevice as sd

        has_input = any(d["max_input_channels"] > 0 for d in sd.query_devices())
    except (ImportError, OSError):
        has_input = False
    if has_input:
        pytest.skip("this machine has an input device")
    mic = SoundDeviceMic("default")
    mic.open()
    assert mic.health().state is DeviceState.ABSENT
    mic.close()
