"""``kiosk presence watch [--camera URL] [--seconds N] [--json]``: the presence detector
on a camera, printing each person event as it happens (approached, engaged, left).

The camera is the configuration's ``devices.camera`` unless ``--camera`` names one
(``opencv://0``, ``file:///clip.mp4``, ``sim:?scene=approaching``). Nothing of the picture
is printed or written: only the events, with the person's number (which lives only
while they stay in view) and, with ``--json``, the time since the start.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from typing import Any

from kiosk.errors import DeviceError
from kiosk.events import Event
from kiosk.ports import Camera, DeviceKind


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]", common: argparse.ArgumentParser) -> None:
    """Add ``presence watch``."""
    group = sub.add_parser("presence", help="presence detector: watch a camera for people", parents=[common])
    cmds = group.add_subparsers(dest="presence_command", metavar="ACTION", required=True)
    watch = cmds.add_parser("watch", help="print person events as they happen", parents=[common])
    watch.add_argument("--camera", metavar="URL", help="camera URL (default: the configuration's devices.camera)")
    watch.add_argument("--seconds", type=float, default=None, metavar="N", help="stop after N seconds (default: until Ctrl-C)")
    watch.add_argument("--json", action="store_true", help="one JSON object a line")
    watch.set_defaults(handler=watch_command)


_KINDS = {"PersonApproached": "approached", "PersonEngaged": "engaged", "PersonLeft": "left"}


def watch_command(args: argparse.Namespace) -> int:
    """Run the detector on the camera and print its events."""
    # deferred: the CLI's other commands never load the device layer or OpenCV
    from devices.registry import DeviceContext, open_device
    from kiosk.cli.common import config_of
    from kiosk.ports import SystemClock
    from kiosk.presence.feature import make_watcher

    config, data_dir = config_of(args)
    url = args.camera or config.devices.camera
    if not url:
        raise DeviceError("camera: none configured (give --camera URL)")
    if args.seconds is not None and args.seconds <= 0:
        print("kiosk: --seconds must be more than 0", file=sys.stderr)
        return 2
    try:
        device = open_device(DeviceKind.CAMERA, url, DeviceContext(data_dir=data_dir, clock=SystemClock()))
    except ValueError as exc:  # a simulator's bad query (an unknown scene)
        raise DeviceError(f"camera: {exc}") from exc
    if not isinstance(device, Camera):
        raise DeviceError(f"camera: {url!r} is not a camera")
    start = time.monotonic()
    lock = threading.Lock()

    def show(event: Event) -> None:
        kind = _KINDS.get(type(event).__name__, type(event).__name__)
        person = getattr(event, "person", 0)
        with lock:
            if args.json:
                record: dict[str, Any] = {"t": round(time.monotonic() - start, 2), "event": kind, "person": person}
                print(json.dumps(record), flush=True)
            else:
                print(f"{time.strftime('%H:%M:%S')}  {kind:<10} person {person}", flush=True)

    watcher = make_watcher(config, lambda: device)
    watcher.sink = show
    device.open()
    try:
        watcher.start()
        deadline = None if args.seconds is None else start + args.seconds
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.1 if deadline is None else max(0.0, min(0.1, deadline - time.monotonic())))
        health = device.health()
        if watcher.looks == 0:
            print(f"kiosk: no picture from the camera ({health.state.value}: {health.detail})", file=sys.stderr)
            return 3
    finally:
        watcher.stop()
        device.close()
    return 0
