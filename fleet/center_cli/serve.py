"""``kiosk-center serve``: the fleet service, the embedded broker and the web pages."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

from fleet.broker import Broker, TlsFiles
from fleet.center.auth.proxies import parse_proxies
from fleet.center.releases import keep_signed
from fleet.center.service import CenterLink
from fleet.center_cli.common import Subparsers, open_store, paths_of
from fleet.mediation.config import load_mediation_settings
from kiosk.files import private_dir, tighten_tree


def register(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``serve``."""
    s = sub.add_parser("serve", parents=[common], help="run the fleet service and the dashboard")
    s.add_argument("--with-broker", action="store_true", help="start a local Mosquitto with the generated configuration")
    s.add_argument("--mqtt-port", type=int, default=1883, help="its loopback port (0: a free one)")
    s.add_argument("--mqtts-port", type=int, default=8883, help="its TLS port, when `tls init` made certificates")
    s.add_argument("--http", default="127.0.0.1:8080", help="dashboard HOST:PORT (port 0: a free one)")
    s.add_argument("--share", help="MQTT v5 shared-subscription group, for several centre workers")
    s.add_argument("--offline-alert-minutes", type=float, default=5.0)
    s.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDR[/BITS]",
                   help="a reverse proxy whose X-Forwarded-For/-Proto/-Host are believed (repeatable; docs/deploy.md)")
    s.set_defaults(handler=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the service until SIGINT/SIGTERM."""
    try:
        parse_proxies(args.trusted_proxy)
    except ValueError as exc:
        print(f"kiosk-center serve: --trusted-proxy: {exc}", file=sys.stderr)
        return 2
    paths = paths_of(args)
    try:
        # The media server for mediation starts with the web app; a bad file stops here.
        load_mediation_settings(paths.data_dir)
    except ValueError as exc:
        print(f"kiosk-center serve: {exc}", file=sys.stderr)
        return 2
    # What an older version (or a copy by hand) left readable is made private at start.
    private_dir(paths.data_dir)
    tighten_tree(paths.data_dir)
    store = open_store(args)
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
        proc = broker.start(paths.broker_users(store.password_hashes()))
        rt.update(broker=broker.url, center_broker=broker.center_url, broker_pid=proc.pid, broker_dir=str(broker.directory),
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

    # Every command builds this module's parser; the web app (aiohttp and every page
    # set, ~0.3 s) is deferred to here, the one command that serves it.
    from fleet.center.webapp import CentreWebApp

    async def run() -> None:
        web: CentreWebApp | None = None
        link = CenterLink(rt["center_broker"], paths.center_password(), store, ingest=True, share_group=args.share,
                          ca_file=Path(args.ca_file) if args.ca_file else None,
                          on_change=lambda ids: web.notify(ids) if web else None)
        await asyncio.get_running_loop().run_in_executor(None, link.start)
        web = CentreWebApp(link, paths.data_dir, args.offline_alert_minutes, trusted_proxies=args.trusted_proxy)
        bound = await web.start(host or "127.0.0.1", int(port or 8080))
        rt["http"] = f"{host or '127.0.0.1'}:{bound}"
        paths.write_runtime(rt)
        print(f"kiosk-center: broker {rt['broker']} · dashboard http://{rt['http']}/ · store {store.url.split('@')[-1]}", flush=True)
        if not web.users.list():
            # The dashboard serves nobody anonymously: say how to make the first account.
            print("kiosk-center: no staff accounts yet; the web pages admit nobody until you create one:\n"
                  f"  kiosk-center users add admin --role admin --data-dir {paths.data_dir}", flush=True)
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        # The repository's timestamp expires within a day: re-sign it while serving.
        resign = asyncio.create_task(keep_signed(paths.data_dir / "updates", stop))
        await stop.wait()
        await resign
        await web.stop()
        link.close()

    try:
        asyncio.run(run())
    finally:
        paths.runtime.unlink(missing_ok=True)
        if broker is not None:
            broker.stop()
        store.close()
    return 0
