"""``kiosk-center simulate``: many simulated terminals, each the real agent, against a
broker (load tests, demonstrations)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from fleet.broker import hash_password, new_password
from fleet.center_cli.common import Subparsers, open_store, paths_of
from kiosk.terminal_id import is_terminal_id


def register(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``simulate``."""
    sm = sub.add_parser("simulate", parents=[common], help="run N simulated terminals (the real agent)")
    sm.add_argument("--terminals", type=int, default=10)
    sm.add_argument("--provision", action="store_true", help="create their credentials first (SIM0001…)")
    sm.add_argument("--prefix", default="SIM")
    sm.add_argument("--first", type=int, default=1, help="number of the first terminal (to split a fleet over processes)")
    sm.add_argument("--telemetry", type=int, default=30, help="seconds between telemetry")
    sm.add_argument("--duration", type=float, default=0, help="seconds to run (0: until Ctrl-C)")
    sm.add_argument("--devices", action="store_true", help="open simulated devices too")
    sm.add_argument("--json-status", action="store_true", help="print one JSON line when all are connected")
    sm.add_argument("--connect-rate", type=float, default=400.0, help="new broker connections per second (paced)")
    sm.add_argument("--start-on-stdin", action="store_true",
                    help="build the terminals, print {\"built\": N}, and connect only when a line arrives on stdin (a bench's barrier)")
    sm.set_defaults(handler=cmd_simulate)


def cmd_simulate(args: argparse.Namespace) -> int:
    """Run simulated terminals."""
    # The simulated fleet brings the whole terminal (kiosk.bootstrap, the agent,
    # ~0.15 s): deferred to here, the one command that needs it.
    from fleet.simulate import SimulatedFleet, raise_fd_limit

    paths = paths_of(args)
    rt = paths.read_runtime()
    broker = args.broker or rt.get("broker")
    if not broker:
        print("kiosk-center: no broker (start `serve --with-broker` or pass --broker)", file=sys.stderr)
        return 2
    ids = [f"{args.prefix}{i:04d}" for i in range(args.first, args.first + args.terminals)]
    if not all(is_terminal_id(t) for t in ids[:1] + ids[-1:]):
        print(f"kiosk-center: --prefix {args.prefix!r} makes ids like {ids[0]!r}, which are not terminal ids", file=sys.stderr)
        return 2
    if raise_fd_limit(args.terminals) < args.terminals:
        # One epoll loop drives every agent; the limit is the descriptors (~15 each).
        print(f"kiosk-center: `ulimit -n` is too low for {args.terminals} terminals in one process; "
              "raise it or run several `simulate --first K --terminals N` processes", file=sys.stderr)
        return 2
    creds_file = paths.data_dir / "simulated-credentials.json"
    creds: dict[str, str] = json.loads(creds_file.read_text()) if creds_file.is_file() else {}
    if args.provision:
        store = open_store(args)
        for tid in ids:
            if tid not in creds or store.terminal(tid) is None:
                creds[tid] = new_password()
                store.add_terminal(tid, f"模拟站点 {int(tid[len(args.prefix):]) % 20 + 1:02d}", hash_password(creds[tid]))
        paths.reload_broker(store.password_hashes())
        creds_file.write_text(json.dumps(creds))
        os.chmod(creds_file, 0o600)
        time.sleep(0.5)
    missing = [t for t in ids if t not in creds]
    if missing:
        print(f"kiosk-center: no credentials for {missing[0]}…; use --provision", file=sys.stderr)
        return 2
    # Simulated terminals' SQLite files in RAM when possible: their fsyncs would
    # measure the disk, not the fleet.
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    base = Path(tempfile.mkdtemp(prefix="kiosk-sim-", dir=shm))
    fleet = SimulatedFleet(base, broker, {t: creds[t] for t in ids}, telemetry_seconds=args.telemetry, devices=args.devices,
                           connects_per_second=args.connect_rate)
    t_start = time.monotonic()
    try:
        if args.start_on_stdin:
            fleet.build()
            print(json.dumps({"built": len(ids), "seconds": round(time.monotonic() - t_start, 1)}), flush=True)
            if not sys.stdin.readline():
                return 0  # whoever was to say "go" is gone
            t_start = time.monotonic()
        fleet.start()
        print(f"{len(ids)} simulated terminals started (data in {base})", flush=True)
        if args.json_status:
            # Machine-readable progress for a bench driving several simulate processes.
            while fleet.connected() < len(ids) and (not args.duration or time.monotonic() - t_start < args.duration):
                time.sleep(0.5)
            print(json.dumps({"connected": fleet.connected(), "terminals": len(ids)}), flush=True)
        while not args.duration or time.monotonic() - t_start < args.duration:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        fleet.close()
        shutil.rmtree(base, ignore_errors=True)
    return 0
