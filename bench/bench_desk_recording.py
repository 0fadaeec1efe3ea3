"""What recording costs where it is done: in the lawyer's browser (MediaRecorder).

A simulated terminal calls the lawyer desk in headless chromium (fake camera and
microphone) twice for ``--seconds``: once with the person's consent to recording, once
without. The CPU of chromium's whole process tree over each call's talking time is the
figure; the difference is what recording both sides costs the lawyer's PC. The centre's
cost is measured too (this process: the web server appending chunks, hashing at the end).

    python bench/bench_desk_recording.py [--seconds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.video_call import events as ev  # noqa: E402
from kiosk.video_call import CallRequest  # noqa: E402
from tests.fleet.conftest import Fleet  # noqa: E402
from tests.video.support import add_lawyer, centre_web, lawyer_desk, simulated_terminal, until  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(root_pid: int) -> float:
    """CPU seconds of a process and all its descendants (from /proc)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            fields = open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(d)] = int(fields[1])
        times[int(d)] = (int(fields[11]) + int(fields[12])) / TICK
    family, grew = {root_pid}, True
    while grew:
        more = {p for p, pp in parents.items() if pp in family} - family
        grew = bool(more)
        family |= more
    return sum(times.get(p, 0.0) for p in family)


async def one_call(term, seen, page, record: bool, seconds: float) -> dict:
    seen.clear()
    term.video.start(CallRequest("video", "normal", record, "zh_CN"))
    await page.wait_for("desk.line.length === 1 && !document.querySelector('#answer').disabled", 20)
    await page.js("document.querySelector('#answer').click(); true")
    await until(lambda: [e for e in seen if isinstance(e, ev.CallConnected)], 20, "answered")
    await page.wait_for("desk.call && desk.call.connected", 15)
    await asyncio.sleep(1.0)  # past the start-up of encoders
    pid = page._proc.pid  # type: ignore[union-attr]
    c0, s0, w0 = tree_cpu(pid), time.process_time(), time.monotonic()
    await asyncio.sleep(seconds)
    c1, s1, w1 = tree_cpu(pid), time.process_time(), time.monotonic()
    inbound = await page.js("desk.inbound()")
    await page.js("document.querySelector('#hangup').click(); true")
    await page.wait_for("desk.call === null", 10)
    if record:
        await page.wait_for("Object.values(desk.uploads).every(u => u.done)", 20)
    wall = w1 - w0
    return {"record": record, "chromium_cpu_percent": round(100 * (c1 - c0) / wall, 1),
            "this_process_cpu_percent": round(100 * (s1 - s0) / wall, 1), "frames_decoded_in_page": inbound["video_frames"]}


def centre_recorder_cost(seconds: float, tmp: Path) -> dict:
    """The alternative not taken: aiortc's MediaRecorder at the centre re-encoding one
    640×480@15 stream (the test pattern), beside the same stream merely consumed."""
    from aiortc.contrib.media import MediaRecorder
    from aiortc.mediastreams import MediaStreamError

    from devices.camera.sim import SimCamera
    from remote_video.media import CameraTrack, VideoLevel

    level = VideoLevel(640, 480, 15, 500)

    async def run(record: bool) -> float:
        cam = SimCamera("sim:", 640, 480, 15)
        cam.open()
        track = CameraTrack(cam, level)
        await asyncio.sleep(0.5)
        c0, w0 = time.process_time(), time.monotonic()
        if record:
            rec = MediaRecorder(str(tmp / "relay.webm"))
            rec.addTrack(track)
            await rec.start()
            await asyncio.sleep(seconds)
            c1, w1 = time.process_time(), time.monotonic()
            await rec.stop()
        else:
            async def drain() -> None:
                while True:
                    try:
                        await track.recv()
                    except MediaStreamError:
                        return

            task = asyncio.ensure_future(drain())
            await asyncio.sleep(seconds)
            c1, w1 = time.process_time(), time.monotonic()
            track.stop()
            task.cancel()
        cam.close()
        return 100 * (c1 - c0) / (w1 - w0)

    consumed = asyncio.run(run(False))
    recorded = asyncio.run(run(True))
    return {"consumed_cpu_percent": round(consumed, 1), "recorded_cpu_percent": round(recorded, 1),
            "per_stream_cost_percent": round(recorded - consumed, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=8.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fleet = Fleet(Path(tmp))
        try:
            add_lawyer(fleet)
            term, seen = simulated_terminal(fleet, "BENCH1")

            async def run() -> list[dict]:
                async with centre_web(fleet, Path(tmp) / "centre") as (base, _dash):
                    async with lawyer_desk(base) as page:
                        await page.js("document.querySelector('#duty').click(); true")
                        await page.wait_for("desk.me.on_duty === true")
                        out = [await one_call(term, seen, page, False, args.seconds),
                               await one_call(term, seen, page, True, args.seconds)]
                        sizes = await page.js("Object.values(desk.uploads).map(u => u.bytes)")
                        out[1]["uploaded_bytes"] = sizes
                        out[1]["kbit_s_per_side"] = [round(8 * b / 1000 / args.seconds, 1) for b in sizes]
                        return out

            rows = asyncio.run(run())
        finally:
            fleet.close()
    relay = centre_recorder_cost(args.seconds, Path(tempfile.mkdtemp()))
    plain, rec = rows
    print(f"lawyer desk call, 640x480@15 both ways, {args.seconds:.0f} s each (chromium headless, fake media)")
    for r in rows:
        print(f"  {'recorded' if r['record'] else 'not recorded':13} chromium CPU {r['chromium_cpu_percent']:6.1f} % · "
              f"terminal+centre process {r['this_process_cpu_percent']:5.1f} % · frames decoded in page {r['frames_decoded_in_page']}")
    print(f"  recording both sides costs the browser {rec['chromium_cpu_percent'] - plain['chromium_cpu_percent']:+.1f} % of one core; "
          f"uploads ≈ {rec.get('kbit_s_per_side')} kbit/s per side")
    print(f"  the alternative, aiortc MediaRecorder at the centre: {relay['per_stream_cost_percent']:+.1f} % of one core per stream "
          f"(re-encoding 640x480@15; x2 per call for both sides) — {relay}")


if __name__ == "__main__":
    main()
