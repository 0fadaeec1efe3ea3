"""The broker's saved state survives a restart: a desired configuration pushed (retained)
to a terminal that is offline reaches it after the broker restarted, with the embedded
broker of `kiosk-center serve` as root (Mosquitto drops to its own user, which must be
able to write its state) and with the Broker class itself."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from fleet.agent import start_agent
from fleet.center.runtime import CenterPaths
from kiosk.bootstrap import build_terminal
from kiosk.config import FleetSettings, KioskConfig, load_config
from tests.fleet.conftest import until
from tests.support import PYTHON, ROOT, kiosk_env


def _reported(store, tid):
    return (store.terminal(tid) or {}).get("reported") or {}


def test_desired_config_survives_a_broker_restart(fleet):
    t = fleet.terminal("ST-1")
    a = fleet.agent(t)
    until(lambda: fleet.store.terminal("ST-1")["online"])
    a.close()
    until(lambda: not fleet.store.terminal("ST-1")["online"])
    v = fleet.center.push_desired("ST-1", {"timeouts": {"idle_seconds": 97}})
    fleet.broker.restart(fleet.users())
    until(lambda: fleet.center.connections >= 2, 15)  # the centre is back too
    fleet.agent(t)
    until(lambda: _reported(fleet.store, "ST-1").get("state") == "applied" and _reported(fleet.store, "ST-1")["version"] == v, 20)
    assert load_config(None, t.data_dir).timeouts.idle_seconds == 97


def _serve(d: Path) -> tuple[subprocess.Popen[str], dict]:
    (d / "center.json").unlink(missing_ok=True)
    proc = subprocess.Popen(
        [PYTHON, "-m", "fleet.center_cli", "serve", "--data-dir", str(d), "--with-broker", "--mqtt-port", "0", "--http", "127.0.0.1:0"],
        env=kiosk_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
    )
    until(lambda: (d / "center.json").is_file() and "http" in json.loads((d / "center.json").read_text()), timeout=30)
    return proc, json.loads((d / "center.json").read_text())


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _center(d: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "fleet.center_cli", *args, "--data-dir", str(d)],
                          capture_output=True, text=True, timeout=60, env=kiosk_env(), cwd=ROOT)


@pytest.mark.skipif(os.geteuid() != 0, reason="the case of a centre run as root")
def test_serve_as_root_keeps_broker_state_across_restarts(tmp_path, monkeypatch):
    d = tmp_path / "center"  # under pytest's 0700 tree: the mosquitto user cannot enter it
    d.mkdir()
    monkeypatch.setenv("KIOSK_CENTER_BROKER_BASE", kiosk_env()["KIOSK_CENTER_BROKER_BASE"])  # where `serve` will put it
    broker_dir = CenterPaths(d).broker_dir()
    proc, rt = _serve(d)
    try:
        creds = json.loads(_center(d, "terminals", "add", "ST-R1", "--site", "下陆区", "--json").stdout)
        (tmp_path / "desired.toml").write_text("[timeouts]\nidle_seconds = 93\n")
        # The terminal is offline: the push is sent (retained) and not yet applied.
        push = _center(d, "config", "push", "ST-R1", str(tmp_path / "desired.toml"), "--stage-timeout", "1")
        assert "1/1 sent" in push.stdout, push.stdout + push.stderr
        _stop(proc)
        proc, rt = _serve(d)
        cred_file = tmp_path / "t" / "cred.json"
        cred_file.parent.mkdir()
        cred_file.write_text(json.dumps(creds))
        cfg = KioskConfig(terminal_id="ST-R1", fleet=FleetSettings(broker=rt["broker"], credentials_file=cred_file))
        t = build_terminal(cfg, tmp_path / "t", simulate=True, with_devices=False)
        agent = start_agent(t)
        try:
            until(lambda: load_config(None, t.data_dir).timeouts.idle_seconds == 93, 20)
        finally:
            agent.close()
            t.close()
    finally:
        _stop(proc)
        shutil.rmtree(broker_dir, ignore_errors=True)
