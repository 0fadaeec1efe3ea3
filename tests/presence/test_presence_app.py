"""Presence in the running app (offscreen), with the simulated camera's real faces and
the real detector: greeting, passers-by, eyes following, leaving mid-visit."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.support import ROOT
from tests.support.ui import run_scenario

MODULE = "tests.presence.scenarios"
# No quiet hours: the greeting must be said whatever time the test runs.
CONFIG = "[presence]\nquiet_hours = [0, 0]\n"


def _given(config: str = CONFIG) -> dict[str, Any]:
    shots = str(ROOT / "docs" / "screens") if os.environ.get("KIOSK_DOC_SHOTS") else ""
    return {"config": config, "shots": shots}


def test_an_engaged_person_is_greeted_once_and_the_eyes_follow(tmp_path: Path) -> None:
    rec = run_scenario(MODULE, "greet", tmp_path, _given(), timeout=180)
    assert rec["has_face"]
    assert rec["greetings_while_staying"] == 1  # staying nine seconds: still one greeting
    assert rec["greetings_after_second"] == 2  # the next person is greeted too
    assert rec["screen"] == "attract"  # greeting does not start a visit by itself
    # The eyes follow: looking left when the person is on the left, right when right.
    # (The eyes glide, so a sample taken just as the person crossed may lag: most, not all.)
    left = [off for gaze, off in rec["samples"] if gaze is not None and gaze < 0.4]
    right = [off for gaze, off in rec["samples"] if gaze is not None and gaze > 0.6]
    assert len(left) >= 3 and len(right) >= 3, rec["samples"]
    assert sum(off < 0 for off in left) >= 0.8 * len(left), rec["samples"]
    assert sum(off > 0 for off in right) >= 0.8 * len(right), rec["samples"]
    assert rec["blinks"] >= 1
    assert rec["mouth"] == [True, False]  # the face speaks with the voice, and stops


def test_a_passer_by_is_never_greeted(tmp_path: Path) -> None:
    rec = run_scenario(MODULE, "passer", tmp_path, _given(), timeout=120)
    assert rec["seen"]  # the detector did see them go by
    assert rec["greetings"] == 0


def test_quiet_hours_keep_the_greeting_silent(tmp_path: Path) -> None:
    rec = run_scenario(MODULE, "stays", tmp_path, _given("[presence]\nquiet_hours = [0, 24]\n"), timeout=120)
    assert rec["greetings"] == 0  # engaged (the scenario waited for it), but not said aloud


def test_leaving_mid_visit_brings_the_idle_question_at_once(tmp_path: Path) -> None:
    rec = run_scenario(MODULE, "leave", tmp_path, _given(), timeout=120)
    assert rec["screen_in_visit"] == "home"
    # Asked within seconds of walking off, not after the 60 s idle wait.
    assert rec["question_after_s"] < rec["idle_seconds"] / 3, rec
    assert rec["timeout_now"] <= 20


def test_the_technician_shows_a_person_to_the_simulated_camera_by_hand(tmp_path: Path) -> None:
    for size, suffix in (("1280x800", ""), ("800x1280", "-portrait")):
        rec = run_scenario(MODULE, "shots", tmp_path / suffix.strip("-"), {**_given(), "suffix": suffix}, size=size,
                           timeout=120)
        technician = next(s for s in rec["steps"] if s["label"] == "presence_technician" + suffix)
        assert "摄像头：有人走近并停留" in technician["texts"]
        person = next(s for s in rec["steps"] if s["label"] == "presence_attract_person" + suffix)
        # The camera notice is on the attract screen; the person was greeted once.
        assert "摄像头仅用于感知有人到来，不识别、不保存画面" in person["texts"]
        assert rec["screen"] == "attract" and rec["greetings"] == 1


def test_the_camera_notice_follows_the_language(tmp_path: Path) -> None:
    rec = run_scenario(MODULE, "language", tmp_path, _given(), timeout=120)
    chinese = "摄像头仅用于感知有人到来，不识别、不保存画面"
    assert rec["notice_start"] == chinese
    assert rec["notice_en"] not in ("", chinese) and rec["notice_en"].isascii()
    # A visit that ended in English leaves the attract screen all in Chinese again.
    assert rec["screen"] == "attract" and rec["notice_after"] == chinese


def test_an_unplugged_camera_takes_its_notice_off_the_attract_screen(tmp_path: Path) -> None:
    rec = run_scenario(MODULE, "unplugged", tmp_path, _given(), timeout=120)
    chinese = "摄像头仅用于感知有人到来，不识别、不保存画面"
    assert rec["before"] == chinese
    assert rec["unplugged"] == "" and chinese not in rec["steps"][-1]["texts"]
    assert rec["plugged"] == chinese


def test_switched_off_the_attract_screen_keeps_its_badge(tmp_path: Path) -> None:
    rec = run_scenario(MODULE, "off", tmp_path, _given("[presence]\nenabled = false\n"), timeout=120)
    assert not rec["has_face"] and not rec["watcher"]
    texts = rec["steps"][-1]["texts"]
    assert "法" in texts and "摄像头仅用于感知有人到来，不识别、不保存画面" not in texts
