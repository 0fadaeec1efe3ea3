"""N simulated terminals: the real agent over real MQTT, each with its own data dir.

Every agent is the kiosk's ``Agent`` (same commands, journal, outbox, presence and
configuration code); instead of two threads each, one ``AgentLoop`` thread drives them
all through an epoll selector (paho's external event loop API), so one process hosts
hundreds to thousands of terminals. Devices are not opened (a terminal's telemetry then
lists none) unless ``devices`` is set: thousands of simulated printers and card readers
would measure the simulators.
"""

from __future__ import annotations

import logging
import random
import resource
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fleet.agent.agent import Agent
from fleet.agent.loop import AgentLoop
from kiosk.bootstrap import build_terminal
from kiosk.config import FleetSettings, KioskConfig
from kiosk.terminal import Terminal

log = logging.getLogger(__name__)

FDS_PER_TERMINAL = 16  # measured 15: four SQLite connections (file, WAL, shared memory each), the socket…


def raise_fd_limit(terminals: int) -> int:
    """Raise this process's soft descriptor limit for ``terminals`` agents (up to the
    hard limit); returns how many terminals the limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = terminals * FDS_PER_TERMINAL + 200
    if soft < want:
        soft = want if hard == resource.RLIM_INFINITY else min(hard, want)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return max(0, (soft - 200) // FDS_PER_TERMINAL)


class SimulatedFleet:
    """Builds and runs ``terminals`` (id → password) on one agent loop."""

    def __init__(self, base: Path, broker: str, terminals: dict[str, str], *, telemetry_seconds: int = 30, devices: bool = False,
                 connects_per_second: float = 400.0) -> None:
        self.base = base
        self.broker = broker
        self.credentials = terminals
        self.telemetry_seconds = telemetry_seconds
        self.devices = devices
        self.terminals: list[Terminal] = []
        self.agents: list[Agent] = []
        self.loop = AgentLoop(name="simulated-terminals", connects_per_second=connects_per_second)

    def build(self) -> None:
        """Build every terminal (its SQLite files, catalogues…) and its agent; nothing
        connects yet."""
        allowed = raise_fd_limit(len(self.credentials))
        if allowed < len(self.credentials):
            raise RuntimeError(f"the descriptor limit allows {allowed} terminals in one process, not {len(self.credentials)}; "
                               "raise `ulimit -n` or split them over processes (--first/--terminals)")
        for tid, pw in self.credentials.items():
            cfg = KioskConfig(terminal_id=tid, fleet=FleetSettings(broker=self.broker, password=pw, telemetry_seconds=self.telemetry_seconds))
            t = build_terminal(cfg, self.base / tid, simulate=True, with_devices=self.devices)
            if self.devices:
                t.open_devices()
            self.terminals.append(t)
            # Thousands of agents in one process: poll their outboxes less often.
            self.agents.append(Agent(t, cfg.fleet, outbox_poll_seconds=5.0, loop=self.loop))

    def start(self) -> None:
        """Build the terminals (unless ``build`` did) and hand their agents to the loop,
        which connects them at ``connects_per_second``."""
        if not self.terminals:
            self.build()
        self.loop.start()
        for t, agent in zip(self.terminals, self.agents):
            agent.start()
            t.centre = agent  # as start_agent does: the flows' link to the centre

    def take_tickets(self, n: int, seed: int = 1) -> None:
        """Issue ``n`` tickets at random terminals (events for the outbox)."""
        rnd = random.Random(seed)
        for _ in range(n):
            rnd.choice(self.terminals).queue.take(rnd.choice(["consultation", "mediation", "legal_aid"]))

    def connected(self) -> int:
        """How many agents are connected now."""
        return sum(1 for a in self.agents if getattr(a, "connected_event", threading.Event()).is_set())

    def close(self) -> None:
        """Stop every agent (each says "offline"), the loop, and the terminals."""
        # Each close waits for its "offline" to be acknowledged: many at once, not in turn.
        with ThreadPoolExecutor(max_workers=64) as pool:
            list(pool.map(lambda a: a.close(timeout=2.0), self.agents))
        self.loop.stop()  # (also when it never started: interrupted while building)
        for t in self.terminals:
            t.close()
