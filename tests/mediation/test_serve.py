"""``kiosk-center serve`` starts the media server when ``mediation.toml`` says so, stops
it with the centre, and refuses a bad file with a sentence that names it."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import time
from pathlib import Path

from remote_video.sfu.janus import JanusConnection
from tests.fleet.conftest import until
from tests.mediation.support import free_port, media_address
from tests.support import PYTHON, ROOT, kiosk_env


def _serve(d: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PYTHON, "-m", "fleet.center_cli", "serve", "--data-dir", str(d), "--with-broker", "--mqtt-port", "0", "--http", "127.0.0.1:0"],
        env=kiosk_env(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _answers(port: int) -> str | None:
    async def ask() -> str | None:
        conn = await JanusConnection.open(f"ws://127.0.0.1:{port}/", None, timeout=2.0)
        try:
            return str((await conn.info()).get("server-name"))
        finally:
            await conn.close()
    try:
        return asyncio.run(ask())
    except Exception:  # noqa: BLE001 — nothing answering is what the test looks for
        return None


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def test_serve_starts_and_stops_the_media_server(tmp_path: Path) -> None:
    d = tmp_path / "centre"
    d.mkdir()
    port = free_port()
    (d / "mediation.toml").write_text(f'[mediation]\nws_port = {port}\nmedia_addresses = ["{media_address()}"]\n')
    proc = _serve(d)
    try:
        until(lambda: (d / "center.json").is_file() and "http" in json.loads((d / "center.json").read_text()), timeout=30)
        name = until(lambda: _answers(port), timeout=15)
        assert name.startswith("legal-kiosk-mediation-")  # our Janus, with the centre's configuration
        assert (d / "janus").stat().st_mode & 0o777 == 0o700
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    deadline = time.monotonic() + 10
    while not _port_free(port):
        assert time.monotonic() < deadline, "the media server outlived the centre"
        time.sleep(0.1)


def test_serve_without_mediation_starts_no_media_server_and_a_bad_file_is_named(tmp_path: Path) -> None:
    d = tmp_path / "centre"
    d.mkdir()
    (d / "mediation.toml").write_text("[mediation]\nws_prot = 8188\n")
    r = subprocess.run([PYTHON, "-m", "fleet.center_cli", "serve", "--data-dir", str(d), "--with-broker", "--mqtt-port", "0",
                        "--http", "127.0.0.1:0"], env=kiosk_env(), cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "mediation.toml" in r.stderr and "ws_prot" in r.stderr and "Traceback" not in r.stderr
    assert not (d / "janus").exists()
