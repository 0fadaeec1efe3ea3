"""Device transitions as durable events: ``device_fault`` once when a device stops being
ready, ``device_recovered`` once when it is back (persisted, so a restart repeats
neither)."""

from __future__ import annotations

import logging
from typing import Any, Callable, Mapping

from fleet.agent.state import AgentState
from fleet.agent.telemetry import device_reports
from kiosk.logs import mask_text
from kiosk.ports import Device, DeviceKind

log = logging.getLogger(__name__)

# How often device health is compared for fault/recovery events (health reads only, no
# device I/O); a change also sends telemetry at once, so the dashboard sees paper out
# within seconds, not at the next periodic message.
DEVICE_WATCH_S = 2.0

# Records one outbox event (kind, payload).
AddEvent = Callable[[str, dict[str, Any]], None]


class DeviceWatch:
    """Compares the health of each device ``devices()`` gives with the last state seen
    and records the transitions through ``add_event``."""

    def __init__(self, state: AgentState, devices: Callable[[], Mapping[DeviceKind, Device]], add_event: AddEvent) -> None:
        self._state = state
        self._devices = devices
        self._add_event = add_event

    def check(self) -> bool:
        """Record the transitions since the last check. True when any device's state
        changed (telemetry should then go out at once)."""
        devices = self._devices()  # asked each time: devices are replaced as they start
        if not devices:
            return False  # nothing to watch (a terminal built without devices: the simulator's)
        known: dict[str, str] = self._state.get("device_states", {})
        now_states = {}
        for d in device_reports(devices, with_paper=False):
            if d.state == "unknown" or (d.state == "absent" and d.detail == "not configured"):
                continue
            now_states[d.kind] = d.state
            before = known.get(d.kind, "ready")
            if before == d.state or (before != "ready" and d.state != "ready"):
                continue
            kind = "device_recovered" if d.state == "ready" else "device_fault"
            self._add_event(kind, {"device": d.kind, "state": d.state, "detail": mask_text(d.detail)[:200]})
            log.info("%s %s (%s)", d.kind, kind, d.state)
        if now_states != {k: v for k, v in known.items() if k in now_states}:
            self._state.put("device_states", {**known, **now_states})
            return True
        return False
