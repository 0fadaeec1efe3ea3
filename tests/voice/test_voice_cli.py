"""``kiosk voice intent|grammar``, ``kiosk say`` and ``kiosk speech recognize`` as a
person runs them (subprocesses)."""

from __future__ import annotations

import json
import shutil
import subprocess
import wave
from pathlib import Path

import pytest

from tests.devices.audio.audio_helpers import KO_GRAMMAR, ko_model_dir, needs_vosk, synth
from tests.support import PYTHON, ROOT, kiosk_env


def kiosk(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "kiosk.cli", *args], capture_output=True, text=True, env=kiosk_env(data), cwd=ROOT, timeout=120)


def test_voice_intent_json(data_dir: Path) -> None:
    out = kiosk(data_dir, "voice", "intent", "我想问问离婚的事", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"intent": "service", "service": "consultation", "confidence": 0.9}


def test_voice_intent_text_screen_and_errors(data_dir: Path) -> None:
    out = kiosk(data_dir, "voice", "intent", "对对对", "--screen", "idle")
    assert out.returncode == 0 and out.stdout.startswith("yes")
    bad = kiosk(data_dir, "voice", "intent", "返回", "--screen", "nowhere")
    assert bad.returncode == 2 and "unknown screen" in bad.stderr


def test_voice_grammar(data_dir: Path) -> None:
    out = kiosk(data_dir, "voice", "grammar", "--screen", "service", "--json")
    assert out.returncode == 0
    assert "取号" in json.loads(out.stdout)


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
def test_say_to_a_file(data_dir: Path, tmp_path: Path) -> None:
    out = kiosk(data_dir, "say", "请B007号到2号窗口办理", "--out", str(tmp_path / "say.wav"))
    assert out.returncode == 0, out.stderr
    with wave.open(str(tmp_path / "say.wav")) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        assert 2.5 < w.getnframes() / w.getframerate() < 7


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
def test_say_through_a_speaker_url(data_dir: Path, tmp_path: Path) -> None:
    out = kiosk(data_dir, "say", "法律援助", "--speaker", f"espeak+wav://{tmp_path}/spk?realtime=0")
    assert out.returncode == 0, out.stderr
    assert [p.name for p in (tmp_path / "spk").glob("*.wav")] == ["0001.wav"]


@needs_vosk()
def test_speech_recognize_grammar_and_free(data_dir: Path, tmp_path: Path) -> None:
    wav = synth("감사합니다", tmp_path / "k.wav")
    model = str(ko_model_dir())
    grammar = kiosk(data_dir, "speech", "recognize", str(wav), "--model", model, "--grammar", ",".join(KO_GRAMMAR), "--json")
    assert grammar.returncode == 0, grammar.stderr
    result = json.loads(grammar.stdout)
    # A grammar confines what is heard to its words; the synthetic voice's onset is
    # sometimes heard as a short word of the grammar (예) before the phrase.
    words = result["text"].split()
    assert "감사합니다" in words and set(words) <= set(KO_GRAMMAR), result
    assert result["grammar"] is True
    assert 0 < result["real_time_factor"] < 1
    free = kiosk(data_dir, "speech", "recognize", str(wav), "--model", model)
    assert free.returncode == 0 and free.stdout.strip()


def test_speech_recognize_without_a_model(data_dir: Path, tmp_path: Path) -> None:
    wav = tmp_path / "s.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x00\x00" * 1600)
    out = kiosk(data_dir, "speech", "recognize", str(wav))
    assert out.returncode == 3 and "kiosk models install vosk-small-cn" in out.stderr
