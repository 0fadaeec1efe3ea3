"""``kiosk call selftest``: a loopback video call on 127.0.0.1 (remote_video/selftest.py);
with ``--parties 3``, a mediation room through a local Janus measured beside it
(fleet/mediation/local.py, remote_video/sfu/selftest.py)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from remote_video.selftest import CallFigures


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``kiosk call selftest``."""
    p = sub.add_parser("call", parents=[common], help="video consultation (remote_video)")
    acts = p.add_subparsers(dest="call_command", metavar="CALL", required=True)
    s = acts.add_parser("selftest", parents=[common], help="a loopback call with the test pattern: frames, fps, latency, CPU")
    s.add_argument("--seconds", type=float, default=5.0, help="how long to measure (after the call connects)")
    s.add_argument("--json", action="store_true", help="one JSON object")
    s.add_argument("--parties", type=int, default=2, metavar="N",
                   help="also N parties in one room through a local Janus, measured beside the call "
                        "(3: a mediation session); 2, the default: the call alone")
    s.set_defaults(handler=selftest)


def media_flowed(result: CallFigures) -> bool:
    """The call's verdict: pictures both ways and sound."""
    return result["frames_received"] > 0 and result.get("reverse_frames_received", 0) > 0 and result.get("audio_frames_received", 0) > 0


def selftest(args: argparse.Namespace) -> int:
    """Run the loopback call; exit 1 when no frames or no sound got through."""
    from remote_video.selftest import format_text, run_selftest  # deferred: aiortc is heavy, paid only when this command runs

    if not 0.5 <= args.seconds <= 600:
        print("kiosk: --seconds must be between 0.5 and 600", file=sys.stderr)
        return 2
    if args.parties != 2:
        return room_selftest(args)
    try:
        result = run_selftest(args.seconds)
    except RuntimeError as exc:
        print(f"kiosk: call self-test failed: {exc}", file=sys.stderr)
        return 1
    result["ok"] = ok = media_flowed(result)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(format_text(result))
        print("OK" if ok else "FAILED: media did not flow both ways")
    return 0 if ok else 1


def room_selftest(args: argparse.Namespace) -> int:
    """``--parties N``: the two-party call, then N parties in a room of a throwaway Janus
    on this machine, the same length and picture; exit 1 when media did not flow in
    every direction of both."""
    # Deferred: Janus's client and aiortc are heavy, paid only when this command runs.
    from fleet.mediation.local import MAX_PARTIES, LocalJanus
    from remote_video.peer import restrict_host_addresses
    from remote_video.selftest import run_selftest
    from remote_video.sfu.errors import SfuError
    from remote_video.sfu.selftest import compare, format_comparison, run_room_selftest

    if not 2 <= args.parties <= MAX_PARTIES:
        print(f"kiosk: --parties must be between 2 and {MAX_PARTIES}: a mediation room holds at most {MAX_PARTIES} "
              f"parties (the mediator and two parties), and a room needs two to see each other", file=sys.stderr)
        return 2
    try:
        # Janus first: a machine without it fails in a second, not after the call.
        with LocalJanus() as janus:
            call = run_selftest(args.seconds)
            # The room's parties on this machine's own address, where Janus offers its media.
            restrict_host_addresses([janus.address])
            room = janus.measure_room(args.parties, lambda passes: run_room_selftest(passes, args.seconds))
    except (SfuError, RuntimeError, TimeoutError, OSError) as exc:
        print(f"kiosk: room self-test failed: {exc or type(exc).__name__}", file=sys.stderr)
        return 1
    call["ok"] = media_flowed(call)
    figures = compare(call, room)
    ways = room["directions"].values()
    figures["room"]["ok"] = len(ways) == args.parties * (args.parties - 1) and all(d["fps"] > 0 and d["audio_fps"] > 0 for d in ways)
    figures["ok"] = ok = bool(call["ok"] and figures["room"]["ok"])
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        print(format_comparison(figures, f"{args.parties}-party room through a local Janus beside the 2-party call, "
                                         f"{room['level']}, {args.seconds:g} s each"))
        print("OK" if ok else "FAILED: media did not flow in every direction")
    return 0 if ok else 1
