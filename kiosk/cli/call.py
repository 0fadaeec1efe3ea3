"""``kiosk call selftest``: a loopback video call on 127.0.0.1 (remote_video/selftest.py)."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``kiosk call selftest``."""
    p = sub.add_parser("call", parents=[common], help="video consultation (remote_video)")
    acts = p.add_subparsers(dest="call_command", metavar="CALL", required=True)
    s = acts.add_parser("selftest", parents=[common], help="a loopback call with the test pattern: frames, fps, latency, CPU")
    s.add_argument("--seconds", type=float, default=5.0, help="how long to measure (after the call connects)")
    s.add_argument("--json", action="store_true", help="one JSON object")
    s.set_defaults(handler=selftest)


def selftest(args: argparse.Namespace) -> int:
    """Run the loopback call; exit 1 when no frames or no sound got through."""
    from remote_video.selftest import format_text, run_selftest  # deferred: aiortc is heavy, paid only when this command runs

    if not 0.5 <= args.seconds <= 600:
        print("kiosk: --seconds must be between 0.5 and 600", file=sys.stderr)
        return 2
    try:
        result = run_selftest(args.seconds)
    except RuntimeError as exc:
        print(f"kiosk: call self-test failed: {exc}", file=sys.stderr)
        return 1
    ok = result["frames_received"] > 0 and result["reverse_frames_received"] > 0 and result["audio_frames_received"] > 0
    result["ok"] = ok
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(format_text(result))
        print("OK" if ok else "FAILED: media did not flow both ways")
    return 0 if ok else 1
