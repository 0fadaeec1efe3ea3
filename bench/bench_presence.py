"""Presence detector benchmark: CPU of the detector at its frame rate beside a bare
capture of the same frames, in the same run.

The frames are the camera simulator's 640×480 pictures of a person walking up and
staying (real face photographs, devices/camera/scenes.py), recorded once into an MJPG
clip before timing starts. Both loops read that clip through ``cv2.VideoCapture`` at the
camera's 15 frames a second, as the camera's capture thread does, for ``--seconds``:

- bare: decode each frame and wrap it as the camera does (``Frame``), nothing more;
- detector: the same, plus ``PresenceWatcher.look_once`` with the real detector (scale
  down, grey, motion, LBP face cascade, tracker) at ``--fps`` looks a second.

Process CPU time over wall time is the share of one core. Goal: the detector's extra
share (detector minus bare) within 10 % of one core. Rounds alternate; medians compared.

    python bench/bench_presence.py [--seconds 10] [--rounds 3] [--fps 4] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from devices.camera.presence import LbpFaceFinder  # noqa: E402
from devices.camera.scenes import SCENARIOS, Faces  # noqa: E402
from devices.camera.sim import pattern_array  # noqa: E402
from kiosk.ports import Frame  # noqa: E402
from kiosk.presence.watcher import PresenceWatcher  # noqa: E402

CAMERA_FPS = 15.0


def record(path: Path, seconds: float) -> None:
    """The scenario as an MJPG clip at the camera's rate."""
    faces = Faces()
    out = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), CAMERA_FPS, (640, 480))
    for i in range(int(CAMERA_FPS * seconds)):
        img = pattern_array(640, 480, i, clock=False)
        faces.paint(img, SCENARIOS["approaching"](i / CAMERA_FPS))
        out.write(np.ascontiguousarray(img[:, :, ::-1]))
    out.release()


def run(clip: Path, seconds: float, look_fps: float | None) -> tuple[float, int]:
    """Capture the clip at 15 fps (looking ``look_fps`` times a second when given);
    the share of one core it took, and the events seen."""
    latest: dict[str, Frame | None] = {"f": None}

    class Cam:
        def latest_frame(self) -> Frame | None:
            return latest["f"]

    seen: list[Any] = []
    watcher = None
    if look_fps:
        watcher = PresenceWatcher(Cam, LbpFaceFinder, seen.append, fps=look_fps)  # type: ignore[arg-type]
        watcher._finder = LbpFaceFinder()  # the model's loading is not part of the steady state
    cap = cv2.VideoCapture(str(clip))
    period, n = 1.0 / CAMERA_FPS, int(CAMERA_FPS * seconds)
    every = max(1, round(CAMERA_FPS / look_fps)) if look_fps else 0
    cpu0, wall0 = time.process_time(), time.monotonic()
    next_at = wall0
    for i in range(n):
        ok, bgr = cap.read()
        if not ok:
            break
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        latest["f"] = Frame(640, 480, rgb.tobytes(), time.monotonic())
        if watcher is not None and i % every == 0:
            watcher.look_once()
        next_at += period
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    share = (time.process_time() - cpu0) / (time.monotonic() - wall0)
    cap.release()
    return share, len(seen)


def main() -> None:
    """Measure and print (``--json``: one object)."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--fps", type=float, default=4.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "walk_up.avi"
        record(clip, args.seconds)
        bare: list[float] = []
        det: list[float] = []
        events = 0
        for _ in range(args.rounds):
            bare.append(run(clip, args.seconds, None)[0])
            share, events = run(clip, args.seconds, args.fps)
            det.append(share)
    b, d = statistics.median(bare), statistics.median(det)
    result = {"fps": args.fps, "seconds": args.seconds, "rounds": args.rounds, "bare_core": round(b, 4),
              "detector_core": round(d, 4), "detector_extra_core": round(d - b, 4),
              "ratio": round(d / b, 2) if b > 0 else None, "events": events, "goal_extra_core": 0.10,
              "ok": d - b <= 0.10}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"bare capture (15 fps)       {b * 100:5.1f} % of one core")
        print(f"capture + detector ({args.fps:g}/s)  {d * 100:5.1f} % of one core  (×{result['ratio']} the bare capture)")
        print(f"detector's extra            {(d - b) * 100:5.1f} % of one core  (goal ≤ 10 %)  events per round: {events}")


if __name__ == "__main__":
    main()
