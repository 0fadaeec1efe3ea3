"""The composition root: the one place that wires concrete classes into the core.

Everything else in ``kiosk/`` sees only ports. Device adapters are created from their
URLs through the registry; a device that cannot be created becomes an ``AbsentDevice``
so the kiosk keeps serving without it. The features are registered here, one line
each (docs/architecture.md, "How to add a feature").
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

from devices.registry import DeviceContext, open_device
from kiosk.catalog import load_catalog
from kiosk.centre_asker import CentreAsker
from kiosk.config import KioskConfig
from kiosk.feature import FeatureContext, FeatureRegistry, Registration
from kiosk.files import private_dir, restrict_umask, tighten_tree
from kiosk.i18n import Translator
from kiosk.inbox import EventInbox
from kiosk.outbox import Outbox
from kiosk.ports import Clock, DeviceKind, SystemClock, VoiceInput
from kiosk.queue import QueueService
from kiosk.storecheck import open_store
from kiosk.terminal import AbsentDevice, PendingDevice, Terminal
from kiosk.visit import VisitFlow
from remote_video.call import open_video_calls
from remote_video.sfu.terminal import open_room_media

log = logging.getLogger(__name__)

# The features of the kiosk: where each one's core part is made ("module:setup") and
# where its screens' glue is ("module:factory", resolved only by the app).
FEATURES: tuple[Registration, ...] = (
    Registration("kiosk.legal_aid.flow:setup", "screens.legal_aid.ui:LegalAidUi"),
    Registration("kiosk.appointments.flow:setup", "screens.appointments.ui:AppointmentUi"),
    Registration("kiosk.ratings.flow:setup", "screens.ratings.ui:RatingUi"),
    Registration("kiosk.video_call.feature:setup", "screens.video_call.ui:CallUi"),
    Registration("kiosk.lookup.feature:setup", "screens.lookup.ui:LookupUi"),
    Registration("kiosk.publicity.feature:setup", "screens.publicity.ui:PublicityUi"),
    Registration("kiosk.wake.feature:setup", "screens.wake.ui:WakeUi"),
    Registration("kiosk.documents.feature:setup", "screens.documents.ui:DocumentsUi"),
    Registration("kiosk.presence.feature:setup", "screens.presence.ui:PresenceUi"),
    Registration("kiosk.mediation.feature:setup", "screens.mediation.ui:MediationUi"),
)


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
    features: Sequence[Registration] = FEATURES,
    defer_features: bool = False,
) -> Terminal:
    """Wire a terminal from its configuration (devices created, not yet opened) with
    the ``features`` registered — or, with ``defer_features``, ready to load them with
    ``terminal.complete_features()`` (``kiosk run`` does so once the attract screen is
    up: their imports are a quarter of a cold start, and the attract screen needs none)."""
    clock = clock or SystemClock()
    # Data at rest is private (kiosk/files.py): new files 0600, what is there tightened.
    restrict_umask()
    private_dir(data_dir)
    tighten_tree(data_dir)
    catalog = load_catalog(config.catalog)
    conn, store_fault = open_store(data_dir, clock.now())
    queue = QueueService(conn, catalog, clock, config.queue.max_priority_streak, hours=config.hours,
                         after_hours_tickets=config.queue.after_hours_tickets)
    translator = Translator(config.language)
    # Answers from workers reach the visit's thread through one inbox; every ask to the
    # centre runs on one worker. Both exist before the features that use them.
    inbox = EventInbox()
    asker = CentreAsker(lambda: terminal.centre, inbox.post)
    feature_ctx = FeatureContext(
        config=config, data_dir=data_dir, catalog=catalog, translator=translator, clock=clock, queue=queue, asker=asker,
        centre=lambda: terminal.centre, devices=lambda: terminal.devices, video=lambda: terminal.video,
    )
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
        inbox=inbox,
    )
    terminal = Terminal(config, data_dir, catalog, translator, clock, queue, flow, Outbox(conn))
    terminal.store_fault = store_fault

    def load_features() -> None:
        flow.use_features(FeatureRegistry.build(features, feature_ctx))
        mediation = flow.features.get("mediation")
        if mediation is not None and with_devices:
            mediation.media_factory = lambda: open_room_media(terminal)  # type: ignore[attr-defined]

    terminal.pending_features = load_features
    if not defer_features:
        terminal.complete_features()
    if with_devices:
        ctx = DeviceContext(data_dir=data_dir, clock=clock)
        # Adapters are created when the devices are opened (their drivers' imports are
        # not paid before the first frame); until then each stands as pending.
        terminal.device_factory = lambda kind, url: open_device(kind, url, ctx)
        for kind, url in device_urls(config, simulate).items():
            terminal.devices[kind] = PendingDevice(kind, url) if url else AbsentDevice(kind, url, "not configured")

        def voice_input() -> VoiceInput | None:
            # deferred: the speech stack loads on the device worker, after the first frame
            from devices.audio.voice_input import open_voice_input

            mic, speaker = terminal.mic(), terminal.speaker()
            if mic is None:  # nothing to hear with: the speech model is not loaded for nothing
                return None
            return open_voice_input(data_dir, mic, lambda: speaker is not None and speaker.speaking)

        terminal.voice_input_factory = voice_input
        if config.video.enabled:
            # Video consultation: nothing heavy is imported until the first call.
            terminal.video = open_video_calls(terminal)
            # The call's events join every other worker's in the inbox the UI thread drains.
            terminal.video.sink = inbox.post
    return terminal
