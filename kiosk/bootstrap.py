"""The composition root: the one place that wires concrete classes into the core.

Everything else in ``kiosk/`` sees only ports. Device adapters are created from their
URLs through the registry; a device that cannot be created becomes an ``AbsentDevice``
so the kiosk keeps serving without it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from devices.registry import DeviceContext, open_device
from kiosk.catalog import load_catalog
from kiosk.config import KioskConfig
from kiosk.files import private_dir, restrict_umask, tighten_tree
from kiosk.i18n import Translator
from kiosk.outbox import Outbox
from kiosk.ports import Clock, DeviceKind, SystemClock, VoiceInput
from kiosk.queue import QueueService
from kiosk.storecheck import open_store
from kiosk.terminal import AbsentDevice, PendingDevice, Terminal
from kiosk.visit import VisitFlow

log = logging.getLogger(__name__)


def device_urls(config: KioskConfig, simulate: bool) -> dict[DeviceKind, str]:
    """The URL of each device; ``simulate`` replaces every one with ``sim:``."""
    urls = config.devices.model_dump()
    return {kind: ("sim:" if simulate else urls[kind.value]) for kind in DeviceKind}


def build_terminal(
    config: KioskConfig,
    data_dir: Path,
    *,
    simulate: bool = False,
    clock: Clock | None = None,
    with_devices: bool = True,
) -> Terminal:
    """Wire a terminal from its configuration (devices created, not yet opened)."""
    clock = clock or SystemClock()
    # Data at rest is private (kiosk/files.py): new files 0600, what is there tightened.
    restrict_umask()
    private_dir(data_dir)
    tighten_tree(data_dir)
    catalog = load_catalog(config.catalog)
    conn, store_fault = open_store(data_dir, clock.now())
    queue = QueueService(conn, catalog, clock, config.queue.max_priority_streak)
    flow = VisitFlow(
        catalog,
        queue,
        clock,
        language=config.language,
        elderly_age=config.queue.elderly_age,
        idle_seconds=config.timeouts.idle_seconds,
        elder_idle_seconds=config.timeouts.elder_idle_seconds,
        warning_seconds=config.timeouts.warning_seconds,
        elder_warning_seconds=config.timeouts.elder_warning_seconds,
        flow_warning_seconds=config.timeouts.flow_warning_seconds,
    )
    terminal = Terminal(config, data_dir, catalog, Translator(config.language), clock, queue, flow, Outbox(conn))
    terminal.store_fault = store_fault
    from kiosk.legal_aid import attach_legal_aid  # issue 8: legal-aid applications

    attach_legal_aid(terminal)
    from kiosk.appointments.flow import attach_appointments  # issue 8: appointments and ratings
    from kiosk.ratings import attach_ratings

    attach_appointments(terminal)
    attach_ratings(terminal)
    if with_devices:
        ctx = DeviceContext(data_dir=data_dir, clock=clock)
        # Adapters are created when the devices are opened (their drivers' imports are
        # not paid before the first frame); until then each stands as pending.
        terminal.device_factory = lambda kind, url: open_device(kind, url, ctx)
        for kind, url in device_urls(config, simulate).items():
            terminal.devices[kind] = PendingDevice(kind, url) if url else AbsentDevice(kind, url, "not configured")

        def voice_input() -> VoiceInput | None:
            from devices.audio.voice_input import open_voice_input

            mic, speaker = terminal.mic(), terminal.speaker()
            if mic is None:  # nothing to hear with: the speech model is not loaded for nothing
                return None
            return open_voice_input(data_dir, mic, lambda: speaker is not None and speaker.speaking)

        terminal.voice_input_factory = voice_input
        if config.video.enabled:
            # Video consultation: nothing heavy is imported until the first call.
            from remote_video.call import open_video_calls

            terminal.video = open_video_calls(terminal)
            from kiosk.call import attach_call_tile

            attach_call_tile(terminal)
    return terminal
