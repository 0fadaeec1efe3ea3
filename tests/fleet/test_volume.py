"""`set_volume` from the centre really changes what the speaker plays: real espeak-ng
speech written by the ``espeak+wav`` output (the samples a loudspeaker would get), its
level measured (RMS) before and after, kept across an agent restart, and reported in
telemetry."""

from __future__ import annotations

import json
import math
import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from fleet.agent import start_agent
from kiosk.bootstrap import build_terminal
from kiosk.config import DeviceUrls, FleetSettings, KioskConfig
from kiosk.ports import DeviceKind
from tests.fleet.conftest import until

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
TEXT = "请 B007 号到 2 号窗口"


def _rms(path: Path) -> float:
    with wave.open(str(path)) as w:
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    return float(math.sqrt(np.mean(x * x))) if len(x) else 0.0


def _terminal(fleet, tmp: Path, out: Path):
    tid = "VOL-0001"
    if tid not in fleet.passwords:
        fleet.provision(tid)
    cfg = KioskConfig(terminal_id=tid, devices=DeviceUrls(idcard="", printer="", camera="", mic="", speaker=f"espeak+wav://{out}?realtime=0"),
                      fleet=FleetSettings(broker=fleet.broker.url, password=fleet.passwords[tid], telemetry_seconds=1))
    t = build_terminal(cfg, tmp / tid, simulate=False, with_devices=True)
    t.open_devices()
    return t


def _say(t, out: Path) -> float:
    before = set(out.glob("*.wav"))
    spk = t.devices[DeviceKind.SPEAKER]
    spk.say(TEXT)
    assert spk.wait_idle(30)
    new = sorted(set(out.glob("*.wav")) - before)
    assert len(new) == 1
    return _rms(new[0])


def test_set_volume_changes_the_played_level_and_survives_a_restart(fleet, tmp_path):
    out = tmp_path / "speech"
    t = _terminal(fleet, tmp_path, out)
    a = start_agent(t, t.config.fleet)
    try:
        until(lambda: a.connected_event.is_set(), timeout=10)
        full = _say(t, out)
        assert full > 500  # real speech, not silence
        res = fleet.center.command("VOL-0001", "set_volume", {"level": 40}, timeout=10)
        assert res.ok and res.result == {"volume": 40, "applied": True}
        quiet = _say(t, out)
        # Square law: level 40 → gain 0.16 (−16 dB) on the very same synthesised speech.
        assert quiet / full == pytest.approx(0.16, rel=0.02)
        until(lambda: (fleet.store.terminal("VOL-0001")["telemetry"] or {}).get("volume") == 40, timeout=10)
        assert fleet.center.command("VOL-0001", "set_volume", {"level": 101}, timeout=10).error == "bad_request"
    finally:
        a.close()
        t.close()
    # A restart (new terminal objects, same data dir): the level is still 40.
    out = tmp_path / "speech-after-restart"  # the new output numbers its files from 1 again
    t2 = _terminal(fleet, tmp_path, out)
    a2 = start_agent(t2, t2.config.fleet)
    try:
        assert t2.devices[DeviceKind.SPEAKER].volume == 40
        assert _say(t2, out) / full == pytest.approx(0.16, rel=0.02)
        until(lambda: a2.connected_event.is_set(), timeout=10)
        assert fleet.center.command("VOL-0001", "set_volume", {"level": 0}, timeout=10).ok
        assert _say(t2, out) == 0.0  # muted: silence, not a quieter voice
        assert json.loads(json.dumps(a2.telemetry().model_dump(mode="json")))["volume"] == 0
    finally:
        a2.close()
        t2.close()
