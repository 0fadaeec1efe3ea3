"""Fleet benchmark: N simulated terminals (the real agent) on a real Mosquitto, the centre
(`kiosk-center serve`) in its own process.

Reports: time until all N are online at the centre, telemetry ingest (steady and a
burst), command round trip p50/p99 beside a bare MQTT v5 request/response on the same
broker in the same run, and the centre's CPU and memory.

Then a reconnect storm: with all N online (and ``--kiosks`` real kiosk agents on their
own threads beside them), the broker is restarted. Reported: time until every terminal
is online at the centre again in a new session, outbox events lost (tickets taken on
the kiosks before, during and after the outage; must be 0), peak broker and centre CPU,
the spread of the reconnects (the kiosks' own, from paho's back-off, and the centre's
view of all), and whether a second wave of reconnects followed. Goal: all back within
60 s, nothing lost, no second storm; exits 1 when missed.

    python bench/bench_fleet.py [--terminals 5000] [--telemetry 30] [--commands 300]
    python bench/bench_fleet.py --terminals 500 --storm-only     # a check of the storm
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import paho.mqtt.client as mqtt  # noqa: E402
import psutil  # noqa: E402
from paho.mqtt.packettypes import PacketTypes  # noqa: E402
from paho.mqtt.properties import Properties  # noqa: E402

from fleet import topics  # noqa: E402
from fleet.broker import Broker, hash_password, new_password  # noqa: E402
from fleet.center.runtime import CenterPaths  # noqa: E402
from fleet.center.service import CenterLink, wait_for  # noqa: E402
from fleet.center.store import Store, telemetry_history  # noqa: E402
from sqlalchemy import func, select  # noqa: E402


def pct(xs: list[float], p: float) -> float:
    """Percentile (nearest rank) in ms."""
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] * 1000


class BareRequestResponse:
    """A bare MQTT v5 request/response (QoS 1 both ways) between two plain paho clients
    on the same broker, each on paho's own network thread (``loop_start``): the
    responder answers inside its message callback. No JSON models, no journal, no
    agent — the floor any MQTT command round trip stands on."""

    def __init__(self, broker: Broker, password: str) -> None:
        from fleet.mqttlink import _nodelay

        self.got = threading.Event()
        self.resp = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bare-resp", protocol=mqtt.MQTTv5)
        self.req = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bare-req", protocol=mqtt.MQTTv5)
        for c in (self.resp, self.req):
            c.username_pw_set(topics.CENTER_USER, password)
            c.on_socket_open = _nodelay  # as fair as the fleet's own clients

        def on_request(c, u, m):
            props = Properties(PacketTypes.PUBLISH)
            props.CorrelationData = m.properties.CorrelationData
            c.publish(m.properties.ResponseTopic, b'{"ok":true}', qos=1, properties=props)

        self.resp.on_message = on_request
        self.req.on_message = lambda c, u, m: self.got.set()
        self.resp.connect("127.0.0.1", broker.center_port)
        self.req.connect("127.0.0.1", broker.center_port)
        self.resp.subscribe("kiosk/v1/BARE/cmd", qos=1)
        self.req.subscribe("kiosk/v1/BARE/res/bare", qos=1)
        self.resp.loop_start()
        self.req.loop_start()
        time.sleep(0.5)
        self.i = 0

    def one(self) -> float:
        """One round trip, in seconds."""
        self.i += 1
        props = Properties(PacketTypes.PUBLISH)
        props.ResponseTopic = "kiosk/v1/BARE/res/bare"
        props.CorrelationData = str(self.i).encode()
        props.MessageExpiryInterval = 10
        self.got.clear()
        t0 = time.perf_counter()
        self.req.publish("kiosk/v1/BARE/cmd", b'{"v":1,"id":"x","name":"ping"}', qos=1, properties=props)
        self.got.wait(10)
        return time.perf_counter() - t0

    def close(self) -> None:
        """Disconnect both."""
        for c in (self.resp, self.req):
            c.disconnect()
            c.loop_stop()


def main() -> int:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--terminals", type=int, default=5000)
    ap.add_argument("--telemetry", type=int, default=30, help="seconds between each terminal's telemetry")
    ap.add_argument("--commands", type=int, default=300)
    ap.add_argument("--burst", type=int, default=20000, help="telemetry messages in the ingest burst")
    ap.add_argument("--steady", type=float, default=30.0, help="seconds of steady telemetry measured")
    ap.add_argument("--processes", type=int, default=0,
                    help="simulator processes (0: one per 1,000 terminals; each drives its agents from one epoll loop)")
    ap.add_argument("--connect-rate", type=float, default=400.0, help="new connections per second per simulator process")
    ap.add_argument("--max-online-wait", type=float, default=0, help="seconds to wait for all online (0: 120 + N/10)")
    ap.add_argument("--no-storm", action="store_true", help="skip the reconnect storm (broker restart)")
    ap.add_argument("--storm-only", action="store_true", help="only the storm: no telemetry, burst or command figures")
    ap.add_argument("--kiosks", type=int, default=50,
                    help="real kiosk agents (own threads, paho's own back-off) beside the simulators: they take tickets "
                         "while the broker is down, and their reconnects show the back-off's spread")
    ap.add_argument("--down", type=float, default=3.0, help="seconds the broker stays down")
    a = ap.parse_args()
    # `timeout` and Ctrl-C alike: unwind, so that the simulators, the centre and the
    # broker started below are stopped and their data removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    n = a.terminals
    a.processes = a.processes or -(-n // 1000)
    # The broker (a child: it inherits this limit) holds one descriptor per terminal; each
    # simulator raises its own limit for ~15 per terminal.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else max(soft, n * 2 + 1000), hard))
    tmp = Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    os.chmod(tmp, 0o711)
    paths = CenterPaths(tmp / "center")
    db = paths.default_db()
    paths.data_dir.mkdir(parents=True)
    store = Store(db)
    creds = {f"B{i:04d}": new_password() for i in range(1, n + 1)}
    t0 = time.perf_counter()
    for tid, pw in creds.items():
        store.add_terminal(tid, f"site {int(tid[1:]) % 50:02d}", hash_password(pw))
    kiosk_creds = {f"K{i:04d}": new_password() for i in range(1, (0 if a.no_storm else a.kiosks) + 1)}
    for tid, pw in kiosk_creds.items():
        store.add_terminal(tid, "site kiosks", hash_password(pw))
    provision_s = time.perf_counter() - t0
    broker = Broker(directory=tmp / "broker")  # its files outlive a restart (the storm)
    broker.start(paths.broker_users(store.password_hashes()))
    # Raise Mosquitto's own fd limit is the system's job; at 5,000 it needs `ulimit -n` > 5,100.
    serve = subprocess.Popen(
        [sys.executable, "-m", "fleet.center_cli", "serve", "--data-dir", str(paths.data_dir), "--broker", broker.center_url,
         "--db", db, "--http", "127.0.0.1:0"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    sims: list[subprocess.Popen[bytes]] = []
    link = None
    storm_ok = True
    try:
        wait_for(lambda: paths.runtime.is_file() and "http" in json.loads(paths.runtime.read_text()), 30)
        center_proc = psutil.Process(serve.pid)
        cpu0 = center_proc.cpu_times()
        # The terminals run in `kiosk-center simulate` processes: the real agent, all of a
        # process's agents driven by one epoll loop (fleet/agent/loop.py).
        (paths.data_dir / "simulated-credentials.json").write_text(json.dumps(creds))
        per = -(-n // a.processes)
        t0 = time.perf_counter()
        for k in range(a.processes):
            first, count = 1 + k * per, min(per, n - k * per)
            if count <= 0:
                break
            sims.append(subprocess.Popen(
                [sys.executable, "-m", "fleet.center_cli", "simulate", "--data-dir", str(paths.data_dir), "--broker", broker.url,
                 "--prefix", "B", "--first", str(first), "--terminals", str(count), "--telemetry", str(a.telemetry),
                 "--connect-rate", str(a.connect_rate), "--start-on-stdin"],
                cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(tmp / f"simulate-{k}.log", "w"), text=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            ))
        # Each simulator builds its terminals (SQLite files, catalogues: CPU-bound), says
        # so, and waits: then all connect at once, and the clock measures the fleet
        # coming online, not the simulators' start-up.
        for p in sims:
            line = p.stdout.readline()  # type: ignore[union-attr]
            if not line.startswith("{"):
                raise SystemExit(f"a simulator failed while building (see {tmp}/simulate-*.log)")
        build_s = time.perf_counter() - t0
        print(f"built {n} terminals in {build_s:.1f} s", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        cpu0 = center_proc.cpu_times()  # the centre's CPU from the first connect on
        for p in sims:
            p.stdin.write("go\n")  # type: ignore[union-attr]
            p.stdin.flush()  # type: ignore[union-attr]

        def online() -> int:
            # A COUNT, not the technician's full rows: the bench must not load the centre.
            from fleet.center.store import terminals as terminals_table

            with store.engine.connect() as c:
                return int(c.execute(select(func.count()).select_from(terminals_table).where(terminals_table.c.online.is_(True))).scalar_one())

        all_online = wait_for(lambda: online() == n, timeout=a.max_online_wait or 120 + n / 10, interval=0.5)
        print(f"online {online()} after {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
        if not all_online:
            for log_file in sorted(tmp.glob("simulate-*.log")):
                print(f"--- {log_file.name}:\n{log_file.read_text()[-2000:]}", file=sys.stderr)
        online_s = time.perf_counter() - t0
        n_online = online()

        def hist() -> int:
            with store.engine.connect() as c:
                return int(c.execute(select(func.count()).select_from(telemetry_history)).scalar_one())

        steady = burst_rate = burst_s = steady_cpu = 0.0
        rtts: list[float] = []
        rtts_nj: list[float] = []
        bare: list[float] = []
        fails = 0
        if not a.storm_only:
            h0, s0, c0_steady = hist(), time.perf_counter(), center_proc.cpu_times()
            time.sleep(a.steady)
            steady = (hist() - h0) / (time.perf_counter() - s0)
            c1_steady = center_proc.cpu_times()
            steady_cpu = ((c1_steady.user + c1_steady.system) - (c0_steady.user + c0_steady.system)) / (time.perf_counter() - s0)
            # Burst: telemetry as fast as one client can publish it (as the centre user,
            # which may write under every terminal's root), then time until it is stored.
            link = CenterLink(broker.center_url, paths.center_password(), store).start()
            sample = topics.Telemetry(at=store_now(), session=1, tickets_today=3, versions={"kiosk": "0.1.0"}).to_bytes()
            tids = list(creds)
            h1 = hist()
            b0 = time.perf_counter()
            for i in range(a.burst):
                link._client.publish(topics.topic(tids[i % n], topics.TELEMETRY), sample, qos=0)
                if i % 250 == 249:
                    # Keep under the broker's per-client queue (1000): beyond it QoS 0 is dropped.
                    wait_for(lambda: hist() >= h1 + i - 750, timeout=30, interval=0.01)
            expected = h1 + a.burst
            wait_for(lambda: hist() >= expected, timeout=120, interval=0.2)
            burst_s = time.perf_counter() - b0
            burst_rate = (hist() - h1) / burst_s
            time.sleep(1)
            # Command round trips to random terminals, journalled (like a technician's) and
            # not, interleaved with the bare request/response so that all three see the
            # same machine at the same moments (this machine is shared).
            rnd = random.Random(1)
            bare_rr = BareRequestResponse(broker, paths.center_password())
            rtts, rtts_nj, bare, fails = [], [], [], 0
            for _ in range(a.commands):
                c0 = time.perf_counter()
                res = link.command(rnd.choice(tids), "ping", timeout=10)
                rtts.append(time.perf_counter() - c0)
                fails += not res.ok
                # Its journal entry is written behind the reply; let it finish (untimed) so
                # that it does not slow the next measurement, the bare one included.
                link.flush_journal()
                c0 = time.perf_counter()
                res = link.command(rnd.choice(tids), "ping", timeout=10, journal=False)
                rtts_nj.append(time.perf_counter() - c0)
                fails += not res.ok
                bare.append(bare_rr.one())
            bare_rr.close()
        cpu1 = center_proc.cpu_times()
        rss = center_proc.memory_info().rss / 2**20
        elapsed = time.perf_counter() - t0
        cpu = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
        broker_rss = psutil.Process(broker.proc.pid).memory_info().rss / 2**20
        print(f"fleet bench · {n} simulated terminals (real agent, real Mosquitto 2.0, centre in its own process, SQLite store)")
        print(f"  machine                         {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
        print(f"  provisioning (hash + store)     {provision_s:8.2f} s")
        print(f"  simulator processes             {len(sims):8d}   (one epoll loop each; {sum(psutil.Process(p.pid).num_threads() for p in sims)} threads in all)")
        print(f"  terminals built (simulators)    {build_s:8.2f} s   (SQLite files, catalogues; before any connects)")
        print(f"  all online at the centre        {online_s:8.2f} s   ({n_online}/{n} online{'' if all_online else ' — NOT ALL'}; "
              f"connects paced at {a.connect_rate:g}/s per simulator, {len(sims)} simulators)")
        if not a.storm_only:
            print(f"  telemetry ingest, steady        {steady:8.1f} msg/s (every {a.telemetry} s per terminal → ideal {n / a.telemetry:.1f})")
            print(f"  telemetry ingest, flat out      {burst_rate:8.0f} msg/s ({a.burst} messages in {burst_s:.2f} s)")
            print(f"  command RTT (ping, journalled)  p50 {pct(rtts, 50):6.2f} ms   p99 {pct(rtts, 99):6.2f} ms   failures {fails}")
            print(f"  command RTT (ping, no journal)  p50 {pct(rtts_nj, 50):6.2f} ms   p99 {pct(rtts_nj, 99):6.2f} ms")
            print(f"  bare MQTT v5 request/response   p50 {pct(bare, 50):6.2f} ms   p99 {pct(bare, 99):6.2f} ms")
            print(f"  ratio fleet/bare (p50)          {statistics.median(rtts_nj) / statistics.median(bare):8.2f} × without the centre's journal, "
                  f"{statistics.median(rtts) / statistics.median(bare):.2f} × with it (two SQLite commits, written behind the reply)")
        print(f"  centre CPU                      {cpu:8.1f} s over {elapsed:.0f} s ({100 * cpu / elapsed:.0f} % of one core); "
              f"steady telemetry alone {100 * steady_cpu:.0f} %")
        print(f"  centre memory (RSS)             {rss:8.1f} MB;  broker RSS {broker_rss:.1f} MB")
        sim_rss = sum(psutil.Process(p.pid).memory_info().rss for p in sims) / 2**20
        sim_cpu = sum(sum(psutil.Process(p.pid).cpu_times()[:2]) for p in sims)
        print(f"  simulators' CPU                 {sim_cpu:8.1f} s in all")
        sim_fds = sum(psutil.Process(p.pid).num_fds() for p in sims)
        print(f"  descriptors                     {sim_fds / n:8.1f} per simulated terminal; broker {psutil.Process(broker.proc.pid).num_fds()}; "
              f"limit {resource.getrlimit(resource.RLIMIT_NOFILE)[0]} per process")
        print(f"  simulated terminals' processes  {sim_rss:8.1f} MB RSS in all ({sim_rss / n:.2f} MB per terminal)")
        if not a.no_storm:
            storm_ok = reconnect_storm(a, broker, store, paths, center_proc, tmp, creds, kiosk_creds)
    finally:
        if link is not None:
            link.close()
        for p in sims:
            p.send_signal(signal.SIGINT)  # each closes its agents and removes its data
        for p in sims:
            try:
                p.wait(120)
            except subprocess.TimeoutExpired:
                p.kill()
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(15)
        except subprocess.TimeoutExpired:
            serve.kill()
        broker.stop()
        store.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if storm_ok else 1


def _spread(xs: list[float]) -> str:
    """p10 / p50 / p90 / max of seconds, and the busiest 100 ms."""
    if not xs:
        return "none"
    s = sorted(xs)
    q = lambda p: s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]  # noqa: E731
    buckets: dict[int, int] = {}
    for x in s:
        buckets[int(x * 10)] = buckets.get(int(x * 10), 0) + 1
    return (f"p10 {q(10):.2f} s  p50 {q(50):.2f} s  p90 {q(90):.2f} s  max {s[-1]:.2f} s; "
            f"busiest 100 ms: {max(buckets.values())} of {len(s)}")


def reconnect_storm(a: argparse.Namespace, broker: Broker, store: Store, paths: CenterPaths, center_proc: psutil.Process,
                    tmp: Path, creds: dict[str, str], kiosk_creds: dict[str, str]) -> bool:
    """Restart the broker under the whole fleet; print what came back, how, and what was
    lost. True when the goals are met."""
    import sqlite3

    from fleet.agent.agent import Agent
    from fleet.center.store import events as events_table
    from fleet.center.store import terminals as terminals_table
    from kiosk.bootstrap import build_terminal
    from kiosk.config import FleetSettings, KioskConfig
    from kiosk.store import DB_FILENAME

    import logging

    # Each kiosk agent says once that it lost the centre: 50 of them would bury the figures.
    logging.getLogger("fleet").setLevel(logging.ERROR)
    everyone = len(creds) + len(kiosk_creds)
    # Real kiosk agents (their own threads, paho's own loop and back-off), as in a kiosk.
    kiosks: list[tuple[Any, Any]] = []
    connects: dict[str, list[float]] = {}
    for tid, pw in kiosk_creds.items():
        cfg = KioskConfig(terminal_id=tid, fleet=FleetSettings(broker=broker.url, password=pw, telemetry_seconds=a.telemetry))
        t = build_terminal(cfg, tmp / "kiosks" / tid, simulate=True, with_devices=False)
        agent = Agent(t, cfg.fleet)
        own = agent.client.on_connect

        def on_connect(*args: Any, _tid: str = tid, _own: Any = own) -> None:
            connects.setdefault(_tid, []).append(time.monotonic())
            _own(*args)

        agent.client.on_connect = on_connect
        agent.start()
        t.centre = agent
        kiosks.append((t, agent))
    def rows() -> dict[str, Any]:
        with store.engine.connect() as c:
            return {r.terminal_id: r for r in c.execute(select(
                terminals_table.c.terminal_id, terminals_table.c.session, terminals_table.c.online, terminals_table.c.status_at))}

    try:
        wait_for(lambda: sum(r.online for r in rows().values()) == everyone, timeout=120, interval=0.5)
        for t, _ in kiosks:
            t.queue.take("consultation")  # delivered before the storm
        before = {tid: r.session for tid, r in rows().items()}
        # CPU of the broker (a new process after the restart) and of the centre, sampled.
        peaks = {"broker": 0.0, "centre": 0.0}
        sampling = threading.Event()

        def sample() -> None:
            procs: dict[int, psutil.Process] = {}
            center_proc.cpu_percent(None)
            while not sampling.wait(0.5):
                peaks["centre"] = max(peaks["centre"], center_proc.cpu_percent(None))
                if broker.proc is not None and broker.proc.poll() is None:
                    p = procs.get(broker.proc.pid)
                    if p is None:
                        p = procs[broker.proc.pid] = psutil.Process(broker.proc.pid)
                        p.cpu_percent(None)
                        continue
                    peaks["broker"] = max(peaks["broker"], p.cpu_percent(None))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        load = os.getloadavg()[0]
        t_down = time.monotonic()
        assert broker.proc is not None
        broker.proc.terminate()  # a restart: Mosquitto saves its sessions and exits
        broker.proc.wait(30)
        for _ in range(2):
            for t, _ in kiosks:
                t.queue.take("mediation")  # the outbox keeps them while the broker is down
        time.sleep(max(0.0, a.down - (time.monotonic() - t_down)))
        broker.start(paths.broker_users(store.password_hashes()))
        t_up = time.monotonic()
        for t, _ in kiosks:
            t.queue.take("notary")  # taken while the fleet reconnects
        deadline = 60 + everyone / 50

        def back() -> int:
            return sum(1 for tid, r in rows().items() if r.online and r.session > before.get(tid, 0))

        all_back = wait_for(lambda: back() == everyone, timeout=deadline, interval=0.25)
        back_s = time.monotonic() - t_up
        n_back = back()
        # A second wave: terminals that lose the link again once all are back.
        settled = {tid: r.session for tid, r in rows().items()}
        time.sleep(10)
        second = sum(1 for tid, r in rows().items() if r.session != settled[tid] or not r.online)
        sampling.set()
        sampler.join()
        # Outbox: every event a kiosk wrote is at the centre (by id), none waits.
        wait_for(lambda: all(sqlite3.connect(t.data_dir / DB_FILENAME).execute(
            "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0] == 0 for t, _ in kiosks), timeout=60, interval=0.5)
        written: set[str] = set()
        pending = 0
        for t, _ in kiosks:
            c = sqlite3.connect(t.data_dir / DB_FILENAME)
            written |= {r[0] for r in c.execute("SELECT event_id FROM outbox")}
            pending += c.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0]
            c.close()
        with store.engine.connect() as c:
            received = {r[0] for r in c.execute(select(events_table.c.event_id).where(events_table.c.terminal_id.in_(list(kiosk_creds))))}
        lost = len(written - received)
        kiosk_again = [v[1] - t_up for v in connects.values() if len(v) > 1]
        after = rows()
        first_status = min((r.status_at for r in after.values() if r.status_at is not None), default=None)
        centre_view = [(r.status_at - first_status).total_seconds() for r in after.values()
                       if first_status is not None and r.status_at is not None and r.session > before.get(r.terminal_id, 0)]
        ok = bool(all_back) and back_s <= 60 and lost == 0 and pending == 0 and second == 0
        print(f"reconnect storm · broker restarted under {len(creds)} simulated terminals + {len(kiosk_creds)} real kiosk agents "
              f"(load average {load:.1f} before)")
        print(f"  broker down                     {t_up - t_down:8.2f} s")
        print(f"  all back online at the centre   {back_s:8.2f} s after the broker came back "
              f"({n_back}/{everyone} in a new session{'' if all_back else ' — NOT ALL'})  goal ≤ 60 s")
        print(f"  outbox events lost              {lost:8d}   ({len(written)} written on the kiosks, "
              f"{len(written) // max(1, len(kiosk_creds))} each, before, during and after the outage; {pending} still waiting)  goal 0")
        print(f"  second storm                    {second:8d}   terminals that dropped again in the 10 s after all were back  goal 0")
        print(f"  peak CPU (0.5 s samples)        broker {peaks['broker']:.0f} %, centre {peaks['centre']:.0f} % of one core")
        print(f"  kiosks' reconnects (paho back-off, after the broker was back): {_spread(kiosk_again)}")
        print(f"  centre's view, all terminals (new session's status, from the first): {_spread(centre_view)}")
        print(f"  goal: all back within 60 s, nothing lost, no second storm: {'met' if ok else 'NOT MET'}")
        return ok
    finally:
        for t, agent in kiosks:
            agent.close()
            t.close()


def store_now():
    """Now (UTC)."""
    from fleet.center.store import utcnow

    return utcnow()


if __name__ == "__main__":
    sys.exit(main())
