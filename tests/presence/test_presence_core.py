"""Presence without Kivy: the tracker's rules, the camera handed to a video call and
back (real simulated camera, real detector), the footfall at the centre (real agent,
real Mosquitto, the centre's figures), and ``kiosk presence watch`` on a video file."""

from __future__ import annotations

import json
import subprocess
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from devices.camera.sim import SimCamera
from fleet.center import figures
from fleet.center.report import to_csv
from kiosk import events as ev
from kiosk.ports import DeviceKind
from kiosk.presence.events import PersonApproached, PersonEngaged, PersonLeft
from kiosk.presence.feature import quiet_now
from kiosk.presence.tracker import ENGAGED, LEFT, FaceBox, PresenceTracker, Sighting
from kiosk.states import VisitState
from kiosk.video_call.events import CallConsented, CallEnded, CallOpened
from kiosk.video_call.states import VideoCallState
from tests.fleet.conftest import Fleet, fleet, until  # noqa: F401 — the broker + centre fixture
from tests.support import PYTHON, kiosk_env


def _feed(tracker: PresenceTracker, faces: list[FaceBox], seconds: float, start: float, step: float = 0.25) -> list[str]:
    kinds, t = [], start
    while t < start + seconds:
        kinds += [c.kind for c in tracker.feed(Sighting(0.1, tuple(faces)), t)]
        t += step
    return kinds


def test_the_tracker_engages_only_someone_who_stays_close() -> None:
    tr = PresenceTracker()
    assert ENGAGED not in _feed(tr, [FaceBox(0.5, 0.4, 0.15)], 5, 0)  # far away: never engaged
    tr = PresenceTracker()
    assert ENGAGED not in _feed(tr, [FaceBox(0.5, 0.4, 0.35)], 1.2, 0)  # close, but only 1.2 s
    assert ENGAGED in _feed(tr, [FaceBox(0.5, 0.4, 0.35)], 0.6, 1.25)  # 1.5 s: engaged
    assert _feed(tr, [], 2.5, 2.0) == [LEFT]  # gone: left once
    assert tr.people() == 0 and tr.gaze() is None


def test_two_people_are_two_and_the_gaze_mirrors_the_camera() -> None:
    tr = PresenceTracker()
    _feed(tr, [FaceBox(0.2, 0.4, 0.3), FaceBox(0.8, 0.4, 0.2)], 2, 0)
    assert tr.people() == 2
    # The nearer (bigger) one is looked at; the camera's left is the person's right.
    gaze = tr.gaze()
    assert gaze is not None and abs(gaze - 0.8) < 1e-9


def test_quiet_hours_wrap_past_midnight() -> None:
    assert quiet_now((20, 8), 23) and quiet_now((20, 8), 3) and not quiet_now((20, 8), 12)
    assert not quiet_now((0, 0), 3) and quiet_now((0, 24), 12)


def _drain(flow: Any, seconds: float, until_event: type | None = None) -> list[Any]:
    got: list[Any] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            e = flow.inbox.take(0.2)
        except TimeoutError:
            continue
        flow.handle(e)
        got.append(e)
        if until_event is not None and isinstance(e, until_event):
            break
    return got


def test_the_camera_goes_to_a_video_call_at_once_and_presence_resumes_after(fleet: Fleet) -> None:
    t = fleet.terminal("PR-0001")
    cam = SimCamera("sim:", scene="approaching")
    t.devices[DeviceKind.CAMERA] = cam
    cam.open()
    flow = t.flow
    presence = flow.features.get("presence")
    try:
        presence.start(flow.inbox.post)
        assert any(isinstance(e, PersonEngaged) for e in _drain(flow, 20, PersonEngaged))
        flow.handle(ev.Started())
        flow.handle(CallOpened())
        flow.handle(CallConsented(record=False))
        assert flow.state is VideoCallState.CALL_WAIT
        looks = presence.watcher.looks
        # Handed over at once: the person in view is let go, and no frame is looked at.
        assert presence.watcher.paused and presence.gaze() is None
        left = _drain(flow, 2.0)
        assert presence.watcher.looks == looks
        assert [type(e) for e in left] == [PersonLeft]
        after = flow.handle(CallEnded("c1", "hung_up"))
        assert after is VideoCallState.CALL_ENDED and not presence.watcher.paused
        cam.play("approaching")
        assert any(isinstance(e, PersonApproached) for e in _drain(flow, 15, PersonApproached))
        assert presence.watcher.looks > looks
    finally:
        presence.stop()
        cam.close()
        t.close()


def test_footfall_reaches_the_centre_per_hour(fleet: Fleet) -> None:
    t = fleet.terminal("PR-0002")
    cam = SimCamera("sim:", scene="approaching")
    t.devices[DeviceKind.CAMERA] = cam
    cam.open()
    flow = t.flow
    presence = flow.features.get("presence")
    try:
        presence.start(flow.inbox.post)
        _drain(flow, 20, PersonEngaged)
        flow.handle(ev.Started())  # the person starts a visit: served
        assert flow.state is VisitState.HOME
        presence.stop()
        rows = t.queue.connection.execute("SELECT payload FROM outbox WHERE kind = 'footfall'").fetchall()
        sent = [json.loads(r[0]) for r in rows]
        # Only a day, an hour and what happened: nothing of the person.
        assert {tuple(sorted(p)) for p in sent} == {("day", "hour", "what")}
        assert sorted(p["what"] for p in sent) == ["approached", "engaged", "served"]
        fleet.agent(t, outbox_poll_seconds=0.1)
        until(lambda: fleet.store.event_count("PR-0002") >= 3, timeout=30)
        day, hour = sent[0]["day"], sent[0]["hour"]
        tot = figures.report(fleet.store.engine, day, day).get()
        assert (tot["footfall_approached"], tot["footfall_engaged"], tot["footfall_served"]) == (1, 1, 1)
        assert tot["footfall_by_hour"]["engaged"][hour] == 1
        csv = to_csv(figures.report(fleet.store.engine, day, day)).decode("utf-8-sig")
        assert "走近人次" in csv and "驻足人次" in csv
    finally:
        cam.close()
        t.close()


def test_presence_watch_reads_a_video_file(tmp_path: Path) -> None:
    import cv2
    import numpy as np

    from devices.camera.scenes import SCENARIOS, Faces
    from devices.camera.sim import pattern_array

    # A recorded clip: someone walks up and stays (6 s at 10 fps), as a camera would film it.
    clip = tmp_path / "walk_up.avi"
    out = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"MJPG"), 10, (640, 480))
    faces = Faces()
    for i in range(60):
        img = pattern_array(640, 480, i, clock=False)
        faces.paint(img, SCENARIOS["approaching"](i / 10))
        out.write(np.ascontiguousarray(img[:, :, ::-1]))
    out.release()
    proc = subprocess.run([PYTHON, "-m", "kiosk.cli", "--data-dir", str(tmp_path / "d"), "presence", "watch",
                           "--camera", f"file://{clip}", "--seconds", "6", "--json"],
                          env=kiosk_env(), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    kinds = [json.loads(line)["event"] for line in proc.stdout.splitlines()]
    assert kinds[:2] == ["approached", "engaged"], proc.stdout


def test_presence_watch_says_plainly_when_the_camera_is_wrong(tmp_path: Path) -> None:
    proc = subprocess.run([PYTHON, "-m", "kiosk.cli", "--data-dir", str(tmp_path), "presence", "watch",
                           "--camera", "sim:?scene=crowd", "--seconds", "1"],
                          env=kiosk_env(), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3
    assert "unknown camera scene 'crowd'" in proc.stderr and "Traceback" not in proc.stderr


def test_two_people_in_front_of_the_simulated_camera_are_counted_apart() -> None:
    from devices.camera.presence import LbpFaceFinder
    from kiosk.presence.watcher import PresenceWatcher

    cam = SimCamera("sim:", scene="two")
    cam.open()
    got: list[Any] = []
    watcher = PresenceWatcher(lambda: cam, LbpFaceFinder, got.append, fps=4)
    try:
        most = 0
        for _ in range(40):
            watcher.look_once()
            most = max(most, watcher.people())
            time.sleep(0.25)
        assert most == 2
        assert len({e.person for e in got if isinstance(e, PersonApproached)}) >= 2
    finally:
        cam.close()


def test_the_presence_section_is_checked_like_the_rest_of_the_configuration() -> None:
    import pytest

    from kiosk.config import parse_config
    from kiosk.errors import ConfigError

    ok = parse_config('[presence]\ngreeting = "欢迎光临"\nquiet_hours = [21, 7]\n').presence
    assert ok.greeting == "欢迎光临" and ok.quiet_hours == (21, 7)
    for bad, key in (("quiet_hours = [25, 7]", "presence.quiet_hours"), ("fps = 60", "presence.fps"),
                     ("engage_secs = 2", "presence.engage_secs"), ('detector = "os.system(1)"', "presence.detector")):
        with pytest.raises(ConfigError) as err:
            parse_config(f"[presence]\n{bad}\n", "kiosk.toml")
        assert key in str(err.value), str(err.value)
