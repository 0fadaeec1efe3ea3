"""Video call benchmark: ``kiosk call selftest`` beside a bare aiortc loopback, same run.

Both send the same 640×480 test pattern at 15 fps both ways on 127.0.0.1 and read each
frame's number back out of the decoded picture for latency. The bare loopback is plain
aiortc (one loop, the pattern drawn inside ``recv``); the self-test is the product's path
(camera thread → latest-frame slot → CameraTrack → aiortc on its own loop thread, two
peers on two loop threads, bandwidth policy running). Goals: frame rate within 5 %,
latency within 1.2×, CPU within 1.2×.

Each is run in its own process (CPU is the process's own), alternately, ``--rounds`` times;
the medians are compared.

    python bench/bench_call.py [--seconds 8] [--rounds 3] [--json]
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

_CHILD = """
import json, sys
sys.path.insert(0, {root!r})
from remote_video.selftest import bare_loopback, run_selftest
fn = run_selftest if {which!r} == "selftest" else bare_loopback
print(json.dumps(fn({seconds})))
"""


def one(which: str, seconds: float) -> dict:
    """One measured call in a fresh process."""
    out = subprocess.run([sys.executable, "-c", _CHILD.format(root=str(ROOT), which=which, seconds=seconds)],
                         capture_output=True, text=True, timeout=seconds + 60, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    runs: dict[str, list[dict]] = {"bare": [], "selftest": []}
    for _ in range(args.rounds):
        for which in ("bare", "selftest"):
            runs[which].append(one(which, args.seconds))

    def med(which: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[which])

    keys = ("fps", "latency_p50_ms", "latency_p99_ms", "cpu_percent")
    figures = {w: {k: med(w, k) for k in keys} for w in runs}
    ratio = {k: round(figures["selftest"][k] / figures["bare"][k], 3) if figures["bare"][k] else None for k in keys}
    goals = {
        "fps within 5 %": abs(1 - (ratio["fps"] or 0)) <= 0.05,
        "latency p50 within 1.2x": (ratio["latency_p50_ms"] or 9) <= 1.2,
        "CPU within 1.2x": (ratio["cpu_percent"] or 9) <= 1.2,
    }
    doc = {"seconds": args.seconds, "rounds": args.rounds, "figures": figures, "ratio": ratio, "goals": goals, "runs": runs}
    if args.json:
        print(json.dumps(doc, indent=1))
        return
    print(f"video call, 640x480@15 both ways, {args.seconds:.0f} s x {args.rounds} rounds (medians)")
    print(f"{'':14}{'fps':>8}{'lat p50':>10}{'lat p99':>10}{'CPU %':>8}")
    for w in ("bare", "selftest"):
        f = figures[w]
        print(f"{w:14}{f['fps']:8.2f}{f['latency_p50_ms']:10.1f}{f['latency_p99_ms']:10.1f}{f['cpu_percent']:8.1f}")
    print(f"{'ratio':14}{ratio['fps']:8.3f}{ratio['latency_p50_ms']:10.3f}{ratio['latency_p99_ms']:10.3f}{ratio['cpu_percent']:8.3f}")
    for goal, met in goals.items():
        print(f"  {goal}: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
