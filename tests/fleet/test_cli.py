"""The `kiosk-center` commands end to end: `serve --with-broker` in its own process,
credentials that work within 5 s, commands, rollout, logs and screenshots."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from fleet.agent import start_agent
from kiosk.bootstrap import build_terminal
from kiosk.config import FleetSettings, KioskConfig
from tests.support import PYTHON, ROOT, kiosk_env
from tests.fleet.conftest import until

PNG = b"\x89PNG\r\n\x1a\nfake"


def center(data_dir: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `kiosk-center ARGS --data-dir D`."""
    return subprocess.run(
        [PYTHON, "-m", "fleet.center_cli", *args, "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=timeout, env=kiosk_env(), cwd=ROOT,
    )


@pytest.fixture
def served(tmp_path):
    d = tmp_path / "center"
    d.mkdir()
    proc = subprocess.Popen(
        [PYTHON, "-m", "fleet.center_cli", "serve", "--data-dir", str(d), "--with-broker", "--mqtt-port", "0", "--http", "127.0.0.1:0"],
        env=kiosk_env(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        until(lambda: (d / "center.json").is_file() and "http" in json.loads((d / "center.json").read_text()), timeout=20)
        yield d, json.loads((d / "center.json").read_text())
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _terminal(tmp_path: Path, creds: dict, broker: str, site_dir: str):
    cred_file = tmp_path / site_dir / "fleet-credentials.json"
    cred_file.parent.mkdir(parents=True, exist_ok=True)
    cred_file.write_text(json.dumps(creds))
    cfg = KioskConfig(terminal_id=creds["terminal_id"], fleet=FleetSettings(broker=broker, credentials_file=cred_file, telemetry_seconds=1))
    return build_terminal(cfg, tmp_path / site_dir, simulate=True, with_devices=False)


def test_cli_end_to_end(served, tmp_path):
    d, rt = served
    out = center(d, "terminals", "add", "HS-XL-0001", "--site", "下陆区工作站", "--json")
    assert out.returncode == 0, out.stderr
    creds = json.loads(out.stdout)
    assert set(creds) == {"terminal_id", "username", "password"}
    t = _terminal(tmp_path, creds, rt["broker"], "t1")
    agent = start_agent(t, screenshot=lambda: PNG)
    try:
        t0 = time.monotonic()
        assert agent.connected_event.wait(5), "credentials not accepted within 5 s"
        assert time.monotonic() - t0 < 5
        listing = until(lambda: (rows := json.loads(center(d, "terminals", "--json").stdout)) and rows[0]["online"] and rows)
        row = listing[0]
        assert row["terminal_id"] == "HS-XL-0001" and row["site"] == "下陆区工作站"
        assert {"terminal_id", "site", "online", "last_seen", "faults", "versions"} <= set(row)
        ping = center(d, "cmd", "HS-XL-0001", "ping", "--json")
        assert ping.returncode == 0 and json.loads(ping.stdout)["ok"] is True
        bad = center(d, "cmd", "HS-XL-0001", "fly", "--json")
        assert bad.returncode == 1 and json.loads(bad.stdout)["error"] == "unknown_command"
        (t.data_dir / "logs").mkdir(exist_ok=True)
        (t.data_dir / "logs" / "kiosk.log").write_text("a\nb\nc\n")
        logs = center(d, "logs", "HS-XL-0001", "--lines", "2")
        assert logs.stdout.split() == ["b", "c"]
        shot = center(d, "screenshot", "HS-XL-0001", "--out", str(tmp_path / "s.png"))
        assert shot.returncode == 0 and (tmp_path / "s.png").read_bytes() == PNG
        cfg = tmp_path / "desired.toml"
        cfg.write_text("[timeouts]\nidle_seconds = 75\n")
        push = center(d, "config", "push", "--all", str(cfg), "--rollout", "50,100", "--stage-timeout", "15")
        assert push.returncode == 0, push.stdout + push.stderr
        assert "1/1 sent · 1 applied" in push.stdout
        bad_cfg = tmp_path / "bad.toml"
        bad_cfg.write_text("[timeouts]\nidle_seconds = 2\n")
        push2 = center(d, "config", "push", "HS-XL-0001", str(bad_cfg), "--stage-timeout", "15")
        assert push2.returncode == 1 and "aborted" in push2.stdout and "rejected HS-XL-0001" in push2.stdout
        removed = center(d, "terminals", "remove", "HS-XL-0001")
        assert removed.returncode == 0
    finally:
        agent.close()
    # Revoked: the same credentials no longer connect.
    again = start_agent(t)
    try:
        assert not again.connected_event.wait(3)
    finally:
        again.close()


def test_rollout_aborts_after_first_stage(served, tmp_path):
    d, rt = served
    agents = []
    try:
        for i in range(4):
            creds = json.loads(center(d, "terminals", "add", f"R{i}", "--site", "S", "--json").stdout)
            t = _terminal(tmp_path, creds, rt["broker"], f"r{i}")
            agents.append(start_agent(t))
        for a in agents:
            assert a.connected_event.wait(5)
        until(lambda: all(r["online"] for r in json.loads(center(d, "terminals", "--json").stdout)))
        bad_cfg = tmp_path / "bad.toml"
        bad_cfg.write_text('language = "fr"\n')
        push = center(d, "config", "push", "--site", "S", str(bad_cfg), "--rollout", "25,100", "--stage-timeout", "15")
        assert push.returncode == 1
        assert " 25%  1/4 sent" in push.stdout and "3 not sent" in push.stdout
    finally:
        for a in agents:
            a.close()


def test_kiosk_run_joins_the_centre(served, tmp_path):
    """`kiosk run` itself (offscreen) starts the agent from its `[fleet]` section: the
    centre sees it online, pings it, and gets a real PNG of its screen."""
    d, rt = served
    creds = json.loads(center(d, "terminals", "add", "HS-XL-0009", "--site", "团城山", "--json").stdout)
    data = tmp_path / "kiosk"
    data.mkdir()
    (data / "cred.json").write_text(json.dumps(creds))
    (data / "kiosk.toml").write_text(
        f'terminal_id = "HS-XL-0009"\n[fleet]\nbroker = "{rt["broker"]}"\ncredentials_file = "cred.json"\ntelemetry_seconds = 1\n'
    )
    kiosk = subprocess.Popen(
        [PYTHON, "-m", "kiosk.cli", "run", "--simulate", "--data-dir", str(data)],
        env=kiosk_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        until(lambda: json.loads(center(d, "terminals", "--json").stdout)[0]["online"], timeout=40)
        ping = center(d, "cmd", "HS-XL-0009", "ping", "--json")
        assert ping.returncode == 0 and json.loads(ping.stdout)["ok"] is True
        shot = center(d, "screenshot", "HS-XL-0009", "--out", str(tmp_path / "screen.png"))
        assert shot.returncode == 0, shot.stdout + shot.stderr
        png = (tmp_path / "screen.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 10_000  # the attract screen, rendered
    finally:
        kiosk.terminate()
        try:
            kiosk.wait(20)
        except subprocess.TimeoutExpired:
            kiosk.kill()


def test_every_command_is_on_the_command_line_with_its_own_help():
    # Each command group registers itself: a group left out of the package's list
    # would silently vanish from `kiosk-center`.
    from fleet.center_cli import build_parser

    commands = ["serve", "terminals", "cmd", "config", "logs", "screenshot", "simulate", "users", "slots",
                "appointments", "report", "tls", "intake", "release", "content"]
    proc = subprocess.run([PYTHON, "-m", "fleet.center_cli", "--help"], capture_output=True, text=True, timeout=60,
                          env=kiosk_env(), cwd=ROOT)
    assert proc.returncode == 0
    # The sub-command lines of the help: four spaces, the name, its help.
    listed = re.findall(r"^ {4}([a-z]+) ", proc.stdout, flags=re.MULTILINE)
    assert listed == commands
    for name in commands:
        with pytest.raises(SystemExit) as exit_:
            build_parser().parse_args([name, "--help"])
        assert exit_.value.code == 0, name
