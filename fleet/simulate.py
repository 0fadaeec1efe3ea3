"""N simulated terminals: the real agent over real MQTT, each with its own data dir.

Devices are not opened (a terminal's telemetry then lists none) unless ``devices`` is
set: thousands of simulated printers and card readers would measure the simulators.
"""

from __future__ import annotations

import logging
import random
import threading
from pathlib import Path
from typing import Any

from fleet.agent import start_agent
from kiosk.bootstrap import build_terminal
from kiosk.config import FleetSettings, KioskConfig

log = logging.getLogger(__name__)


class SimulatedFleet:
    """Builds and runs ``terminals`` (id → password)."""

    def __init__(self, base: Path, broker: str, terminals: dict[str, str], *, telemetry_seconds: int = 30, devices: bool = False) -> None:
        self.base = base
        self.broker = broker
        self.credentials = terminals
        self.telemetry_seconds = telemetry_seconds
        self.devices = devices
        self.terminals: list[Any] = []
        self.agents: list[Any] = []

    def start(self) -> None:
        """Build every terminal and start its agent."""
        # Two threads per agent: small stacks keep thousands of them within memory.
        threading.stack_size(512 * 1024)
        for tid, pw in self.credentials.items():
            cfg = KioskConfig(terminal_id=tid, fleet=FleetSettings(broker=self.broker, password=pw, telemetry_seconds=self.telemetry_seconds))
            t = build_terminal(cfg, self.base / tid, simulate=True, with_devices=self.devices)
            if self.devices:
                t.open_devices()
            self.terminals.append(t)
            # Thousands of agents in one process: poll their outboxes less often.
            self.agents.append(start_agent(t, cfg.fleet, outbox_poll_seconds=5.0))

    def take_tickets(self, n: int, seed: int = 1) -> None:
        """Issue ``n`` tickets at random terminals (events for the outbox)."""
        rnd = random.Random(seed)
        for _ in range(n):
            rnd.choice(self.terminals).queue.take(rnd.choice(["consultation", "mediation", "legal_aid"]))

    def connected(self) -> int:
        """How many agents are connected now."""
        return sum(1 for a in self.agents if getattr(a, "connected_event", threading.Event()).is_set())

    def close(self) -> None:
        """Stop every agent and terminal."""
        from concurrent.futures import ThreadPoolExecutor

        # Each close says "offline" and waits for its PUBACK: many at once, not in turn.
        with ThreadPoolExecutor(max_workers=64) as pool:
            list(pool.map(lambda a: a.close(timeout=2.0), self.agents))
        for t in self.terminals:
            t.close()
