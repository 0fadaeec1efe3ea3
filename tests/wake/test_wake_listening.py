"""Listening for the name with the real recogniser (Vosk, the Korean test model) on the
simulated microphone and on recordings: the name wakes, other speech does not, and the
microphone has one reader at a time."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from devices.audio.sim import SimMic, WavMic
from kiosk.errors import DeviceError
from kiosk.wake.spotter import WakeSpotter, Word
from tests.devices.audio.audio_helpers import ko_model_dir, needs_vosk, pcm_of, silence, synth, write
from tests.wake.wake_audio import KO_DECOYS, KO_OTHER, KO_PHRASE

pytestmark = needs_vosk()


@pytest.fixture(scope="module")
def voice_parts() -> Iterator[object]:
    """An opened recogniser on the Korean model (loaded once for this file)."""
    from devices.audio.recognizer import VoskRecognizer  # deferred: heavy (Vosk), only when the model is there

    rec = VoskRecognizer(ko_model_dir())  # type: ignore[arg-type]
    rec.open()
    yield rec
    rec.close()


def _listen(recognizer: object, wav: Path, spotter: WakeSpotter) -> list[list[Word]]:
    from devices.audio.voice_input import ListeningVoiceInput  # deferred: heavy (Vosk) with the recogniser

    heard: list[list[Word]] = []
    voice = ListeningVoiceInput(WavMic("wav://" + str(wav)), recognizer)  # type: ignore[arg-type]
    voice.listen_words(spotter.grammar(), heard.append)
    deadline = time.monotonic() + 60
    while voice.listening and time.monotonic() < deadline:
        time.sleep(0.05)
    voice.stop()
    return heard


def test_the_name_wakes_at_several_speeds_and_other_speech_never(voice_parts: object, tmp_path: Path) -> None:
    spotter = WakeSpotter(KO_PHRASE, 0.9, KO_DECOYS)
    pcm = silence(0.5)
    for speed in (110, 130, 150):
        pcm += pcm_of(synth(KO_PHRASE.replace(" ", ""), tmp_path / f"name{speed}.wav", speed=speed))[0] + silence(1.5)
    names = _listen(voice_parts, write(tmp_path / "names.wav", pcm), spotter)
    assert len(names) == 3 and all(spotter.wakes(words) for words in names), names
    pcm = silence(0.5)
    for i, said in enumerate(KO_OTHER):
        pcm += pcm_of(synth(said, tmp_path / f"other{i}.wav"))[0] + silence(1.5)
    others = _listen(voice_parts, write(tmp_path / "others.wav", pcm), spotter)
    assert len(others) == len(KO_OTHER)  # every utterance was heard…
    assert not any(spotter.wakes(words) for words in others), others  # …and none was the name
    # The words come with the recogniser's confidences, which the threshold is on.
    assert all(0.0 <= conf <= 1.0 for words in names + others for _, conf in words)


def test_without_decoys_anything_is_forced_onto_the_name(voice_parts: object, tmp_path: Path) -> None:
    """Why the decoys are there: a grammar of the name alone hears chatter as the name."""
    pcm = silence(0.5)
    for i, said in enumerate(KO_OTHER):
        pcm += pcm_of(synth(said, tmp_path / f"other{i}.wav"))[0] + silence(1.5)
    heard = _listen(voice_parts, write(tmp_path / "others.wav", pcm), WakeSpotter(KO_PHRASE, 0.0))
    bare = WakeSpotter(KO_PHRASE, 0.0)
    assert sum(bare.wakes(words) for words in heard) >= 2


def test_one_reader_of_the_microphone_at_a_time(voice_parts: object) -> None:
    from devices.audio.voice_input import ListeningVoiceInput  # deferred: heavy (Vosk) with the recogniser

    mic = SimMic("sim:")
    mic.open()
    voice = ListeningVoiceInput(mic, voice_parts)  # type: ignore[arg-type]
    voice.listen_words(WakeSpotter(KO_PHRASE, 0.9, KO_DECOYS).grammar(), lambda words: None)
    time.sleep(0.3)
    voice.listen(lambda text: None, grammar=["도움말"])  # voice mode takes over
    time.sleep(0.3)
    readers = [t for t in threading.enumerate() if t.name.startswith("listener-")]
    assert len(readers) == 1 and voice.listening
    voice.stop()
    assert not voice.listening


def test_the_simulated_mic_says_a_recording_in_real_time(tmp_path: Path) -> None:
    mic = SimMic("sim:")
    mic.open()
    said = write(tmp_path / "said.wav", b"\x01\x00" * 4000)  # a quarter of a second
    assert mic.play(said) == 0.25
    t0 = time.monotonic()
    chunks = [c.pcm for c in mic.chunks(seconds=0.5)]
    assert time.monotonic() - t0 >= 0.45  # paced as speech is
    assert chunks[0] == b"\x01\x00" * 1600 and chunks[2] == b"\x01\x00" * 800 + b"\x00\x00" * 800
    assert chunks[3] == b"\x00\x00" * 1600  # silence again after it
    with pytest.raises(DeviceError, match="mono 16-bit"):
        mic.play(write(tmp_path / "8k.wav", b"\x00\x00" * 800, rate=8000))
    with pytest.raises(DeviceError, match="cannot read"):
        mic.play(tmp_path / "missing.wav")
