"""Presence scenarios played on the real app (tests/presence/test_presence_app.py): the
simulated camera shows real face photographs, the real detector looks at them, and the
technician's simulator controls choose who is in front of the terminal."""

from __future__ import annotations

import time
from typing import Any

from tests.support.ui import Scenarios, Steps, look, spoken, wait_for

# Few frames a second: the detector and the camera simulator need the CPU more.
SCENARIOS = Scenarios(maxfps=20)
GREETING = "您好，请问需要什么法律服务？"


def _presence(p: Any) -> Any:
    return p.app.terminal.flow.features.get("presence")


def _greetings(p: Any) -> int:
    return sum(1 for s in spoken(p) if s == GREETING)


def _show(p: Any, scene: str) -> None:
    p.app.act(f"sim:camera.scene.{scene}")  # the technician screen's button does this


@SCENARIOS.add
def greet(p: Any, record: dict[str, Any]) -> Steps:
    """Someone walks up and stays: greeted once, the eyes follow; they leave and someone
    comes: greeted again."""
    face = p.app.uis["presence"].face
    record["has_face"] = face is not None
    look(p, record, "presence_nobody", photograph=False)
    record["open_nobody"] = face.openness
    _show(p, "approaching")
    yield from wait_for(p, lambda: _greetings(p) >= 1, 25)
    samples = []
    mouth = []
    for _ in range(45):  # the person shifts from side to side over ~9 s
        samples.append((_presence(p).gaze(), face.pupil_offset()))
        mouth.append(face.speaking)
        yield 0.2
    record["samples"] = samples
    record["mouth"] = [mouth[0], mouth[-1]]  # moving while the greeting plays, still after
    record["greetings_while_staying"] = _greetings(p)
    record["blinks"] = face.blinks
    look(p, record, "presence_face")
    _show(p, "nobody")
    yield from wait_for(p, lambda: _presence(p).watcher.people() == 0, 15)
    _show(p, "approaching")
    yield from wait_for(p, lambda: _greetings(p) >= 2, 25)
    record["greetings_after_second"] = _greetings(p)
    record["screen"] = p.app.sm.current


@SCENARIOS.add
def passer(p: Any, record: dict[str, Any]) -> Steps:
    """Someone walks past twice: seen, never greeted."""
    _show(p, "passing")
    start = time.monotonic()
    seen = False
    while time.monotonic() - start < 11:
        seen = seen or _presence(p).watcher.people() > 0
        yield 0.2
    record["seen"] = seen
    record["greetings"] = _greetings(p)


@SCENARIOS.add
def leave(p: Any, record: dict[str, Any]) -> Steps:
    """Someone walks up, starts a visit and walks off: the idle question comes at once."""
    _show(p, "leaving")
    yield from wait_for(p, lambda: _presence(p).engaged is not None, 20)
    yield p.tap("start")
    record["screen_in_visit"] = p.app.sm.current
    started = time.monotonic()
    flow = p.app.terminal.flow
    yield from wait_for(p, lambda: flow.visit.idle_warning, 20)
    record["question_after_s"] = time.monotonic() - started
    record["idle_seconds"] = flow._idle
    record["timeout_now"] = flow.idle_timeout()
    look(p, record, "presence_left")


@SCENARIOS.add
def stays(p: Any, record: dict[str, Any]) -> Steps:
    """Someone walks up and stays a few seconds after engaging."""
    _show(p, "approaching")
    yield from wait_for(p, lambda: _presence(p).engaged is not None, 25)
    yield 3.0
    record["greetings"] = _greetings(p)


@SCENARIOS.add
def shots(p: Any, record: dict[str, Any]) -> Steps:
    """The face with nobody there; the technician chooses "someone walks up" by hand on
    the simulator controls; the face with the person in view."""
    sfx = record.get("suffix", "")
    look(p, record, "presence_attract_nobody" + sfx)
    site = p.app.sm.current_screen.ids.site
    x, y = site.to_window(*site.center)
    for _ in range(5):
        yield p.tap_at(x, y)
    for key in p.app.terminal.config.technician.pin:
        yield p.tap(f"pin:{key}")
    yield p.tap("pin:ok")
    yield 0.3
    yield p.reveal("sim:camera.scene.approaching")
    look(p, record, "presence_technician" + sfx)
    yield p.tap("sim:camera.scene.approaching")
    yield p.tap("tech_exit")
    yield from wait_for(p, lambda: _presence(p).engaged is not None, 25)
    yield 1.0
    look(p, record, "presence_attract_person" + sfx)
    record["screen"] = p.app.sm.current
    record["greetings"] = _greetings(p)


@SCENARIOS.add
def language(p: Any, record: dict[str, Any]) -> Steps:
    """The camera notice follows the language: English while a visit is in English, and
    Chinese again on the attract screen once that visit has ended."""
    face = p.app.uis["presence"].face
    record["notice_start"] = face.label.text
    p.app.act("start")
    yield 0.2
    p.app.act("lang")
    yield 0.2
    record["notice_en"] = face.notice
    p.app.act("home")
    yield 0.2
    p.app.act("lang")  # back to Chinese within the visit
    yield 0.2
    p.app.act("lang")  # and to English again: the visit ends in English
    yield 0.2
    p.app.act("finish")
    yield from wait_for(p, lambda: p.app.sm.current == "attract", 10)
    yield 0.3
    record["screen"] = p.app.sm.current
    record["notice_after"] = face.label.text


@SCENARIOS.add
def unplugged(p: Any, record: dict[str, Any]) -> Steps:
    """The camera unplugged (the technician's simulator switch): the notice about what
    the camera is used for goes; plugged in again, it comes back."""
    face = p.app.uis["presence"].face
    record["before"] = face.label.text
    p.app.act("sim:camera.toggle")
    yield from wait_for(p, lambda: face.label.text == "", 10)
    record["unplugged"] = face.label.text
    look(p, record, "presence_camera_unplugged", photograph=False)
    p.app.act("sim:camera.toggle")
    yield from wait_for(p, lambda: face.label.text != "", 15)
    record["plugged"] = face.label.text


@SCENARIOS.add
def off(p: Any, record: dict[str, Any]) -> Steps:
    """Presence switched off: the plain 法 badge, no watcher, no camera notice."""
    yield 0.5
    record["has_face"] = p.app.uis["presence"].face is not None
    record["watcher"] = _presence(p).watcher is not None
    look(p, record, "attract", photograph=False)
