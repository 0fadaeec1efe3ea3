"""The app's voice input: microphone → endpointer → Vosk (Korean model here), behind the
core's VoiceInput port; deaf while the kiosk itself speaks."""

from __future__ import annotations

import threading
from pathlib import Path

from devices.audio.sim import WavMic
from devices.audio.voice_input import ListeningVoiceInput, open_voice_input
from tests.devices.audio.audio_helpers import KO_GRAMMAR, needs_vosk, pcm_of, silence, write

pytestmark = needs_vosk()


def _mic(ko_wavs: dict[str, Path], tmp_path: Path, words: list[str]) -> WavMic:
    pcm = silence(0.5)
    for w in words:
        pcm += pcm_of(ko_wavs[w])[0] + silence(1.2)
    mic = WavMic("wav://" + str(write(tmp_path / "said.wav", pcm)))
    mic.open()
    return mic


def test_each_utterance_reaches_the_app(ko_recognizer, ko_wavs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    voice = ListeningVoiceInput(_mic(ko_wavs, tmp_path, ["도움말", "변호사"]), ko_recognizer)
    heard: list[str] = []
    done = threading.Event()

    def on_heard(text: str) -> None:
        heard.append(text)
        if len(heard) == 2:
            done.set()

    voice.listen(on_heard, grammar=KO_GRAMMAR)
    assert done.wait(30)
    voice.stop()
    assert heard == ["도움말", "변호사"]


def test_nothing_is_heard_while_the_kiosk_speaks(ko_recognizer, ko_wavs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    voice = ListeningVoiceInput(_mic(ko_wavs, tmp_path, ["도움말"]), ko_recognizer, speaking=lambda: True)
    heard: list[str] = []
    voice.listen(heard.append, grammar=KO_GRAMMAR)
    voice._listener.wait(30)  # noqa: SLF001 — the recording has been played out
    voice.stop()
    assert heard == []


def test_no_model_installed_means_no_voice_input(tmp_path: Path) -> None:
    assert open_voice_input(tmp_path, WavMic("wav:///nonexistent.wav"), lambda: False) is None
