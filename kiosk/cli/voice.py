"""``kiosk voice``, ``kiosk speech``, ``kiosk say``, ``kiosk models``: voice mode from
the command line — what a text means, what a recording says, speech out, models."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.voice.matcher import IntentMatcher

import argparse
import sys
import wave
from pathlib import Path

from kiosk.cli.common import config_of, data_dir_of, print_json
from kiosk.errors import DeviceError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``kiosk voice intent|grammar``, ``kiosk speech recognize``, ``kiosk say`` and
    ``kiosk models install|status``."""
    voice = sub.add_parser("voice", parents=[common], help="voice mode: what a spoken text means")
    vs = voice.add_subparsers(dest="voice_command", metavar="ACTION", required=True)
    intent = vs.add_parser("intent", parents=[common], help="the intent of a recognised text")
    intent.add_argument("text")
    intent.add_argument("--screen", metavar="NAME", help="the screen it was said on (home, service, idle…)")
    intent.add_argument("--json", action="store_true")
    intent.set_defaults(handler=voice_intent)
    grammar = vs.add_parser("grammar", parents=[common], help="the phrases the recogniser listens for on a screen")
    grammar.add_argument("--screen", metavar="NAME")
    grammar.add_argument("--json", action="store_true")
    grammar.set_defaults(handler=voice_grammar)

    speech = sub.add_parser("speech", parents=[common], help="offline speech recognition")
    ss = speech.add_subparsers(dest="speech_command", metavar="ACTION", required=True)
    rec = ss.add_parser("recognize", parents=[common], help="recognise a mono 16-bit WAV file")
    rec.add_argument("wav", metavar="F.wav")
    rec.add_argument("--model", metavar="DIR", help="Vosk model directory (default: DATA_DIR/models/vosk-small-cn)")
    rec.add_argument("--grammar", metavar="W1,W2,…", help="listen only for these phrases")
    rec.add_argument("--json", action="store_true")
    rec.set_defaults(handler=speech_recognize)

    say = sub.add_parser("say", parents=[common], help="speak a text (offline TTS)")
    say.add_argument("text")
    say.add_argument("--out", metavar="F.wav", help="write the speech to a WAV file instead of playing it")
    say.add_argument("--speaker", metavar="URL", default="espeak:", help="espeak:[?device=…&rate=…] or espeak+wav:///DIR (default: espeak:)")
    say.set_defaults(handler=say_text)

    models = sub.add_parser("models", parents=[common], help="speech models")
    ms = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    inst = ms.add_parser("install", parents=[common], help="download, verify and unpack a model")
    inst.add_argument("name", metavar="NAME", help="e.g. vosk-small-cn")
    inst.add_argument("--from", dest="source", metavar="URL_OR_FILE", help="where to get the archive (default: the model's URL)")
    inst.add_argument("--sha256", metavar="HEX", help="expected sha256 of the archive (overrides the pinned one)")
    inst.set_defaults(handler=models_install)
    status = ms.add_parser("status", parents=[common], help="which models are installed")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=models_status)


def _matcher(args: argparse.Namespace) -> IntentMatcher:
    from kiosk.catalog import load_catalog  # deferred: only when this command runs
    from kiosk.voice.matcher import IntentMatcher  # deferred: the voice package loads its matcher; only when this command runs

    config, _ = config_of(args)
    return IntentMatcher(load_catalog(config.catalog))


def voice_intent(args: argparse.Namespace) -> int:
    """Print the intent of ``TEXT``; exit 0 even for ``none`` (it is an answer)."""
    matcher = _matcher(args)
    try:
        intent = matcher.match(args.text, screen=args.screen)
    except ValueError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print_json(intent.as_json())
    else:
        print(f"{intent.intent.value}{' ' + intent.service if intent.service else ''}  ({intent.confidence:.2f})")
    return 0


def voice_grammar(args: argparse.Namespace) -> int:
    """Print the grammar phrases for a screen."""
    matcher = _matcher(args)
    try:
        phrases = matcher.grammar(args.screen)
    except ValueError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print_json(phrases)
    else:
        print("\n".join(phrases))
    return 0


def speech_recognize(args: argparse.Namespace) -> int:
    """Recognise a WAV file with Vosk and print the text (and timings with --json)."""
    from devices.audio.recognizer import VoskRecognizer  # deferred: drivers load only when this command runs
    from devices.audio.sim import WavMic  # deferred: drivers load only when this command runs

    model = Path(args.model) if args.model else data_dir_of(args) / "models" / "vosk-small-cn"
    mic = WavMic("wav://" + str(Path(args.wav).resolve()))
    mic.open()
    if mic.health().state.value != "ready":
        raise DeviceError(mic.health().detail)
    _check_wav(Path(args.wav))
    grammar = [w.strip() for w in args.grammar.split(",") if w.strip()] if args.grammar else None
    recognizer = VoskRecognizer(model, warm_up=False)
    recognizer.open()
    try:
        result = recognizer.recognize_full(mic.chunks(), grammar)
    finally:
        recognizer.close()
    if args.json:
        rtf = result.decode_seconds / result.audio_seconds if result.audio_seconds else 0.0
        print_json(
            {
                "text": result.text,
                "grammar": result.grammar,
                "audio_seconds": round(result.audio_seconds, 3),
                "decode_seconds": round(result.decode_seconds, 3),
                "real_time_factor": round(rtf, 3),
            }
        )
    else:
        print(result.text)
    return 0


def _check_wav(path: Path) -> None:
    with wave.open(str(path), "rb") as w:
        if w.getcomptype() != "NONE":
            raise DeviceError(f"{path}: compressed WAV ({w.getcomptype()}): convert to PCM (sox F.wav -b 16 -c 1 out.wav)")


def say_text(args: argparse.Namespace) -> int:
    """Speak ``TEXT`` on the terminal's speaker, or write it to ``--out``."""
    from devices.audio.tts import EspeakSpeaker, synthesize, write_wav  # deferred: drivers load only when this command runs
    from devices.registry import DeviceContext  # deferred: drivers load only when this command runs

    if args.out:
        pcm, rate = synthesize(args.text)
        write_wav(Path(args.out), pcm, rate)
        print(f"{args.out}: {len(pcm) / 2 / rate:.1f} s")
        return 0
    speaker = EspeakSpeaker.from_url(args.speaker, DeviceContext(data_dir=data_dir_of(args)))
    speaker.open()
    try:
        health = speaker.health()
        if health.state.value != "ready":
            raise DeviceError(f"cannot speak: {health.detail} (use --out F.wav)")
        speaker.say(args.text)
        speaker.wait_idle(timeout=120)
    finally:
        speaker.close()
    return 0


def models_install(args: argparse.Namespace) -> int:
    """Install a model into DATA_DIR/models/NAME."""
    from kiosk.voice.models import default_progress, install_model  # deferred: the voice package loads its matcher; only when this command runs

    data_dir = data_dir_of(args)
    path = install_model(data_dir, args.name, source=args.source, sha256=args.sha256, progress=default_progress(args.name))
    print(f"{args.name}: installed in {path}")
    return 0


def models_status(args: argparse.Namespace) -> int:
    """List the models and whether each is installed; exit 1 if any is missing."""
    from kiosk.voice.models import check_model, load_models  # deferred: the voice package loads its matcher; only when this command runs

    data_dir = data_dir_of(args)
    statuses = [check_model(data_dir, name) for name in sorted(load_models())]
    if args.json:
        print_json([{"name": s.name, "ok": s.ok, "path": str(s.path), "detail": s.detail} for s in statuses])
    else:
        for s in statuses:
            print(f"{s.name:16} {'ok' if s.ok else 'MISSING':8} {s.detail}")
    return 0 if all(s.ok for s in statuses) else 1


