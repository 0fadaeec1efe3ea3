"""Soak: N whole visits through the real app offscreen, and what stays behind.

Visits rotate through a ticket without the ID card, a ticket with it (the real driver
over a pty), a legal-aid application, an appointment looked up by code, a rating of a
served ticket and a visit the idle timer wipes (bench/visits.py). After 10, 100 and N
visits the app's process reports its RSS, Python objects, Kivy textures and widgets,
key listeners on the window, threads and open descriptors. Baseline, same run: a bare
Kivy app with a ScreenManager of as many screens, its RSS at start.

Goal: from visit 100 to visit N every count grows under 5 %, and RSS stays ≤ 300 MB
(no speech model is loaded). Exits 1 when a goal is missed.

    python bench/bench_soak.py [--visits 1000] [--quick]    # --quick: 120 visits
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.visits import KINDS, BenchCentre, bare_baseline, loadavg, spawn  # noqa: E402

GROWTH_GOAL = 0.05
RSS_GOAL_MB = 300.0
QUICK_VISITS = 120
UNJUDGED = {"cached", "heap_free_mb"}  # Kivy's cache drops entries after a timeout; the free heap is the allocator's


def child(out: Path, visits: int, size: tuple[int, int], centre: dict[str, str] | None = None) -> None:
    """In the app's own process: play the visits, sample at 10, 100 and ``visits``."""
    from bench.visits import Driver, process_counts, run_app, thread_names, wait_ready

    record: dict[str, Any] = {"samples": {}, "errors": []}
    marks = sorted({m for m in (10, 100, visits) if m <= visits})

    def script(p: Any) -> Any:
        yield from wait_ready(p)
        record["samples"]["0"] = process_counts()
        record["screens"] = len(p.app.sm.screens)
        d = Driver(p)
        t0 = time.monotonic()
        for i in range(visits):
            kind = KINDS[i % len(KINDS)]
            try:
                yield from d.visit(kind)
            except Exception as exc:  # noqa: BLE001 — recorded; the bench reports it and fails
                record["errors"].append(f"visit {i + 1} ({kind}) on {p.app.sm.current}: {exc}")
                if len(record["errors"]) > 5:
                    raise
                p.app.act("finish")
                yield 0.5
            if i + 1 in marks:
                record["samples"][str(i + 1)] = process_counts()
                print(f"visit {i + 1}: {record['samples'][str(i + 1)]}", file=sys.stderr, flush=True)
        record["seconds"] = time.monotonic() - t0
        record["retaps"] = d.retaps
        record["threads"] = thread_names()

    try:
        run_app(out.parent / "kiosk", size, script, centre)
    finally:
        out.write_text(json.dumps(record), encoding="utf-8")


def growth(a: float, b: float) -> float:
    """Relative growth from ``a`` to ``b``."""
    return (b - a) / a if a else (0.0 if b == a else float("inf"))


def main() -> int:
    """Run the bare app and the soak, print the table, exit 1 when a goal is missed."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--visits", type=int, default=1000)
    ap.add_argument("--quick", action="store_true", help=f"{QUICK_VISITS} visits: a check that it works")
    ap.add_argument("--size", default="1280x800")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--centre", help=argparse.SUPPRESS)  # the bench centre's broker and password (JSON)
    a = ap.parse_args()
    n = QUICK_VISITS if a.quick else a.visits
    w, h = (int(v) for v in a.size.split("x"))
    if a.child:
        child(Path(a.child), n, (w, h), json.loads(a.centre) if a.centre else None)
        return 0
    load_before = loadavg()
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp_s:
        tmp = Path(tmp_s)
        out = tmp / "soak.json"
        centre = BenchCentre(tmp / "centre")  # the appointment visits ask it, as in service
        try:
            spawn([str(Path(__file__)), "--visits", str(n), "--size", a.size, "--child", str(out),
                   "--centre", json.dumps(centre.settings)], timeout=60 + n * 30)
        finally:
            centre.close()
            rec = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {"samples": {}, "errors": ["no record"]}
        # As many screens as the app built (Kivy cannot be imported here: one window per process).
        bare = bare_baseline(tmp, a.size, rec.get("screens", 30), 4)
    samples = rec["samples"]
    print(f"soak · {n} visits through the real app offscreen ({a.size}), visits rotating {', '.join(KINDS)}")
    print(f"  load average before: {load_before}; after: {loadavg()}; "
          f"{rec.get('seconds', 0):.0f} s of visits ({rec.get('retaps', 0)} taps repeated)")
    cols = [k for k in ("0", "10", "100", str(n)) if k in samples]
    keys = ["rss_mb", "heap_used_mb", "heap_free_mb", "objects", "textures", "texture_mb", "widgets", "cached",
            "key_listeners", "threads", "fds"]
    print(f"  {'after visit':<16}" + "".join(f"{c:>11}" for c in cols) + f"{'bare app':>11}   growth 100→{n}")
    ok = not rec["errors"] and len(cols) >= 3
    for k in keys:
        row = [samples[c][k] for c in cols]
        base = bare["counts_start"].get(k, "")
        g = growth(samples["100"][k], samples[str(n)][k]) if "100" in samples and str(n) in samples and n > 100 else None
        flag = ""
        if g is not None and k in UNJUDGED:
            flag = f"{100 * g:+.1f} %  (entries expire by time: shown, not judged)"
        elif g is not None:
            flag = f"{100 * g:+.1f} %" + ("" if g < GROWTH_GOAL else "  OVER")
            ok &= g < GROWTH_GOAL
        print(f"  {k:<16}" + "".join(f"{v:>11}" for v in row) + f"{base:>11}   {flag}")
    last = samples.get(str(n), {})
    rss = last.get("rss_mb", 0.0)
    ok &= 0 < rss <= RSS_GOAL_MB
    print(f"  RSS after {n} visits {rss:.1f} MB beside the bare app at start {bare['rss_start_mb']:.1f} MB: "
          f"{rss / bare['rss_start_mb']:.2f}x  (goal ≤ {RSS_GOAL_MB:.0f} MB without the speech model)")
    if n <= 100:
        ok = False
        print("  goal: growth from visit 100 on cannot be judged with 100 visits or fewer (use --quick or more)")
    else:
        print(f"  goal: every count grows < {100 * GROWTH_GOAL:.0f} % from visit 100 to {n}, RSS ≤ {RSS_GOAL_MB:.0f} MB: "
              f"{'met' if ok else 'NOT MET'}")
    for e in rec["errors"]:
        print(f"  error: {e}")
    if rec.get("threads"):
        print(f"  threads at the end: {', '.join(rec['threads'])}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
