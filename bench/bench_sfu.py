"""Multi-party benchmark: three parties through the centre's Janus beside the two-party
aiortc call (``kiosk call selftest``), in the same run.

Both send the numbered 640×480 test pattern at 15 fps and a tone; every receiver reads
each frame's number back for latency. The three-party room runs all three parties in
one process, a loop thread each (each publishes once and watches two: six decodes),
Janus in its own; the two-party call runs its two peers in one process, a loop thread
each. Per direction: frame rate and
latency; CPU as % of one core per party (terminal) and, for the room, Janus's own.
Rounds alternate; medians are compared as ratios (room / two-party).

    python bench/bench_sfu.py [--seconds 6] [--rounds 2] [--width 640 --height 480] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fleet.mediation.local import LocalJanus  # noqa: E402
from remote_video.sfu.selftest import COMPARED, compare, format_comparison  # noqa: E402

_ROOM_CHILD = """
import json, sys
sys.path.insert(0, {root!r})
from remote_video.media import VideoLevel
from remote_video.peer import restrict_host_addresses
from remote_video.sfu.rooms import RoomPass
from remote_video.sfu.selftest import run_room_selftest
restrict_host_addresses([{addr!r}])
passes = [RoomPass(**p) for p in json.loads(sys.stdin.read())]
print(json.dumps(run_room_selftest(passes, {seconds}, VideoLevel({w}, {h}, 15, 500))))
"""

_CALL_CHILD = """
import json, sys
sys.path.insert(0, {root!r})
from remote_video.media import VideoLevel
from remote_video.selftest import run_selftest
print(json.dumps(run_selftest({seconds}, VideoLevel({w}, {h}, 15, 500))))
"""


def _child(code: str, stdin: str, timeout: float) -> dict:
    out = subprocess.run([sys.executable, "-c", code], input=stdin, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise SystemExit(f"bench child failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def room_round(janus: LocalJanus, seconds: float, w: int, h: int) -> dict:
    """One three-party measurement in a child process (room opened and closed around it)."""
    def measure(passes: list) -> dict:
        code = _ROOM_CHILD.format(root=str(ROOT), addr=janus.address, seconds=seconds, w=w, h=h)
        return _child(code, json.dumps([vars(p) for p in passes]), seconds + 90)

    return janus.measure_room(3, measure)


def call_round(seconds: float, w: int, h: int) -> dict:
    """One two-party call measurement."""
    return _child(_CALL_CHILD.format(root=str(ROOT), seconds=seconds, w=w, h=h), "", seconds + 60)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=480)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    runs: dict[str, list[dict]] = {"call": [], "room": []}
    with LocalJanus() as janus:
        for _ in range(args.rounds):
            runs["call"].append(call_round(args.seconds, args.width, args.height))
            runs["room"].append(room_round(janus, args.seconds, args.width, args.height))

    call = {k: statistics.median(r[k] for r in runs["call"]) for k in ("cpu_percent", *COMPARED) if k != "cpu_percent_per_party"}
    room = {k: statistics.median(r[k] for r in runs["room"]) for k in ("fps_min", "janus_cpu_percent", *COMPARED)}
    room["parties"] = 3
    figures = compare(call, room)
    if args.json:
        print(json.dumps({**figures, "runs": runs}, indent=2))
        return
    print(format_comparison(figures, f"{args.width}x{args.height}@15, {args.seconds:.0f} s steady, {args.rounds} rounds (medians)"))


if __name__ == "__main__":
    main()
