"""The ``kiosk-center`` command: the centre's fleet service and the technicians' CLI."""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import logging
import os
import shutil
import signal
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

from kiosk import __version__
from kiosk.files import private_dir, restrict_umask, tighten_tree

log = logging.getLogger(__name__)


def _terminal_id(value: str) -> str:
    """argparse type: a terminal id (kiosk.terminal_id), else a usage error naming it."""
    from kiosk.terminal_id import check_terminal_id

    try:
        return check_terminal_id(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kiosk-center", description="公共法律服务终端 · 运维中心 (fleet centre)")
    p.add_argument("--version", action="version", version=f"kiosk-center {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="the centre's data dir (else $KIOSK_CENTER_DATA_DIR, else the platform's)")
    common.add_argument("--db", help="store URL: sqlite:///F or postgresql+psycopg://user@host/db")
    common.add_argument("--broker", help="join this broker: mqtt://127.0.0.1:1883 or mqtts://host:8883")
    common.add_argument("--ca-file", help="CA for mqtts:// (else the system's)")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", parents=[common], help="run the fleet service and the dashboard")
    s.add_argument("--with-broker", action="store_true", help="start a local Mosquitto with the generated configuration")
    s.add_argument("--mqtt-port", type=int, default=1883, help="its loopback port (0: a free one)")
    s.add_argument("--mqtts-port", type=int, default=8883, help="its TLS port, when `tls init` made certificates")
    s.add_argument("--http", default="127.0.0.1:8080", help="dashboard HOST:PORT (port 0: a free one)")
    s.add_argument("--share", help="MQTT v5 shared-subscription group, for several centre workers")
    s.add_argument("--offline-alert-minutes", type=float, default=5.0)
    s.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDR[/BITS]",
                   help="a reverse proxy whose X-Forwarded-For/-Proto/-Host are believed (repeatable; docs/deploy.md)")

    t = sub.add_parser("terminals", parents=[common], help="list terminals; add or remove one")
    t.add_argument("--json", action="store_true")
    ts = t.add_subparsers(dest="action")
    ta = ts.add_parser("add", parents=[common], help="create a terminal's credentials (printed once)")
    ta.add_argument("terminal_id", type=_terminal_id)
    ta.add_argument("--site", required=True)
    ta.add_argument("--json", action="store_true")
    tr = ts.add_parser("remove", parents=[common], help="revoke a terminal's credentials")
    tr.add_argument("terminal_id", type=_terminal_id)

    c = sub.add_parser("cmd", parents=[common], help="run a command on a terminal")
    c.add_argument("terminal_id", type=_terminal_id)
    c.add_argument("name", help="ping self_test print_test restart_app get_logs screenshot set_volume set_config")
    c.add_argument("--args", default="{}", help="JSON object")
    c.add_argument("--timeout", type=float, default=15.0)
    c.add_argument("--json", action="store_true")
    c.add_argument("--out", help="screenshot: the PNG file to write (default screenshot-ID-TIME.png here)")

    cf = sub.add_parser("config", parents=[common], help="desired configuration")
    cfs = cf.add_subparsers(dest="action", required=True)
    push = cfs.add_parser("push", parents=[common], help="push a TOML file of sections to set")
    push.add_argument("targets", nargs="*", type=_terminal_id, help="terminal ids")
    push.add_argument("file")
    push.add_argument("--all", action="store_true")
    push.add_argument("--site")
    push.add_argument("--rollout", default="100", help="percent stages, e.g. 1,10,50,100")
    push.add_argument("--stage-timeout", type=float, default=60.0)
    push.add_argument("--max-failures", type=int, default=0)

    lg = sub.add_parser("logs", parents=[common], help="a terminal's last log lines (masked)")
    lg.add_argument("terminal_id", type=_terminal_id)
    lg.add_argument("--lines", type=int, default=200)
    sc = sub.add_parser("screenshot", parents=[common], help="a terminal's current screen")
    sc.add_argument("terminal_id", type=_terminal_id)
    sc.add_argument("--out", help="the PNG file to write (default screenshot-ID-TIME.png here)")

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

    us = sub.add_parser("users", parents=[common], help="staff accounts of the web pages")
    uss = us.add_subparsers(dest="action", required=True)
    ua = uss.add_parser("add", parents=[common], help="create an account")
    ua.add_argument("name")
    ua.add_argument("--role", required=True, choices=["admin", "technician", "bureau", "lawyer", "legal_aid"])
    ua.add_argument("--display-name", default="")
    ua.add_argument("--password-stdin", action="store_true", help="read the password from stdin (else asked twice)")
    ul = uss.add_parser("list", parents=[common], help="every account")
    ul.add_argument("--json", action="store_true")
    ur = uss.add_parser("remove", parents=[common], help="delete an account")
    ur.add_argument("name")
    up = uss.add_parser("passwd", parents=[common], help="a new password (ends the account's sessions)")
    up.add_argument("name")
    up.add_argument("--password-stdin", action="store_true")

    # --- appointments (fleet/appointments/cli.py) ---
    from fleet.appointments.cli import add_parsers as _appt_parsers

    p.set_defaults(_appt_handlers=_appt_parsers(sub, common))
    # --- end appointments ---

    rp = sub.add_parser("report", parents=[common], help="the bureau's figures per site and day (docs/figures.md)")
    rp.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    rp.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    rp.add_argument("--site", help="one site (as registered with `terminals add --site`)")
    rp.add_argument("--format", choices=("csv", "xlsx", "html"), default="xlsx")
    rp.add_argument("--out", help="file to write (stdout for csv and html when absent)")
    rp.add_argument("--rebuild", action="store_true", help="recompute every day's figures from the stored events first")

    tl = sub.add_parser("tls", parents=[common], help="certificates")
    tls_sub = tl.add_subparsers(dest="action", required=True)
    ti = tls_sub.add_parser("init", parents=[common], help="make a CA and a broker certificate")
    ti.add_argument("--host", action="append", default=None, help="broker host name or IP (repeatable)")

    # --- legal-aid intake (fleet/intake) ---
    ik = sub.add_parser("intake", parents=[common], help="legal-aid intake: the key terminals seal applications to")
    iks = ik.add_subparsers(dest="action", required=True)
    iks.add_parser("key", parents=[common], help="print the public key (made once) for the terminals' [legal_aid] public_key")
    # --- signed releases (fleet/center/releases.py, docs/update.md) ---
    from fleet.center.release_cli import add_parsers as _release_parsers

    _release_parsers(sub, common)
    # --- end releases ---
    return p


def _paths(args: argparse.Namespace) -> Any:
    from fleet.center.runtime import CenterPaths, resolve_data_dir

    return CenterPaths(resolve_data_dir(args.data_dir))


def _store(args: argparse.Namespace) -> Any:
    from fleet.center.store import Store

    paths = _paths(args)
    private_dir(paths.data_dir)
    return Store(args.db or paths.read_runtime().get("db") or paths.default_db())


def _link(args: argparse.Namespace, store: Any) -> Any:
    from fleet.center.service import CenterLink

    paths = _paths(args)
    rt = paths.read_runtime()
    # The centre's own listener (the terminals' one would not know the centre's user).
    broker = args.broker or rt.get("center_broker") or rt.get("broker")
    if not broker:
        raise SystemExit("kiosk-center: no running centre in this data dir; start `kiosk-center serve` or pass --broker")
    ca = args.ca_file or rt.get("ca_file")
    return CenterLink(broker, paths.center_password(), store, ca_file=Path(ca) if ca else None).start()


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the service until SIGINT/SIGTERM."""
    from fleet.broker import Broker, TlsFiles
    from fleet.center.service import CenterLink
    from fleet.dashboard.server import Dashboard

    from fleet.center.auth import parse_proxies

    try:
        parse_proxies(args.trusted_proxy)
    except ValueError as exc:
        print(f"kiosk-center serve: --trusted-proxy: {exc}", file=sys.stderr)
        return 2
    paths = _paths(args)
    # What an older version (or a copy by hand) left readable is made private at start.
    private_dir(paths.data_dir)
    tighten_tree(paths.data_dir)
    store = _store(args)
    broker = None
    rt: dict[str, Any] = {"db": store.url, "pid": os.getpid()}
    if args.with_broker:
        tls = None
        tls_dir = paths.data_dir / "tls"
        broker = Broker(paths.broker_dir(), args.mqtt_port or None)
        if (tls_dir / "server.crt").is_file():
            broker.directory.mkdir(parents=True, exist_ok=True)
            for n in ("ca.crt", "server.crt", "server.key"):
                shutil.copy(tls_dir / n, broker.directory / n)
            tls = TlsFiles(broker.directory / "ca.crt", broker.directory / "server.crt", broker.directory / "server.key", args.mqtts_port)
            broker.tls = tls
        broker.start(paths.broker_users(store.password_hashes()))
        rt.update(broker=broker.url, center_broker=broker.center_url, broker_pid=broker.proc.pid, broker_dir=str(broker.directory),
                  mqtt_port=broker.port, center_port=broker.center_port)
        if tls:
            rt.update(mqtts_port=tls.port)
    elif args.broker:
        rt["broker"] = rt["center_broker"] = args.broker
    else:
        print("kiosk-center serve: give --with-broker or --broker URL", file=sys.stderr)
        return 2
    if args.ca_file:
        rt["ca_file"] = args.ca_file
    host, _, port = args.http.rpartition(":")

    async def run() -> None:
        dash: Dashboard | None = None
        link = CenterLink(rt["center_broker"], paths.center_password(), store, ingest=True, share_group=args.share,
                          ca_file=Path(args.ca_file) if args.ca_file else None,
                          on_change=lambda ids: dash.notify(ids) if dash else None)
        await asyncio.get_running_loop().run_in_executor(None, link.start)
        dash = Dashboard(link, paths.data_dir, args.offline_alert_minutes, trusted_proxies=args.trusted_proxy)
        bound = await dash.start(host or "127.0.0.1", int(port or 8080))
        rt["http"] = f"{host or '127.0.0.1'}:{bound}"
        paths.write_runtime(rt)
        print(f"kiosk-center: broker {rt['broker']} · dashboard http://{rt['http']}/ · store {store.url.split('@')[-1]}", flush=True)
        if not dash.users.list():
            # The dashboard serves nobody anonymously: say how to make the first account.
            print("kiosk-center: no staff accounts yet; the web pages admit nobody until you create one:\n"
                  f"  kiosk-center users add admin --role admin --data-dir {paths.data_dir}", flush=True)
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        from fleet.center.releases import keep_signed  # the timestamp expires within a day: re-sign it

        resign = asyncio.create_task(keep_signed(paths.data_dir / "updates", stop))
        await stop.wait()
        await resign
        await dash.stop()
        link.close()

    try:
        asyncio.run(run())
    finally:
        paths.runtime.unlink(missing_ok=True)
        if broker is not None:
            broker.stop()
        store.close()
    return 0


def cmd_terminals(args: argparse.Namespace) -> int:
    """List, add, remove."""
    from fleet.broker import hash_password, new_password

    store = _store(args)
    paths = _paths(args)
    if args.action == "add":
        pw = new_password()
        store.add_terminal(args.terminal_id, args.site, hash_password(pw))
        reloaded = paths.reload_broker(store.password_hashes())
        doc = {"terminal_id": args.terminal_id, "username": args.terminal_id, "password": pw}
        if args.json:
            print(json.dumps(doc, ensure_ascii=False))
        else:
            print(f"terminal {args.terminal_id} ({args.site})\nusername: {args.terminal_id}\npassword: {pw}\n(shown once: put it in the terminal's [fleet] settings)")
        if not reloaded:
            print("note: no embedded broker running here; the credentials apply at the next `serve --with-broker`", file=sys.stderr)
        return 0
    if args.action == "remove":
        ok = store.remove_terminal(args.terminal_id)
        paths.reload_broker(store.password_hashes())
        print(f"{args.terminal_id}: {'removed' if ok else 'not found'}")
        return 0 if ok else 1
    rows = store.terminal_rows()
    for r in rows:
        r.pop("telemetry", None)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        widths = (16, 8, 24, 26)
        print(_columns(("terminal", "state", "site", "last seen", "faults"), widths))
        for r in rows:
            print(_columns((r["terminal_id"], "online" if r["online"] else "offline", r["site"], str(r["last_seen"] or "-"),
                            ",".join(r["faults"])), widths))
    return 0


def _columns(cells: tuple[str, ...], widths: tuple[int, ...]) -> str:
    """One table line: each cell cut and padded to its width in terminal columns, so
    Chinese (two columns a character) lines up with Latin; the last cell as it is."""
    from wcwidth import wcswidth, wcwidth

    out = []
    for text, width in zip(cells, widths):
        text = "".join(ch if ch.isprintable() else " " for ch in text)
        cut, used = "", 0
        for ch in text:
            w = max(wcwidth(ch), 0)
            if used + w > width:
                break
            cut, used = cut + ch, used + w
        out.append(cut + " " * (width - max(wcswidth(cut), 0)))
    return " ".join(out + list(cells[len(widths):]))


def _command(args: argparse.Namespace, name: str, cargs: dict[str, Any], timeout: float) -> Any:
    store = _store(args)
    link = _link(args, store)
    try:
        return link.command(args.terminal_id, name, cargs, timeout=timeout)
    finally:
        link.close()
        store.close()


def cmd_cmd(args: argparse.Namespace) -> int:
    """One command, its reply printed."""
    try:
        cargs = json.loads(args.args)
        assert isinstance(cargs, dict)
    except (ValueError, AssertionError):
        print("kiosk-center: --args must be a JSON object", file=sys.stderr)
        return 2
    res = _command(args, args.name, cargs, args.timeout)
    if res.ok and isinstance(res.result.get("png_base64"), str):
        # An image is a file for a person to open, not base64 on the screen.
        saved = _save_png(args, res.result.pop("png_base64"))
        if saved is None:
            return 1
        res.result["file"] = saved
    doc = res.model_dump(mode="json", exclude_none=True)
    if args.json:
        print(json.dumps(doc, ensure_ascii=False))
    elif res.ok and "file" in res.result:
        print(res.result["file"])
    elif res.ok:
        print(json.dumps(res.result, ensure_ascii=False, indent=1))
    else:
        print(f"error: {res.error}: {res.message or ''}", file=sys.stderr)
    return 0 if res.ok else 1


def cmd_logs(args: argparse.Namespace) -> int:
    """The last lines of a terminal's log."""
    res = _command(args, "get_logs", {"lines": args.lines}, 20)
    if not res.ok:
        print(f"error: {res.error}: {res.message or ''}", file=sys.stderr)
        return 1
    print("\n".join(res.result["lines"]))
    return 0


def cmd_screenshot(args: argparse.Namespace) -> int:
    """Save a terminal's screen as PNG."""
    res = _command(args, "screenshot", {}, 20)
    if not res.ok:
        print(f"error: {res.error}: {res.message or ''}", file=sys.stderr)
        return 1
    saved = _save_png(args, res.result.get("png_base64", ""))
    if saved is None:
        return 1
    print(saved)
    return 0


def _save_png(args: argparse.Namespace, data: str) -> str | None:
    """Write a screenshot to ``--out`` (default ``screenshot-ID-YYYYmmdd-HHMMSS.png`` in
    the current directory); its path, or None after saying why it could not."""
    out = Path(args.out or f"screenshot-{args.terminal_id}-{time.strftime('%Y%m%d-%H%M%S')}.png")
    try:
        png = base64.b64decode(data, validate=True)
        if not png.startswith(b"\x89PNG"):
            raise ValueError("the terminal did not send a PNG image")
        out.write_bytes(png)
    except (OSError, ValueError) as exc:
        print(f"kiosk-center: screenshot not saved: {exc}", file=sys.stderr)
        return None
    return str(out)


def cmd_config(args: argparse.Namespace) -> int:
    """Push desired configuration with a staged rollout."""
    from fleet.center.rollout import rollout

    try:
        config = tomllib.loads(Path(args.file).read_text(encoding="utf-8-sig"))  # a BOM (Notepad) is no error
        stages = [int(x) for x in args.rollout.split(",")]
    except (OSError, ValueError) as exc:
        print(f"kiosk-center: {exc}", file=sys.stderr)
        return 2
    store = _store(args)
    if args.all or args.site:
        targets = [r["terminal_id"] for r in store.terminal_rows(site=args.site)]
    else:
        targets = list(args.targets)
    if not targets:
        print("kiosk-center: no target terminals (ID…, --all or --site S)", file=sys.stderr)
        return 2
    link = _link(args, store)
    try:
        res = rollout(link, targets, config, stages, stage_timeout=args.stage_timeout, max_failures=args.max_failures,
                      progress=lambda s: print(s, flush=True))
    finally:
        link.close()
    for tid, err in res.rejected.items():
        print(f"rejected {tid}: {err}")
    return 1 if res.aborted or res.rejected else 0


def cmd_simulate(args: argparse.Namespace) -> int:
    """Run simulated terminals."""
    import tempfile

    from fleet.broker import hash_password, new_password
    from fleet.simulate import SimulatedFleet

    paths = _paths(args)
    rt = paths.read_runtime()
    broker = args.broker or rt.get("broker")
    if not broker:
        print("kiosk-center: no broker (start `serve --with-broker` or pass --broker)", file=sys.stderr)
        return 2
    ids = [f"{args.prefix}{i:04d}" for i in range(args.first, args.first + args.terminals)]
    from kiosk.terminal_id import is_terminal_id

    if not all(is_terminal_id(t) for t in ids[:1] + ids[-1:]):
        print(f"kiosk-center: --prefix {args.prefix!r} makes ids like {ids[0]!r}, which are not terminal ids", file=sys.stderr)
        return 2
    from fleet.simulate import raise_fd_limit

    if raise_fd_limit(args.terminals) < args.terminals:
        # One epoll loop drives every agent; the limit is the descriptors (~15 each).
        print(f"kiosk-center: `ulimit -n` is too low for {args.terminals} terminals in one process; "
              "raise it or run several `simulate --first K --terminals N` processes", file=sys.stderr)
        return 2
    creds_file = paths.data_dir / "simulated-credentials.json"
    creds: dict[str, str] = json.loads(creds_file.read_text()) if creds_file.is_file() else {}
    if args.provision:
        store = _store(args)
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


def _new_password(args: argparse.Namespace) -> str | None:
    """A new password from stdin or asked twice; None (after saying why) if refused."""
    from fleet.center.auth import MIN_PASSWORD

    if args.password_stdin:
        pw = sys.stdin.readline().rstrip("\r\n")
    else:
        import getpass

        pw = getpass.getpass("password: ")
        if getpass.getpass("again: ") != pw:
            print("kiosk-center: the passwords differ", file=sys.stderr)
            return None
    if len(pw) < MIN_PASSWORD:
        print(f"kiosk-center: a password needs at least {MIN_PASSWORD} characters", file=sys.stderr)
        return None
    return pw


def cmd_users(args: argparse.Namespace) -> int:
    """Staff accounts: add, list, remove, passwd."""
    from fleet.center.auth import Users

    store = _store(args)
    try:
        users = Users(store)
        if args.action == "list":
            rows = [{"name": u.name, "role": u.role, "display_name": u.display_name, "disabled": u.disabled,
                     "created_at": u.created_at.isoformat() if u.created_at else None} for u in users.list()]
            if args.json:
                print(json.dumps(rows, ensure_ascii=False, indent=1))
            else:
                for r in rows:
                    print(f"{r['name']:<20} {r['role']:<11} {r['display_name']}{'  (disabled)' if r['disabled'] else ''}")
            return 0
        if args.action == "remove":
            ok = users.remove(args.name)
            print(f"{args.name}: {'removed' if ok else 'not found'}")
            return 0 if ok else 1
        if args.action == "add" and users.get(args.name) is not None:
            print(f"kiosk-center: user {args.name!r} exists", file=sys.stderr)
            return 1
        if args.action == "passwd" and users.get(args.name) is None:
            print(f"kiosk-center: no user {args.name!r}", file=sys.stderr)
            return 1
        pw = _new_password(args)
        if pw is None:
            return 2
        if args.action == "add":
            try:
                u = users.add(args.name, args.role, pw, args.display_name)
            except ValueError as exc:
                print(f"kiosk-center: {exc}", file=sys.stderr)
                return 2
            print(f"user {u.name} ({u.role}) added")
        else:
            users.set_password(args.name, pw)
            print(f"{args.name}: password changed; its sessions are signed out")
        return 0
    finally:
        store.close()


def cmd_report(args: argparse.Namespace) -> int:
    """Write the bureau's report for a date range."""
    from datetime import date

    from fleet.center import figures, report

    try:
        d0, d1 = date.fromisoformat(args.date_from), date.fromisoformat(args.date_to)
    except ValueError as exc:
        print(f"kiosk-center report: {exc} (dates are YYYY-MM-DD)", file=sys.stderr)
        return 2
    if d1 < d0:
        print("kiosk-center report: --to is before --from", file=sys.stderr)
        return 2
    if args.format == "xlsx" and not args.out:
        print("kiosk-center report: an Excel workbook needs --out FILE.xlsx", file=sys.stderr)
        return 2
    store = _store(args)
    try:
        if args.rebuild:
            figures.rebuild(store.engine)
        rep = figures.report(store.engine, d0, d1, args.site)
    finally:
        store.close()
    data = report.render(rep, args.format)
    if args.out:
        Path(args.out).write_bytes(data)
        print(f"{args.out}: {len(rep.sites)} site(s), {len(rep.days)} day(s), {rep.get()['tickets']} tickets", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def cmd_tls(args: argparse.Namespace) -> int:
    """Make a CA and a broker certificate in DATA_DIR/tls."""
    from fleet.center.tls import init_tls

    files = init_tls(_paths(args).data_dir / "tls", args.host or ["localhost", "127.0.0.1"])
    for k, v in files.items():
        print(f"{k}: {v}")
    print("copy ca.crt to each terminal ([fleet] ca_file) and use mqtts://HOST:8883")
    return 0


def cmd_intake(args: argparse.Namespace) -> int:
    """Print the intake's public key (creating the key pair on first use)."""
    from fleet.intake.keys import IntakeKeys

    keys = IntakeKeys(_paths(args).data_dir)
    print(keys.public_text)
    print(f"# key id {keys.key_id}; push it: [legal_aid] public_key = \"{keys.public_text}\"", file=sys.stderr)
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    """``release init|add|rollout|status|halt`` (fleet/center/release_cli.py)."""
    from fleet.center.release_cli import run

    return run(args, _paths(args).data_dir, lambda: _link(args, _store(args)))


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``kiosk-center``."""
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING if args.command != "serve" else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers = {"serve": cmd_serve, "terminals": cmd_terminals, "cmd": cmd_cmd, "config": cmd_config, "logs": cmd_logs,
                "screenshot": cmd_screenshot, "simulate": cmd_simulate, "tls": cmd_tls, "users": cmd_users,
                "report": cmd_report}
    handlers["intake"] = cmd_intake  # legal-aid intake (fleet/intake)
    handlers["release"] = cmd_release  # signed releases (fleet/center/release_cli.py)
    handlers.update(args._appt_handlers)  # slots, appointments (fleet/appointments/cli.py)
    # Everything the centre writes (database, recordings, keys, screenshots) is
    # owner-only, whatever umask it was started with.
    restrict_umask()
    from fleet.center.store import StoreDamaged
    from sqlalchemy.exc import DatabaseError as SQLDatabaseError

    try:
        return handlers[args.command](args)
    except StoreDamaged as exc:
        print(f"kiosk-center: the centre's database is damaged ({exc}). Nothing was changed in it: restore it from a"
              " backup, or move it aside (it is kept for recovery) to start with an empty store.", file=sys.stderr)
        return 2
    except SQLDatabaseError as exc:
        print(f"kiosk-center: the centre's database could not be used: {exc.orig or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
