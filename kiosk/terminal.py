"""A wired terminal: what the app and the commands run on (built by kiosk.bootstrap)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.catalog import Catalog
from kiosk.config import KioskConfig
from kiosk.i18n import Translator
from kiosk.ports import Clock, Device, DeviceHealth, DeviceKind, DeviceState, Simulated
from kiosk.queue import QueueService
from kiosk.visit import VisitFlow

log = logging.getLogger(__name__)


@dataclass
class AbsentDevice:
    """Stands where a device is not configured or could not be created."""

    kind: DeviceKind
    url: str
    detail: str

    def open(self) -> None:
        """Nothing to open."""

    def close(self) -> None:
        """Nothing to close."""

    def health(self) -> DeviceHealth:
        """Always absent, with the reason for the technician."""
        return DeviceHealth(self.kind, self.url, DeviceState.ABSENT, self.detail, "error.device")


@dataclass
class Terminal:
    """Everything one terminal runs on, wired."""

    config: KioskConfig
    data_dir: Path
    catalog: Catalog
    translator: Translator
    clock: Clock
    queue: QueueService
    flow: VisitFlow
    devices: dict[DeviceKind, Device] = field(default_factory=dict)

    def open_devices(self) -> None:
        """Open every device; a failure leaves that device absent, never the kiosk down."""
        for kind, device in list(self.devices.items()):
            try:
                device.open()
            except Exception as exc:  # noqa: BLE001 — one device must not stop the kiosk
                log.error("%s %s could not be opened: %s", kind.value, device.url, exc)
                self.devices[kind] = AbsentDevice(kind, device.url, f"open failed: {exc}")

    def close(self) -> None:
        """Close every device (errors logged, not raised)."""
        for kind, device in self.devices.items():
            try:
                device.close()
            except Exception as exc:  # noqa: BLE001
                log.warning("%s close failed: %s", kind.value, exc)

    def sim_devices(self) -> list[Device]:
        """The devices that are simulators (for the technician screen)."""
        return [d for d in self.devices.values() if isinstance(d, Simulated)]
