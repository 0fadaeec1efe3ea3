"""Wiring a terminal: a missing or broken device never stops the kiosk."""

from __future__ import annotations

from pathlib import Path

from kiosk.bootstrap import build_terminal
from kiosk.config import parse_config
from kiosk.ports import DeviceKind, DeviceState
from kiosk.terminal import AbsentDevice, PendingDevice


def test_devices_start_pending_then_open_or_stand_absent(data_dir: Path) -> None:
    cfg = parse_config('[devices]\nidcard = "nosuch://x"\nprinter = ""\ncamera = "sim:"\nmic = "sim:"\nspeaker = "sim:"\n')
    terminal = build_terminal(cfg, data_dir)
    assert isinstance(terminal.devices[DeviceKind.IDCARD], PendingDevice)
    assert terminal.devices[DeviceKind.IDCARD].health().state is DeviceState.UNKNOWN
    assert isinstance(terminal.devices[DeviceKind.PRINTER], AbsentDevice)  # "" = none
    events: list[object] = []
    terminal.start_devices(events.append).join(timeout=10)
    try:
        assert terminal.devices_ready.is_set()
        reader = terminal.devices[DeviceKind.IDCARD].health()
        assert reader.state is DeviceState.ABSENT and "unsupported URL 'nosuch://x'" in reader.detail
        assert terminal.devices[DeviceKind.PRINTER].health().detail == "not configured"
        assert terminal.devices[DeviceKind.SPEAKER].health().state is DeviceState.READY
        terminal.open_devices()  # a second call opens nothing twice
    finally:
        terminal.close()


def test_simulate_replaces_every_url(data_dir: Path) -> None:
    cfg = parse_config('[devices]\nidcard = "serial:///dev/ttyNOSUCH"\nprinter = "escpos+tcp://127.0.0.1:9"\n')
    terminal = build_terminal(cfg, data_dir, simulate=True)
    assert {d.url for d in terminal.devices.values()} == {"sim:"}
