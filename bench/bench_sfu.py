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
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fleet.mediation import JanusServer, JanusSettings, MediationRooms  # noqa: E402
from tests.mediation.support import free_port, media_address  # noqa: E402

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


async def _open_room(janus: JanusServer, n: int) -> tuple[MediationRooms, list[dict]]:
    rooms = MediationRooms(janus.url, janus.keys)
    room = await rooms.open_session(f"bench-{time.monotonic_ns()}", ["mediator", "party-a", "party-b"][:n])
    return rooms, [vars(p) for p in room.passes.values()]


def room_round(janus: JanusServer, addr: str, seconds: float, w: int, h: int) -> dict:
    """One three-party measurement (room opened and closed around it)."""
    import psutil  # deferred: a test dependency, only the bench needs it here

    rooms, passes = asyncio.run(_open_room(janus, 3))
    proc = psutil.Process(janus.pid)
    c0, t0 = sum(proc.cpu_times()[:2]), time.monotonic()
    try:
        result = _child(_ROOM_CHILD.format(root=str(ROOT), addr=addr, seconds=seconds, w=w, h=h), json.dumps(passes), seconds + 90)
    finally:
        asyncio.run(rooms.close())
    # Janus's CPU over the whole child run (set-up included): an upper bound.
    result["janus_cpu_percent"] = round(100 * (sum(proc.cpu_times()[:2]) - c0) / (time.monotonic() - t0), 1)
    return result


def call_round(seconds: float, w: int, h: int) -> dict:
    """One two-party call measurement."""
    r = _child(_CALL_CHILD.format(root=str(ROOT), seconds=seconds, w=w, h=h), "", seconds + 60)
    r["cpu_percent_per_party"] = round(r["cpu_percent"] / 2, 1)
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=480)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    addr = media_address()
    runs: dict[str, list[dict]] = {"call": [], "room": []}
    with tempfile.TemporaryDirectory() as tmp:
        janus = JanusServer(Path(tmp), JanusSettings(ws_port=free_port(), media_addresses=(addr,)))
        asyncio.run(janus.start())
        try:
            for _ in range(args.rounds):
                runs["call"].append(call_round(args.seconds, args.width, args.height))
                runs["room"].append(room_round(janus, addr, args.seconds, args.width, args.height))
        finally:
            asyncio.run(janus.stop())

    keys = ("fps", "latency_p50_ms", "latency_p99_ms", "cpu_percent_per_party")
    figures = {w: {k: statistics.median(r[k] for r in runs[w]) for k in keys} for w in runs}
    figures["room"]["fps_min"] = statistics.median(r["fps_min"] for r in runs["room"])
    figures["room"]["janus_cpu_percent"] = statistics.median(r["janus_cpu_percent"] for r in runs["room"])
    ratio = {k: round(figures["room"][k] / figures["call"][k], 3) if figures["call"][k] else None for k in keys}
    if args.json:
        print(json.dumps({"figures": figures, "ratio": ratio, "runs": runs}, indent=2))
        return
    print(f"{args.width}x{args.height}@15, {args.seconds:.0f} s steady, {args.rounds} rounds (medians)")
    print(f"{'':26}{'2-party call':>14}{'3-party room':>14}{'ratio':>8}")
    names = {"fps": "frame rate (fps)", "latency_p50_ms": "latency p50 (ms)", "latency_p99_ms": "latency p99 (ms)",
             "cpu_percent_per_party": "CPU per party (% core)"}
    for k in keys:
        print(f"{names[k]:26}{figures['call'][k]:>14}{figures['room'][k]:>14}{ratio[k]!s:>8}")
    print(f"{'slowest direction (fps)':26}{'':>14}{figures['room']['fps_min']:>14}")
    print(f"{'Janus CPU (% core)':26}{'':>14}{figures['room']['janus_cpu_percent']:>14}")


if __name__ == "__main__":
    main()
