"""Many real agents driven by ONE loop thread (``fleet.agent.loop.AgentLoop``, paho's
external event loop API over epoll) on a real Mosquitto: presence, events with their
acknowledgements, quick and slow commands, a duplicate, the broker killed and restarted,
a clean close — and `kiosk-center simulate` hosting more terminals in one process than
paho's select() loop could (descriptors above 1024)."""

from __future__ import annotations

import json
import subprocess
import threading
import time

from fleet.agent import start_agent
from fleet.agent.loop import AgentLoop
from kiosk.outbox import Outbox
from kiosk.store import DB_FILENAME, connect
from tests.fleet.conftest import until
from tests.support import PYTHON, ROOT, kiosk_env


def _undelivered(terminals) -> int:
    n = 0
    for t in terminals:
        conn = connect(t.data_dir / DB_FILENAME)
        try:
            n += len(Outbox(conn).pending(10_000))
        finally:
            conn.close()
    return n


def test_one_loop_drives_many_agents_through_a_broker_restart(fleet):
    n = 40
    terms = [fleet.terminal(f"LP-{i:03d}", telemetry_seconds=2) for i in range(n)]
    loop = AgentLoop().start()
    threads_before = threading.active_count()
    agents = [start_agent(t, t.config.fleet, outbox_poll_seconds=0.3, loop=loop) for t in terms]
    try:
        until(lambda: sum(r["online"] for r in fleet.store.terminal_rows()) == n, timeout=30)
        # No thread per agent (40 agents of their own would add 80): other threads of the
        # process may come and go meanwhile, so allow a few, not one per agent.
        assert threading.active_count() <= threads_before + 3
        assert len(loop) == n
        # Events from every terminal, stored and acknowledged (the outboxes empty).
        for t in terms:
            t.queue.take("consultation")
        until(lambda: fleet.store.event_count() == n and _undelivered(terms) == 0, timeout=30)
        # Telemetry from each (every 2 s).
        until(lambda: all(r["telemetry"] for r in fleet.store.terminal_rows()), timeout=10)
        # Quick commands (answered on the loop), a slow one (the agent's pool), a duplicate.
        assert fleet.center.command("LP-007", "ping", timeout=5).result["pong"] is True
        assert fleet.center.command("LP-008", "self_test", timeout=10).ok
        first = fleet.center.command("LP-009", "set_volume", {"level": 30}, timeout=5, cmd_id="dup-1")
        again = fleet.center.command("LP-009", "set_volume", {"level": 90}, timeout=5, cmd_id="dup-1")
        assert first.ok and again.duplicate and again.result == first.result
        # The broker dies (SIGKILL) while tickets are being taken; it comes back.
        stop = threading.Event()
        made = [0]

        def take() -> None:
            while not stop.is_set():
                terms[made[0] % n].queue.take("mediation")
                made[0] += 1
                time.sleep(0.02)

        th = threading.Thread(target=take)
        th.start()
        time.sleep(0.5)
        fleet.broker.kill()
        time.sleep(1.5)
        fleet.broker.start(fleet.users())
        time.sleep(0.5)
        stop.set()
        th.join()
        until(lambda: all(a.connected_event.is_set() for a in agents), timeout=40)
        until(lambda: fleet.store.event_count() == n + made[0] and _undelivered(terms) == 0, timeout=60)
        assert fleet.center.command("LP-000", "ping", timeout=5).ok
    finally:
        t0 = time.monotonic()
        for a in agents:
            a.close()
        closing_s = time.monotonic() - t0
        loop.stop()
    # A clean close says "offline" at once (not after the will delay).
    assert closing_s < 20
    until(lambda: sum(r["online"] for r in fleet.store.terminal_rows()) == 0, timeout=5)


def test_simulate_hosts_more_terminals_than_select_could(fleet, tmp_path):
    d = tmp_path / "center"
    d.mkdir()
    n = 150  # ~12 descriptors each: well above select()'s 1024
    creds = {f"SM{i:04d}": fleet.provision(f"SM{i:04d}") for i in range(1, n + 1)}
    (d / "simulated-credentials.json").write_text(json.dumps(creds))
    proc = subprocess.Popen(
        [PYTHON, "-m", "fleet.center_cli", "simulate", "--data-dir", str(d), "--broker", fleet.broker.url, "--prefix", "SM",
         "--terminals", str(n), "--telemetry", "5", "--json-status", "--duration", "120"],
        cwd=ROOT, env=kiosk_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        status = None
        for line in proc.stdout:  # type: ignore[union-attr]
            if line.startswith("{"):
                status = json.loads(line)
                break
        assert status == {"connected": n, "terminals": n}
        until(lambda: sum(r["online"] for r in fleet.store.terminal_rows() if r["terminal_id"].startswith("SM")) == n, timeout=20)
        assert fleet.center.command("SM0150", "ping", timeout=5).ok
        threads = int(subprocess.run(["ps", "-o", "nlwp=", "-p", str(proc.pid)], capture_output=True, text=True).stdout)
        assert threads < 10, threads  # one loop, not two threads per terminal
    finally:
        proc.send_signal(2)  # SIGINT: the agents say offline and the data goes
        proc.wait(60)
    until(lambda: sum(r["online"] for r in fleet.store.terminal_rows() if r["terminal_id"].startswith("SM")) == 0, timeout=10)
