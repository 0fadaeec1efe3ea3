"""Listening on a worker: hands-free endpointing and push-to-talk, through the real
Vosk path (Korean model) on espeak-ng speech played by the ``wav://`` microphone."""

from __future__ import annotations

import queue
import threading
import time
from pathlib import Path
from typing import Iterator

from devices.audio.listener import Heard, Listener, ListenMode
from devices.audio.sim import SimMic, WavMic
from devices.audio.vad import VadEvent
from kiosk.ports import AudioChunk
from tests.devices.audio.audio_helpers import KO_GRAMMAR, needs_vosk, pcm_of, silence, write

pytestmark = needs_vosk()


def wav_mic(path: Path) -> WavMic:
    mic = WavMic("wav://" + str(path))
    mic.open()
    return mic


def test_hands_free_hears_each_utterance(ko_recognizer, ko_wavs, tmp_path: Path) -> None:
    words = ["안녕하세요", "도움말", "변호사"]
    pcm = silence(0.5)
    for w in words:
        pcm += pcm_of(ko_wavs[w])[0] + silence(1.2)
    listener = Listener(wav_mic(write(tmp_path / "three.wav", pcm)), ko_recognizer)
    heard: list[Heard] = []
    speech: list[VadEvent] = []
    partials: list[str] = []
    listener.start(ListenMode.HANDS_FREE, grammar=KO_GRAMMAR, on_heard=heard.append, on_partial=partials.append, on_speech=speech.append)
    assert listener.wait(30)
    assert [h.text for h in heard] == words
    assert speech == [VadEvent.STARTED, VadEvent.ENDED] * 3
    assert partials
    assert all(h.recognition.grammar and h.latency_s < 1.0 for h in heard)


def test_push_to_talk_takes_everything_until_release(ko_recognizer, ko_wavs, tmp_path: Path) -> None:
    pcm = silence(0.3) + pcm_of(ko_wavs["처음으로"])[0] + silence(0.3)
    listener = Listener(wav_mic(write(tmp_path / "ptt.wav", pcm)), ko_recognizer)
    heard: list[Heard] = []
    listener.start(ListenMode.PUSH_TO_TALK, grammar=KO_GRAMMAR, on_heard=heard.append)
    assert listener.wait(30)  # the recording ends: as if the key came up
    assert [h.text for h in heard] == ["처음으로"]


class PacedMic:
    """A microphone that plays PCM in real time, then silence until stopped."""

    def __init__(self, pcm: bytes, rate: int = 16000) -> None:
        self.pcm = pcm
        self.rate = rate
        self.stopped = threading.Event()

    def chunks(self, seconds: float | None = None) -> Iterator[AudioChunk]:
        step = 2 * self.rate // 20  # 50 ms blocks
        data = self.pcm
        i = 0
        while not self.stopped.is_set():
            block = data[i : i + step] if i < len(data) else b"\x00\x00" * (step // 2)
            i += step
            time.sleep(0.05)
            yield AudioChunk(block, self.rate)


def test_push_to_talk_release_ends_the_utterance_at_once(ko_recognizer, ko_wavs) -> None:
    pcm, _ = pcm_of(ko_wavs["뒤로"])
    mic = PacedMic(pcm)
    listener = Listener(mic, ko_recognizer)  # type: ignore[arg-type]
    heard: queue.Queue[Heard] = queue.Queue()
    listener.start(ListenMode.PUSH_TO_TALK, grammar=KO_GRAMMAR, on_heard=heard.put)
    time.sleep(len(pcm) / 32000 + 0.3)
    listener.release()
    got = heard.get(timeout=5)
    mic.stopped.set()
    listener.stop()
    assert got.text == "뒤로"
    # The microphone never runs out: only the release can have ended the utterance.
    # Key up → text is one 50 ms block plus Vosk's final result (bench: ~60 ms); the
    # bound leaves room for a loaded machine.
    assert got.latency_s < 1.0


def test_muted_listener_hears_nothing(ko_recognizer, ko_wavs, tmp_path: Path) -> None:
    pcm = silence(0.3) + pcm_of(ko_wavs["서울"])[0] + silence(1.0)
    listener = Listener(wav_mic(write(tmp_path / "m.wav", pcm)), ko_recognizer)
    heard: list[Heard] = []
    listener.mute()
    listener.start(ListenMode.HANDS_FREE, grammar=KO_GRAMMAR, on_heard=heard.append)
    assert listener.wait(30)
    assert heard == []


def test_stop_ends_a_live_microphone(ko_recognizer) -> None:
    mic = SimMic("sim:")
    mic.open()
    listener = Listener(mic, ko_recognizer)
    heard: list[Heard] = []
    listener.start(ListenMode.HANDS_FREE, grammar=KO_GRAMMAR, on_heard=heard.append)
    time.sleep(0.3)
    assert listener.listening
    listener.stop()
    assert not listener.listening and heard == []


def test_a_callback_may_restart_listening(ko_recognizer, ko_wavs, tmp_path: Path) -> None:
    # The app may start the next listen from on_heard, on the listener's own worker.
    pcm = silence(0.3) + pcm_of(ko_wavs["뒤로"])[0] + silence(1.0)
    wav = write(tmp_path / "r.wav", pcm)
    listener = Listener(wav_mic(wav), ko_recognizer)
    heard: queue.Queue[str] = queue.Queue()

    def again(h: Heard) -> None:
        heard.put(h.text)
        if heard.qsize() == 1:
            listener.source = wav_mic(wav)
            listener.start(ListenMode.HANDS_FREE, grammar=KO_GRAMMAR, on_heard=again)

    listener.start(ListenMode.HANDS_FREE, grammar=KO_GRAMMAR, on_heard=again)
    assert [heard.get(timeout=20), heard.get(timeout=20)] == ["뒤로", "뒤로"]
    listener.stop()
