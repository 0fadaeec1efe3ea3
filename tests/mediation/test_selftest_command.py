"""``kiosk call selftest --parties N``: a room through a throwaway local Janus, measured
beside the two-party call, as a technician runs it (a real ``janus``, real aiortc, the
command in a subprocess)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from fleet.mediation.local import LocalJanus
from remote_video.sfu.errors import SfuUnreachable
from remote_video.sfu.selftest import format_comparison
from tests.support import PYTHON, kiosk_env

SELFTEST = [PYTHON, "-m", "kiosk.cli", "call", "selftest"]


def run(tmp_path: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 150) -> subprocess.CompletedProcess[str]:
    """The command, as typed on a terminal."""
    return subprocess.run([*SELFTEST, *args], env=env or kiosk_env(tmp_path), capture_output=True, text=True, timeout=timeout)


def test_three_parties_are_measured_beside_the_two_party_call(tmp_path: Path) -> None:
    proc = run(tmp_path, "--parties", "3", "--seconds", "2", "--json")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    r = json.loads(proc.stdout)
    room, call = r["room"], r["call"]
    assert r["ok"] is True and room["ok"] is True and call["ok"] is True
    assert room["parties"] == 3 and room["level"] == call["level"] == "640x480@15"

    # Every party sees and hears both others: six directions, each with frames.
    labels = ("mediator", "party-a", "party-b")
    assert sorted(room["directions"]) == sorted(f"{a}->{b}" for a in labels for b in labels if a != b)
    for way, d in room["directions"].items():
        # 15 fps sent; two shared cores may halve what arrives in a 2 s window.
        assert 3 <= d["fps"] <= 20, (way, d)
        assert d["audio_fps"] > 20, (way, d)  # 50 Opus frames a second are sent
        assert 0 < d["latency_p50_ms"] < 3000, (way, d)
    assert 0 < room["fps_min"] <= room["fps"]

    # Latency read back from the frame numbers, CPU per party: both measurements, side by side.
    for figures in (room, call):
        assert 0 < figures["latency_p50_ms"] <= figures["latency_p99_ms"] < 3000, figures
        assert 0 < figures["cpu_percent_per_party"] < 200, figures
    assert room["cpu_percent_per_party"] == pytest.approx(room["cpu_percent"] / 3, abs=0.1)
    assert call["cpu_percent_per_party"] == pytest.approx(call["cpu_percent"] / 2, abs=0.1)
    assert 0 < room["janus_cpu_percent"] < 100
    assert call["frames_received"] > 0 and call["reverse_frames_received"] > 0 and call["audio_frames_received"] > 0
    assert 3 <= call["fps"] <= 20
    assert r["ratio"]["fps"] == pytest.approx(room["fps"] / call["fps"], rel=0.01)

    # The same figures as the text a technician reads: both columns, every direction.
    text = format_comparison(r, "title").splitlines()
    row = next(line for line in text if line.startswith("frame rate (fps)")).split()
    assert row[-3:-1] == [str(call["fps"]), str(room["fps"])]
    assert next(line for line in text if line.startswith("Janus CPU")).split()[-1] == str(room["janus_cpu_percent"])
    for way, d in room["directions"].items():
        assert any(line.split()[0] == way and f"latency p50 {d['latency_p50_ms']} ms" in line for line in text), way


@pytest.mark.parametrize("parties", ["1", "9"])
def test_a_party_count_out_of_range_is_refused_in_one_line(tmp_path: Path, parties: str) -> None:
    proc = run(tmp_path, "--parties", parties, "--seconds", "2", timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "kiosk: --parties must be between 2 and 3: a mediation room holds at most 3 parties (the mediator and two parties), "
        "and a room needs two to see each other"
    ]


def test_without_janus_the_technician_is_told_to_install_it(tmp_path: Path) -> None:
    env = kiosk_env(tmp_path)
    # A PATH with Python's own directory only: this machine's janus is not on it.
    env["PATH"] = str(Path(PYTHON).parent)
    assert shutil.which("janus", path=env["PATH"]) is None
    proc = run(tmp_path, "--parties", "3", "--seconds", "2", env=env, timeout=60)
    assert proc.returncode == 1
    assert proc.stdout == ""
    (line,) = proc.stderr.strip().splitlines()
    assert line == "kiosk: room self-test failed: the media server program 'janus' is not installed (Debian: apt-get install janus)"


def test_a_taken_port_is_said_and_nothing_is_left_behind(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        janus = LocalJanus(ws_port=port)
        folder = Path(janus.server.config_dir).parent
        with pytest.raises(SfuUnreachable, match=f"port 127.0.0.1:{port} is in use"):
            with janus:
                pass
    assert not folder.exists()
    assert janus.server.pid is None
