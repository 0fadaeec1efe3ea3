"""espeak-ng speech behind the Speaker port: synthesis, the queue, interrupt, health."""

from __future__ import annotations

import shutil
import threading
import time
import wave
from pathlib import Path

import pytest

from devices.audio import tts
from devices.audio.tts import EspeakSpeaker, WavDirSink, synthesize
from devices.registry import DeviceContext
from kiosk.errors import DeviceError
from kiosk.ports import DeviceState

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


def seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def test_synthesize_mandarin() -> None:
    pcm, rate = synthesize("请B007号到2号窗口办理")
    assert rate == 22050
    # "请B零零七号到二号窗口办理": 13 syllables, about 3–6 s at 150 wpm.
    assert 2.5 < len(pcm) / 2 / rate < 7


def test_numbers_are_spoken_as_people_say_them(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    real_run = tts.subprocess.run

    def spy(argv, **kw):  # type: ignore[no-untyped-def]
        seen.append(list(argv))
        return real_run(argv, **kw)

    monkeypatch.setattr(tts.subprocess, "run", spy)
    synthesize("请B007号到2号窗口")
    spoken = seen[-1][-1]
    assert spoken.startswith("qing3 B ling2 ling2 qi1 hao4 dao4 er4 hao4 chuang1 kou3")
    assert "-v" in seen[-1] and seen[-1][seen[-1].index("-v") + 1] == "cmn-latn-pinyin"


def test_polyphones_by_phrase() -> None:
    from kiosk.voice.pinyin import tts_pinyin

    assert tts_pinyin("长辈版") == "zhang3 bei4 ban3"
    assert tts_pinyin("重复") == "chong2 fu4"


def test_queue_plays_in_order_without_overlap(tmp_path: Path) -> None:
    speaker = EspeakSpeaker.from_url(f"espeak+wav://{tmp_path}?realtime=0")
    speaker.open()
    try:
        assert speaker.health().state is DeviceState.READY
        for text in ("法律咨询", "法律援助", "人民调解"):
            speaker.say(text)
        assert speaker.wait_idle(20)
    finally:
        speaker.close()
    assert speaker.spoken() == ["法律咨询", "法律援助", "人民调解"]
    assert sorted(p.name for p in tmp_path.glob("*.wav")) == ["0001.wav", "0002.wav", "0003.wav"]


class RecordingSink:
    """Plays in real time and records when each announcement started and ended."""

    def __init__(self) -> None:
        self.spans: list[tuple[float, float, bool]] = []
        self.lock = threading.Lock()

    def check(self) -> str | None:
        return None

    def play(self, pcm: bytes, rate: int, interrupt: threading.Event) -> bool:
        start = time.monotonic()
        done = not interrupt.wait(len(pcm) / 2 / rate)
        with self.lock:
            self.spans.append((start, time.monotonic(), done))
        return done


def test_announcements_never_overlap_and_interrupt_cuts_in() -> None:
    sink = RecordingSink()
    speaker = EspeakSpeaker("espeak:", sink)
    speaker.open()
    try:
        speaker.say("请A零零一号到一号窗口办理")
        speaker.say("请A零零二号到二号窗口办理")
        speaker.say("这一句会被丢掉")
        time.sleep(1.0)
        t_interrupt = time.monotonic()
        speaker.say("返回首页", interrupt=True)
        assert speaker.wait_idle(20)
    finally:
        speaker.close()
    spans = sink.spans
    assert [done for _, _, done in spans] == [False, True]  # first cut, then the new one
    assert spans[0][1] - t_interrupt < 0.5  # cut at once (50 ms blocks; slack for a loaded CI)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))  # one at a time
    assert speaker.spoken() == ["请A零零一号到一号窗口办理", "返回首页"]


def test_interrupted_wav_holds_only_what_played(tmp_path: Path) -> None:
    long_text = "这是一段很长的说明，它会在中途被打断，因为有人按了返回键。"
    full = len(synthesize(long_text)[0]) / 2 / 22050
    sink = WavDirSink(tmp_path)
    speaker = EspeakSpeaker("espeak+wav://", sink)
    speaker.open()
    try:
        speaker.say(long_text)
        time.sleep(0.8)
        speaker.say("好", interrupt=True)
        assert speaker.wait_idle(20)
    finally:
        speaker.close()
    first, second = sorted(tmp_path.glob("*.wav"))
    assert 0 < seconds(first) < full - 2  # cut well before its end
    assert seconds(second) > 0.2


def test_missing_espeak_is_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tts, "espeak_binary", lambda: None)
    speaker = EspeakSpeaker("espeak:", RecordingSink())
    speaker.open()
    try:
        health = speaker.health()
        assert health.state is DeviceState.ABSENT and "espeak-ng" in health.detail
        speaker.say("没人听得见")  # must not raise nor block
        assert speaker.wait_idle(5)
    finally:
        speaker.close()
    with pytest.raises(DeviceError):
        synthesize("你好")


def test_missing_output_is_absent_and_recovers(monkeypatch: pytest.MonkeyPatch) -> None:
    class Unplugged(RecordingSink):
        plugged = False

        def check(self) -> str | None:
            return None if self.plugged else "no output device"

    sink = Unplugged()
    speaker = EspeakSpeaker("espeak:", sink)
    monkeypatch.setattr(tts, "_RECHECK_S", 0.0)
    speaker.open()
    try:
        assert speaker.health().state is DeviceState.ABSENT
        speaker.say("一")
        assert speaker.wait_idle(10) and sink.spans == []
        sink.plugged = True
        speaker.say("二")
        assert speaker.wait_idle(10)
        assert speaker.health().state is DeviceState.READY and len(sink.spans) == 1
    finally:
        speaker.close()


def test_registry_urls(tmp_path: Path) -> None:
    ctx = DeviceContext(data_dir=tmp_path)
    default_dir = tts.open_espeak_speaker("espeak+wav:", ctx)
    assert isinstance(default_dir.sink, WavDirSink) and default_dir.sink.directory == tmp_path / "speech"
    tuned = tts.open_espeak_speaker("espeak:?rate=120&volume=80&device=3", ctx)
    assert (tuned.rate, tuned.volume, tuned.sink.device) == (120, 80, 3)  # type: ignore[attr-defined]
    with pytest.raises(DeviceError):
        EspeakSpeaker.from_url("sim:")
