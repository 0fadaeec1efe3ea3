"""Drive the real app offscreen, in a process of its own, and record what a person sees.

Kivy has one window per process, so each UI scenario runs in a fresh process and writes
what it saw to a JSON record the test then reads. Both halves live here:

- the test's side: ``run_scenario("tests.screens.scenarios", "visit", data_dir, given)``
  starts ``python -m tests.support.ui MODULE NAME DATA_DIR OUT.json WxH GIVEN_JSON`` and
  returns the record (``start_scenario`` leaves it running, for a test that acts meanwhile);
- the app's side: a scenario module holds ``SCENARIOS = Scenarios(...)`` and its
  scenarios, generators that take the ``screens.pilot.Pilot`` and the record (``given``
  plus ``data_dir``) and yield the seconds to let the app run before the next step:

      @SCENARIOS.add
      def visit(p, record):
          yield p.tap("start")
          look(p, record, "home")

  and the helpers below (``look``, ``wait_for``, ``go``, ``hear``, ``focus_on``,
  ``place_card``, ``draw_strokes``, ``spoken``) that the scenarios of every feature share.

Kivy must not be imported before ``screens.env.prepare_kivy`` has set it up, and the
test's process never imports it at all: so every Kivy, screens and app import here is
inside the function that needs it.
"""

from __future__ import annotations

import importlib
import json
import logging
import subprocess
import sys
import threading
from datetime import datetime, time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Generator, Iterable

from kiosk.config import KioskConfig, OpeningHours, parse_config
from kiosk.events import SpeechHeard
from kiosk.logs import setup_logging
from kiosk.ports import DeviceKind
from tests.support import PYTHON, ShiftedClock, kiosk_env

Steps = Generator[float, None, None]
Scenario = Callable[[Any, dict[str, Any]], Steps]
DEFAULT_SIZE = "1280x800"
# The keys of a USB keypad, as Kivy numbers them (screens/focus.py has the same).
KEY_ENTER, KEY_ESCAPE, KEY_DOWN, KEY_UP, KEY_RIGHT = 13, 27, 274, 273, 275


# --- the test's side --------------------------------------------------------------------


def scenario_command(module: str, name: str, data_dir: Path, out: Path, size: str = DEFAULT_SIZE,
                     given: dict[str, Any] | None = None) -> list[str]:
    """The command line that plays scenario ``name`` of ``module`` in a fresh process."""
    return [PYTHON, "-m", "tests.support.ui", module, name, str(data_dir), str(out), size, json.dumps(given or {})]


def start_scenario(module: str, name: str, data_dir: Path, given: dict[str, Any] | None = None, *,
                   size: str = DEFAULT_SIZE, out: Path | None = None) -> subprocess.Popen[str]:
    """Start scenario ``name`` of ``module`` and leave it running; its record goes to
    ``out`` (``DATA_DIR/NAME.json`` when not given). Its stderr is kept for the test."""
    data_dir.mkdir(parents=True, exist_ok=True)
    out = out or data_dir / f"{name}.json"
    return subprocess.Popen(scenario_command(module, name, data_dir, out, size, given), env=kiosk_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def run_scenario(module: str, name: str, data_dir: Path, given: dict[str, Any] | None = None, *,
                 size: str = DEFAULT_SIZE, out: Path | None = None, timeout: float = 120) -> dict[str, Any]:
    """Play scenario ``name`` of ``module`` to its end in a fresh process; its record.
    The test fails with the process's stderr when the scenario failed."""
    data_dir.mkdir(parents=True, exist_ok=True)
    out = out or data_dir / f"{name}.json"
    proc = subprocess.run(scenario_command(module, name, data_dir, out, size, given), env=kiosk_env(),
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    record: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return record


def step(record: dict[str, Any], label: str) -> dict[str, Any]:
    """The step of ``record`` looked at under ``label``."""
    return next(s for s in record["steps"] if s["label"] == label)


def text(record: dict[str, Any], label: str) -> str:
    """The texts on screen at step ``label``, one per line."""
    return "\n".join(step(record, label)["texts"])


# --- the app's side: what every scenario uses -------------------------------------------


@dataclass
class Options:
    """How the app is set up for a module's scenarios."""

    # Frames a second; None keeps Kivy's 60. A script that waits in tenths of seconds
    # needs fewer, and leaves the CPU to speech decoding and other tests on 2 cores.
    maxfps: int | None = None
    # Write the log a technician would fetch into the data dir.
    app_log: bool = False
    # A queue already being served (as ``kiosk screenshot`` seeds it).
    demo_queue: bool = False
    # How often the terminal's agent looks at the outbox (None: its default).
    outbox_poll_seconds: float | None = None


class Scenarios(dict[str, Scenario]):
    """A module's scenarios by name, and how the app is set up to play them."""

    def __init__(self, *, maxfps: int | None = None, app_log: bool = False, demo_queue: bool = False,
                 outbox_poll_seconds: float | None = None) -> None:
        super().__init__()
        self.options = Options(maxfps, app_log, demo_queue, outbox_poll_seconds)

    def add(self, fn: Scenario) -> Scenario:
        """Register ``fn`` under its name (use as a decorator)."""
        self[fn.__name__] = fn
        return fn


def begin(p: Any) -> Steps:
    """Leave the start screen by its button, unless a setting chosen there (长辈版,
    语音服务) has already opened the home screen."""
    if p.app.sm.current == "attract":
        yield p.tap("start")
    else:
        yield 0.5  # the home screen is still being laid out for the setting chosen


def look(p: Any, record: dict[str, Any], label: str, *, photograph: bool = True) -> dict[str, Any]:
    """Remember what is on screen now under ``label`` (its screen and texts), and
    photograph it into ``record["shots"]`` when the test asked for pictures."""
    seen = {"label": label, "screen": p.app.sm.current, "texts": p.texts()}
    record.setdefault("steps", []).append(seen)
    if photograph and record.get("shots"):
        p.screenshot(Path(record["shots"]) / f"{label}.png")
    return seen


def wait_for(p: Any, pred: Callable[[], Any], seconds: float = 10.0, *, settle: float = 0.0) -> Steps:
    """Let the app run until ``pred()`` or ``seconds`` pass (then the test sees the state
    as it is), and ``settle`` seconds more when given."""
    for _ in range(int(seconds / 0.1)):
        if pred():
            break
        yield 0.1
    if settle:
        yield settle


def go(p: Any, action: str, screen: str) -> Steps:
    """Tap ``action`` and wait for ``screen``. On a loaded machine the layout of a screen
    just shown may still be settling when the finger comes: a tap that missed is tried
    once more, as a person would tap again."""
    for _ in range(2):
        yield p.tap(action)
        yield from wait_for(p, lambda: p.app.sm.current == screen, 4)
        if p.app.sm.current == screen:
            yield 0.2
            return


def hear(p: Any, words: str) -> None:
    """Recognised speech at the recogniser's boundary: posted from a worker thread
    through the app's one bridge, as the listener does."""
    threading.Thread(target=p.app.bridge.post, args=(SpeechHeard(words),)).start()


def focus_on(p: Any, action: str, tries: int = 40) -> Steps:
    """Press Right (on through every button in reading order) until the focus ring is
    on ``action``, as a person listening would; AssertionError when it never gets there
    (the button is not reachable by keypad)."""
    for _ in range(tries):
        focused = p.app.keypad.focused
        if focused is not None and focused.action == action:
            return
        yield p.press_key(KEY_RIGHT)
    raise AssertionError(f"the keypad never reached {action}")


def place_card(p: Any, action: str, leaves: str = "card", seconds: float = 8.0) -> Steps:
    """The technician's simulator control puts a demo card on the simulated reader (the
    real driver reads it over a pty); wait until the app leaves ``leaves``. A card of
    someone 60 or older brings the offer of elder mode first: declined."""
    p.app._run_sim_action(action)
    yield from wait_for(p, lambda: p.app.sm.current != leaves, seconds)
    yield 0.2
    offer = getattr(p.app, "_offer", None)
    if offer is not None and offer.parent is not None:
        yield p.tap("elder_offer:no")


def draw_strokes(widget: Any, strokes: Iterable[Iterable[tuple[float, float]]]) -> None:
    """A finger draws ``strokes`` on ``widget`` (real touches, down, moves, up); each
    point is a fraction of the widget's width and height."""
    # deferred: Kivy is imported only in the app's process, after prepare_kivy
    from kivy.base import EventLoop
    from screens.pilot import PilotTouch  # deferred: it imports Kivy

    x0, y0 = widget.to_window(*widget.pos)
    for stroke in strokes:
        pts = [(x0 + fx * widget.width, y0 + fy * widget.height) for fx, fy in stroke]
        touch = PilotTouch(*pts[0])
        EventLoop.post_dispatch_input("begin", touch)
        for x, y in pts[1:]:
            touch.move((x, y))
            EventLoop.post_dispatch_input("update", touch)
        EventLoop.post_dispatch_input("end", touch)


def speaker(p: Any) -> Any:
    """The terminal's (simulated) speaker."""
    return p.app.terminal.devices[DeviceKind.SPEAKER]


def spoken(p: Any) -> list[str]:
    """What the speaker simulator has said so far."""
    return list(speaker(p).spoken())


# --- the app's side: one process, one scenario ------------------------------------------


def play_app(terminal: Any, app: Any, script: Callable[[Any], Steps]) -> None:
    """Run ``app`` and play ``script`` once the terminal's devices are open (the
    simulators start after the first frame); the app stops when the script ends."""
    # deferred: Kivy is imported only in the app's process, after prepare_kivy
    from screens.pilot import run_script

    def when_ready(p: Any) -> Steps:
        # What a person sees is read from the widgets (texts, places, sizes), never from
        # the pixels: frames are not drawn, which is most of the CPU offscreen, except
        # the one a photograph needs (Pilot.screenshot draws it).
        p.draw_frames(False)
        while not terminal.devices_ready.is_set():
            yield 0.05
        yield from script(p)

    run_script(app, when_ready)


def play(scenarios: Scenarios, name: str, data_dir: Path, out: Path, size: str = DEFAULT_SIZE,
         given: dict[str, Any] | None = None) -> None:
    """Build the terminal (simulated devices; ``given["config"]`` is its TOML), join the
    centre when that config has a [fleet] section (the real agent), put a real Vosk voice
    input on a recording when ``given`` names ``vosk_model`` and ``wav`` (on the simulated
    microphone, which ``SimMic.play`` speaks into, when it names only ``vosk_model``), then play
    scenario ``name`` on the real app and write its record to ``out`` (even when it fails,
    so the test sees how far it got)."""
    record: dict[str, Any] = dict(given or {})
    record["data_dir"] = str(data_dir)
    options = scenarios.options
    width, height = (int(v) for v in size.split("x"))
    # deferred: every import below needs prepare_kivy first, and only this process plays
    from screens.env import prepare_kivy

    prepare_kivy(width, height, offscreen=True)
    if options.maxfps:
        from kivy.config import Config  # deferred: after prepare_kivy

        Config.set("graphics", "maxfps", str(options.maxfps))
    # deferred: the app's modules load after prepare_kivy, as `kiosk run` loads them
    from kiosk.bootstrap import build_terminal
    from screens.app import KioskApp  # deferred: it imports Kivy

    if options.app_log:
        setup_logging(data_dir, level=logging.INFO, to_stderr=False)
    config = parse_config(record["config"]) if "config" in record else KioskConfig()
    if not record.get("now") and "[hours]" not in record.get("config", ""):
        # A scenario plays the same at any hour of the test run: the windows open round
        # the clock, unless it sets the time (``now``) or the hours itself.
        config = config.model_copy(update={"hours": OpeningHours(days=(1, 2, 3, 4, 5, 6, 7), open=time(0, 0),
                                                                 close=time(23, 59, 59))})
    # ``given["now"]`` (ISO, with offset): the scenario plays at that wall-clock time.
    clock = ShiftedClock(datetime.fromisoformat(record["now"])) if record.get("now") else None
    # As `kiosk run` builds it: the features load once the attract screen is drawn.
    terminal = build_terminal(config, data_dir, simulate=True, clock=clock, defer_features=True)
    if options.demo_queue:
        from kiosk.cli.screenshot import seed_demo_queue  # deferred: only these scenarios

        seed_demo_queue(terminal)
    agent = None
    if config.fleet.enabled:
        from fleet.agent import start_agent  # deferred: only when the scenario joins a centre

        if options.outbox_poll_seconds is None:
            agent = start_agent(terminal, config.fleet)
        else:
            agent = start_agent(terminal, config.fleet, outbox_poll_seconds=options.outbox_poll_seconds)
    if record.get("vosk_model"):
        # deferred: heavy (Vosk), only for dictation
        from devices.audio.recognizer import VoskRecognizer
        from devices.audio.sim import WavMic  # deferred with the recogniser
        from devices.audio.voice_input import ListeningVoiceInput  # deferred with the recogniser

        if record.get("wav"):
            mic = WavMic("wav://" + record["wav"])
            mic.open()
            terminal.voice_input_factory = lambda: ListeningVoiceInput(mic, VoskRecognizer(record["vosk_model"]))
        else:  # the terminal's own (simulated) microphone: the scenario says things into it
            def on_sim_mic() -> ListeningVoiceInput | None:
                sim_mic, speaker = terminal.mic(), terminal.speaker()
                if sim_mic is None:
                    return None
                speaking = lambda: speaker is not None and speaker.speaking  # noqa: E731
                return ListeningVoiceInput(sim_mic, VoskRecognizer(record["vosk_model"]), speaking)

            terminal.voice_input_factory = on_sim_mic
    try:
        play_app(terminal, KioskApp(terminal), lambda p: scenarios[name](p, record))
    finally:
        if agent is not None:
            agent.close()
        terminal.close()
        out.write_text(json.dumps(record, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """``python -m tests.support.ui MODULE NAME DATA_DIR OUT.json [WxH] [GIVEN_JSON]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 4:
        raise SystemExit(main.__doc__)
    module, name, data_dir, out = args[0], args[1], Path(args[2]), Path(args[3])
    size = args[4] if len(args) > 4 else DEFAULT_SIZE
    given = json.loads(args[5]) if len(args) > 5 else {}
    scenarios = importlib.import_module(module).SCENARIOS
    if name not in scenarios:
        raise SystemExit(f"{module} has no scenario {name!r}; it has: {', '.join(sorted(scenarios))}")
    play(scenarios, name, data_dir, out, size, given)


if __name__ == "__main__":
    # Run as ``-m``, this file is ``__main__``; the scenario modules import it as
    # ``tests.support.ui``. Play through that one copy, so both share one module state.
    importlib.import_module("tests.support.ui").main()
