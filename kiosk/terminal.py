"""A wired terminal: what the app and the commands run on (built by kiosk.bootstrap).

``Terminal.devices`` holds every configured device by kind, each with its health, for
the views that list them all (technician screen, telemetry, ``kiosk doctor``). Code that
uses a device asks for it as its port: ``printer()``, ``card_reader()``, ``camera()``,
``mic()``, ``speaker()``, ``volume_control()`` give the adapter typed, or None while it is
absent, still starting, or not of that shape. ``sim_devices()`` gives the simulators.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from kiosk.catalog import Catalog
from kiosk.video_call import VideoCallPort
from kiosk.config import KioskConfig
from kiosk.i18n import Translator
from kiosk.outbox import Outbox
from kiosk.errors import KioskError
from kiosk.events import DeviceEvent
from kiosk.ports import (
    A4Printer,
    AudioSource,
    Camera,
    CardReader,
    CentreChannel,
    Clock,
    Device,
    DeviceHealth,
    DeviceKind,
    DeviceState,
    EventSource,
    ReceiptPrinter,
    Simulated,
    Speaker,
    VoiceInput,
    VolumeControl,
)
from kiosk.queue import QueueService
from kiosk.store import DB_FILENAME, connect
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
class PendingDevice:
    """Stands where a device is still being started (on a worker, after the first frame)."""

    kind: DeviceKind
    url: str

    def open(self) -> None:
        """Nothing to open yet."""

    def close(self) -> None:
        """Nothing to close yet."""

    def health(self) -> DeviceHealth:
        """Unknown until the adapter reports."""
        return DeviceHealth(self.kind, self.url, DeviceState.UNKNOWN, "starting")


DeviceFactory = Callable[[DeviceKind, str], Device]


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
    outbox: Outbox | None = None  # events for the centre, delivered by the fleet agent
    devices: dict[DeviceKind, Device] = field(default_factory=dict)
    # Creates an adapter from its URL (the composition root's registry); None: no devices.
    device_factory: DeviceFactory | None = None
    # Makes the voice input (microphone + recogniser) once the devices are open; None
    # from it: no speech model installed. ``voice_input`` holds the opened one.
    voice_input_factory: Callable[[], VoiceInput | None] | None = None
    voice_input: VoiceInput | None = None
    # Loads the features when the composition root put that off until after the first
    # frame (``build_terminal(defer_features=True)``); None once they are in the flow.
    pending_features: Callable[[], None] | None = None
    # Set once every device has been created and opened (or found absent).
    devices_ready: threading.Event = field(default_factory=threading.Event)
    # The live link to the centre (set by the fleet agent once started); None: the
    # kiosk works alone and flows that need the centre say so.
    centre: CentreChannel | None = None
    # Video consultation (kiosk.call.VideoCallPort, built in remote_video/). None: no calls.
    video: VideoCallPort | None = None
    # What the start-up check found wrong with the store and replaced (kiosk/storecheck.py);
    # a ``StoreFault``, shown by ``kiosk doctor``. None: the store was sound.
    store_fault: object | None = None
    # Set by ``close``: the devices still being started on the worker are not opened
    # after it (a stop during start-up on a slow board would leave them running).
    closed: threading.Event = field(default_factory=threading.Event)
    _devices_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def complete_features(self) -> None:
        """Load the features if that was put off (UI thread; once; before any visit)."""
        pending, self.pending_features = self.pending_features, None
        if pending is not None:
            pending()

    def open_devices(self, sink: Callable[[DeviceEvent], None] | None = None) -> None:
        """Create and open every device still pending, telling ``sink`` of their
        events; a failure leaves that device absent, never the kiosk down."""
        for kind, device in list(self.devices.items()):
            if not isinstance(device, PendingDevice):
                continue
            if self.closed.is_set():
                break
            device = self._create(kind, device.url)
            if sink is not None and isinstance(device, EventSource):
                device.subscribe(sink)
            try:
                device.open()
            except Exception as exc:  # noqa: BLE001 — one device must not stop the kiosk
                log.error("%s %s could not be opened: %s", kind.value, device.url, exc)
                device = AbsentDevice(kind, device.url, f"open failed: {exc}")
            with self._devices_lock:
                if not self.closed.is_set():
                    self.devices[kind] = device
                    continue
            # Opened while the terminal was being closed: close() has passed it by.
            self._close_one(kind, device)
            break
        self.devices_ready.set()

    def start_devices(self, sink: Callable[[DeviceEvent], None], done: Callable[[], None] | None = None) -> threading.Thread:
        """``open_devices`` on a worker thread, so the first screen never waits for a
        driver's imports or a port's time-outs; ``done`` is called on that worker."""

        def work() -> None:
            self.open_devices(sink)
            if done is not None:
                done()

        thread = threading.Thread(target=work, name="device-start", daemon=True)
        thread.start()
        return thread

    def _create(self, kind: DeviceKind, url: str) -> Device:
        if self.device_factory is None:
            return AbsentDevice(kind, url, "no device factory")
        try:
            return self.device_factory(kind, url)
        except KioskError as exc:
            log.error("%s", exc.detail)
            return AbsentDevice(kind, url, exc.detail)

    def open_voice_input(self) -> VoiceInput | None:
        """Make and open the voice input (loads the speech model: call on a worker)."""
        if self.voice_input is None and self.voice_input_factory is not None and not self.closed.is_set():
            try:
                voice = self.voice_input_factory()
                if voice is not None:
                    voice.open()
                    if self.closed.is_set():  # closed while the model loaded: not kept running
                        voice.close()
                        voice = None
                self.voice_input = voice
            except Exception:  # noqa: BLE001 — voice mode still speaks without it
                log.exception("voice input could not be opened")
        return self.voice_input

    def close(self) -> None:
        """Close every device (errors logged, not raised)."""
        if self.video is not None:  # a call in progress is hung up, its loop stopped
            try:
                self.video.close()
            except Exception as exc:  # noqa: BLE001
                log.warning("video call close failed: %s", exc)
        if self.voice_input is not None:
            try:
                self.voice_input.close()
            except Exception as exc:  # noqa: BLE001
                log.warning("voice input close failed: %s", exc)
        with self._devices_lock:
            self.closed.set()
            devices = list(self.devices.items())
        for kind, device in devices:
            self._close_one(kind, device)

    @staticmethod
    def _close_one(kind: DeviceKind, device: Device) -> None:
        try:
            device.close()
        except Exception as exc:  # noqa: BLE001
            log.warning("%s close failed: %s", kind.value, exc)

    def open_queue(self) -> QueueService:
        """The queue on a connection of its own, for another thread (SQLite connections
        are not shared between threads)."""
        return QueueService(connect(self.data_dir / DB_FILENAME), self.catalog, self.clock, self.config.queue.max_priority_streak,
                            hours=self.config.hours, after_hours_tickets=self.config.queue.after_hours_tickets)

    # --- each device as its port --------------------------------------------------------
    # None while the device is absent or still starting (an AbsentDevice or PendingDevice
    # stands in the table then), or if its adapter lacks the port's shape.

    def card_reader(self) -> CardReader | None:
        """The ID card reader, or None."""
        device = self.devices.get(DeviceKind.IDCARD)
        return device if isinstance(device, CardReader) else None

    def printer(self) -> ReceiptPrinter | None:
        """The receipt printer, or None."""
        device = self.devices.get(DeviceKind.PRINTER)
        return device if isinstance(device, ReceiptPrinter) else None

    def a4_printer(self) -> A4Printer | None:
        """The A4 document printer, or None (most terminals have none)."""
        device = self.devices.get(DeviceKind.A4PRINTER)
        return device if isinstance(device, A4Printer) else None

    def camera(self) -> Camera | None:
        """The camera, or None."""
        device = self.devices.get(DeviceKind.CAMERA)
        return device if isinstance(device, Camera) else None

    def mic(self) -> AudioSource | None:
        """The microphone, or None."""
        device = self.devices.get(DeviceKind.MIC)
        return device if isinstance(device, AudioSource) else None

    def speaker(self) -> Speaker | None:
        """The speaker, or None."""
        device = self.devices.get(DeviceKind.SPEAKER)
        return device if isinstance(device, Speaker) else None

    def volume_control(self) -> VolumeControl | None:
        """The speaker if its output level can be set, else None."""
        device = self.devices.get(DeviceKind.SPEAKER)
        return device if isinstance(device, VolumeControl) else None

    def sim_devices(self) -> list[Simulated]:
        """The devices that are simulators (for the technician screen)."""
        return [d for d in self.devices.values() if isinstance(d, Simulated)]
