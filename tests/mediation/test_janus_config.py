"""The centre's Janus configuration and process: private files, only what is needed."""

from __future__ import annotations

import asyncio
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from fleet.mediation import JanusServer, JanusSettings
from fleet.mediation.janus_config import JanusSecrets, render, settings_from, write_config
from fleet.mediation.server import JanusNotInstalled
from remote_video.sfu.errors import SfuUnreachable
from tests.mediation.support import free_port


def test_config_is_private_and_loads_only_the_videoroom_over_websockets(tmp_path: Path) -> None:
    keys = JanusSecrets.generate()
    core = write_config(tmp_path / "janus", JanusSettings(media_addresses=("10.1.2.3",), rtp_ports=(20000, 20199)), keys)
    assert stat.S_IMODE(core.parent.stat().st_mode) == 0o700
    for f in core.parent.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f.name
    text = core.read_text()
    assert "stun_server" not in text and "turn_server" not in text
    assert 'ice_enforce_list = "10.1.2.3"' in text and 'rtp_port_range = "20000-20199"' in text
    assert f'token_auth_secret = "{keys.token_secret}"' in text and "janusoverlord" not in text
    disabled = text.split("plugins: {")[1].split("}")[0]
    assert "libjanus_videoroom.so" not in disabled and "libjanus_echotest.so" in disabled
    transports = text.split("transports: {")[1].split("}")[0]
    assert "libjanus_websockets.so" not in transports and "libjanus_http.so" in transports
    ws = (core.parent / "janus.transport.websockets.jcfg").read_text()
    assert 'ws_ip = "127.0.0.1"' in ws and "admin_ws = false" in ws
    assert f'admin_key = "{keys.admin_key}"' in (core.parent / "janus.plugin.videoroom.jcfg").read_text()


def test_each_start_has_new_secrets() -> None:
    a, b = JanusSecrets.generate(), JanusSecrets.generate()
    assert a.token_secret != b.token_secret and a.admin_key != b.admin_key
    assert render(JanusSettings(), a, Path("/x"))["janus.jcfg"] != render(JanusSettings(), b, Path("/x"))["janus.jcfg"]


def test_running_janus_listens_on_loopback_only(janus: JanusServer) -> None:
    assert janus.pid is not None
    listening = [c.laddr for c in psutil.Process(janus.pid).net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN]
    assert listening and all(addr.ip == "127.0.0.1" for addr in listening), listening
    assert stat.S_IMODE(janus.config_dir.stat().st_mode) == 0o700


def test_a_missing_janus_program_is_said_plainly(tmp_path: Path) -> None:
    server = JanusServer(tmp_path, JanusSettings(binary="janus-not-installed-here"))
    with pytest.raises(JanusNotInstalled, match="apt-get install janus"):
        asyncio.run(server.start())


def test_a_taken_port_is_said_plainly(tmp_path: Path) -> None:
    # Another server (Debian's own janus.service, say) already listens on the port.
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        server = JanusServer(tmp_path, JanusSettings(ws_port=port))
        with pytest.raises(SfuUnreachable, match="in use"):
            asyncio.run(server.start())
        assert server.pid is None


def test_only_our_own_janus_counts_as_started(janus: JanusServer, tmp_path: Path) -> None:
    # A second server pointed at the running one's port must not take it for its own
    # (the port check is bypassed here: as if the other server bound it just after).
    server = JanusServer(tmp_path, janus.settings)
    server._check_port_free = lambda: None  # type: ignore[method-assign]
    with pytest.raises(SfuUnreachable, match="another media server"):
        asyncio.run(server.start())
    assert server.pid is None and janus.pid is not None


def test_settings_from_the_centre_configuration() -> None:
    s = settings_from({"ws_port": 8190, "media_addresses": ["10.20.0.5"], "rtp_ports": [20000, 20999], "publisher_kbps": 400})
    assert (s.ws_port, s.media_addresses, s.rtp_ports, s.publisher_kbps) == (8190, ("10.20.0.5",), (20000, 20999), 400)
    assert settings_from({}) == JanusSettings()
    for bad, word in (({"ws_port": "8188"}, "ws_port"), ({"publisher_kbps": 0}, "publisher_kbps"),
                      ({"rtp_ports": [30000, 20000]}, "rtp_ports"), ({"media_addresses": "10.0.0.1,10.0.0.2"}, "media_addresses"),
                      ({"stun_server": "stun.example.org"}, "unknown")):
        with pytest.raises(ValueError, match=word):
            settings_from(bad)


_CENTRE = """
import asyncio, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from fleet.mediation import JanusServer, JanusSettings
server = JanusServer(Path({data!r}), JanusSettings(ws_port={port}))
asyncio.run(server.start())
print(server.pid, flush=True)
time.sleep(60)
"""


def test_a_centre_killed_hard_takes_its_janus_along(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    centre = subprocess.Popen([sys.executable, "-c", _CENTRE.format(root=str(root), data=str(tmp_path), port=free_port())],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert centre.stdout is not None
        janus_pid = int(centre.stdout.readline())
        assert psutil.pid_exists(janus_pid)
        centre.send_signal(signal.SIGKILL)  # no clean-up code runs
        centre.wait(5)
        deadline = time.monotonic() + 10
        while psutil.pid_exists(janus_pid) and psutil.Process(janus_pid).status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline, "Janus outlived the centre that started it"
            time.sleep(0.1)
    finally:
        if centre.poll() is None:
            centre.kill()
