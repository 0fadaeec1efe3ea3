"""The wake word on the real app, offscreen, each scenario in a fresh process.

    python -m tests.support.ui tests.wake.ui_scenarios NAME DATA_DIR OUT.json [WxH] [JSON]

``record["vosk_model"]`` puts a real Vosk voice input on the simulated microphone, which
the scenario speaks into (``SimMic.play``) with ``record["wake_wav"]`` (the name) and
``record["other_wav"]`` (other speech); without it no speech model is installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support import ui
from tests.support.ui import Scenarios, Steps, go, look, wait_for

SCENARIOS = Scenarios(maxfps=30)
scenario = SCENARIOS.add


def wake_ui(p: Any) -> Any:
    """The wake word's side in the running app."""
    return p.app.uis["wake"]


def listening(p: Any) -> bool:
    """Something reads the microphone now (the wake word or voice mode)."""
    voice = p.app.terminal.voice_input
    return voice is not None and bool(voice.listening)


def say(p: Any, wav: str) -> None:
    """Speak the recording into the simulated microphone."""
    p.app.terminal.mic().play(Path(wav))


def state(p: Any) -> dict[str, Any]:
    """What a person (and the test) can tell about the terminal now."""
    return {"screen": p.app.sm.current, "voice": bool(p.app.voice), "wake_listening": wake_ui(p).listening,
            "mic_listened_to": listening(p), "utterances": wake_ui(p).utterances,
            "wakes": p.app.terminal.flow.features.get("wake").wakes}


@scenario
def wake(p: Any, record: dict[str, Any]) -> Steps:
    """Other speech on attract, then the name; then a visit without voice mode."""
    yield from wait_for(p, lambda: wake_ui(p).listening, 40, settle=0.5)
    record["ready"] = state(p)
    look(p, record, "wake_attract")
    # Other speech (half the name, a greeting, a request…): heard, and nothing happens.
    before = wake_ui(p).utterances
    say(p, record["other_wav"])
    yield from wait_for(p, lambda: wake_ui(p).utterances >= before + record["other_count"], 40, settle=1.0)
    record["after_other"] = state(p)
    # The name: voice mode starts, as with the 语音服务 button.
    before = wake_ui(p).utterances
    say(p, record["wake_wav"])
    yield from wait_for(p, lambda: p.app.voice, 20, settle=1.0)
    record["after_wake"] = state(p)
    record["spoken_after_wake"] = ui.spoken(p)
    look(p, record, "wake_voice_home", photograph=False)
    # Voice mode off by touch: a visit goes on, and nothing listens to the microphone.
    yield from go(p, "voice", "home")
    yield 1.0
    record["visit"] = state(p)
    say(p, record["wake_wav"])
    yield 6.0
    record["visit_after_name"] = state(p)
    # The visit ends: the name is listened for again.
    p.app.act("finish")
    yield from wait_for(p, lambda: p.app.sm.current == "attract" and wake_ui(p).listening, 10, settle=0.3)
    record["after_visit"] = state(p)
    look(p, record, "wake_attract_again", photograph=False)
    # The microphone unplugged (the technician's simulator control): the listening ends,
    # and the screen stops saying it listens; plugged back, it listens again.
    p.app._run_sim_action("mic.toggle")
    yield from wait_for(p, lambda: not wake_ui(p).listening, 5, settle=0.3)
    record["unplugged"] = state(p)
    look(p, record, "wake_attract_unplugged", photograph=False)
    p.app._run_sim_action("mic.toggle")
    yield from wait_for(p, lambda: wake_ui(p).listening, 20, settle=0.3)
    record["plugged_back"] = state(p)


@scenario
def unspellable(p: Any, record: dict[str, Any]) -> Steps:
    """A model that cannot spell the name (another language): it is not listened for."""
    yield from wait_for(p, lambda: p.app.terminal.voice_input is not None, 40)
    yield 2.0  # several of the wake word's checks
    record["ready"] = state(p)
    look(p, record, "wake_attract_unspellable", photograph=False)


@scenario
def no_model(p: Any, record: dict[str, Any]) -> Steps:
    """No speech model installed: nothing listens, and the attract screen does not say it does."""
    yield 3.0  # several of the wake word's checks
    record["ready"] = state(p)
    record["voice_input"] = p.app.terminal.voice_input is not None
    look(p, record, "wake_attract_no_model", photograph=False)
    say(p, record["wake_wav"])
    yield 5.0
    record["after_name"] = state(p)
