"""One thread that drives many agents: their paho clients through one selector (paho's
external event loop API) and their workers' jobs, for the simulator's thousands of
terminals.

paho's own loop (``loop_start``) is one thread per client around ``select()``, which
cannot watch a descriptor above 1024 and costs a thread per terminal. Here the sockets
sit in one ``selectors.DefaultSelector`` (epoll on Linux: no descriptor limit); paho
tells the loop when a socket opens, closes, or has something to write
(``on_socket_open/close/register_write/unregister_write``), and the loop calls
``loop_read``/``loop_write``/``loop_misc`` and reconnects with back-off as paho's
``loop_forever`` would. Each agent's worker jobs (what was handed over to it, then its
periodic telemetry, outbox and device checks) run on the same thread, so an agent
driven here runs the very code a kiosk's agent runs, minus its two threads.

A real kiosk keeps its own threads (``Agent`` without ``loop=``).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import selectors
import socket
import threading
import time
from typing import TYPE_CHECKING, Protocol

import paho.mqtt.client as mqtt

if TYPE_CHECKING:  # paho declares its socket protocol for type checkers only
    from paho.mqtt.client import SocketLike

log = logging.getLogger(__name__)

MISC_EVERY_S = 1.0  # keep-alive bookkeeping (paho's loop does it about this often)
RECONNECT_MIN_S, RECONNECT_MAX_S = 1.0, 10.0  # as make_client's reconnect_delay_set
CLOSE_WAIT_S = 2.0  # how long a closing agent waits for its "offline" to be acknowledged


class Driven(Protocol):
    """What the loop needs of an agent it drives (``fleet.agent.agent.Agent``)."""

    terminal_id: str

    @property
    def client(self) -> mqtt.Client:
        """The paho client whose sockets the loop watches."""

    def work(self) -> bool:
        """The worker's job: what was handed over, then what is due. True: close me."""

    def due_s(self) -> float:
        """Seconds until ``work`` is due with nothing handed over."""

    def stopping(self) -> bool:
        """Whether the agent is closing (no reconnect)."""

    def is_up(self) -> bool:
        """Whether the agent's link is up."""

    def publish_offline(self) -> mqtt.MQTTMessageInfo:
        """Say "offline" at once."""

    def finished_closing(self) -> None:
        """Disconnected: the agent's ``close`` may return."""


class AgentLoop:
    """Drives the agents given to ``add`` from one thread; ``start``/``stop``."""

    def __init__(self, name: str = "fleet-agent-loop", connects_per_second: float = 400.0) -> None:
        self.name = name
        self.connects_per_second = connects_per_second
        self._sel = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._sel.register(self._wake_r, selectors.EVENT_READ, None)
        self._lock = threading.Lock()
        self._woken = False
        self._added: list[Driven] = []  # agents handed over by other threads
        self._ready: set[Driven] = set()  # agents with work handed over
        self._agents: set[Driven] = set()
        self._seq = itertools.count()
        self._timers: list[tuple[float, int, Driven]] = []  # (due, seq, agent) — stale entries skipped
        self._due: dict[Driven, float] = {}
        self._connects: list[tuple[float, int, Driven]] = []  # (when, seq, agent)
        self._backoff: dict[Driven, float] = {}
        # agent → (deadline, its "offline" publish, if it was connected)
        self._closing: dict[Driven, tuple[float, mqtt.MQTTMessageInfo | None]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_misc = 0.0
        self._next_connect_slot = 0.0
        self.loop_thread_id: int | None = None

    # ---- any thread ---------------------------------------------------------------
    def start(self) -> "AgentLoop":
        """Run the loop on its own thread."""
        self._thread = threading.Thread(target=self.run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the loop (close the agents first: ``Agent.close``)."""
        self._stop.set()
        self._wake()
        if self._thread is not None:
            self._thread.join(timeout)
        self._sel.close()
        self._wake_r.close()
        self._wake_w.close()

    def add(self, agent: Driven) -> None:
        """Take over ``agent``'s client (called by ``Agent.start``); it connects soon."""
        c = agent.client
        own_open = c.on_socket_open  # make_client's TCP_NODELAY, kept

        def opened(client: mqtt.Client, userdata: object, sock: SocketLike) -> None:
            if own_open is not None:
                own_open(client, userdata, sock)
            self._sel.register(sock, selectors.EVENT_READ, agent)

        def closed(client: mqtt.Client, userdata: object, sock: SocketLike) -> None:
            try:
                self._sel.unregister(sock)
            except (KeyError, ValueError):
                pass
            if not agent.stopping():
                self._schedule_connect(agent, self._next_backoff(agent))

        def want_write(client: mqtt.Client, userdata: object, sock: SocketLike) -> None:
            try:
                self._sel.modify(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, agent)
            except (KeyError, ValueError):
                pass
            if threading.get_ident() != self.loop_thread_id:
                self._wake()

        def no_write(client: mqtt.Client, userdata: object, sock: SocketLike) -> None:
            try:
                self._sel.modify(sock, selectors.EVENT_READ, agent)
            except (KeyError, ValueError):
                pass

        c.on_socket_open = opened
        c.on_socket_close = closed
        c.on_socket_register_write = want_write
        c.on_socket_unregister_write = no_write
        with self._lock:
            self._added.append(agent)
        self._wake()

    def notify(self, agent: Driven) -> None:
        """``agent`` has work handed over (its inbox); from any thread."""
        with self._lock:
            self._ready.add(agent)
        if threading.get_ident() != self.loop_thread_id:
            self._wake()

    def __len__(self) -> int:
        return len(self._agents)

    def _wake(self) -> None:
        with self._lock:
            if self._woken:
                return
            self._woken = True
        try:
            self._wake_w.send(b"x")
        except (BlockingIOError, OSError):
            pass

    # ---- the loop thread ------------------------------------------------------------
    def run(self) -> None:
        """The loop (``start`` runs it on a thread)."""
        self.loop_thread_id = threading.get_ident()
        while not self._stop.is_set():
            try:
                self._once()
            except Exception:  # noqa: BLE001 — one agent's trouble must not stop the others
                log.exception("agent loop: unexpected error")

    def _once(self) -> None:
        now = time.monotonic()
        timeout = 1.0
        if self._timers:
            timeout = min(timeout, self._timers[0][0] - now)
        if self._connects:
            timeout = min(timeout, max(self._connects[0][0], self._next_connect_slot) - now)
        if self._closing:
            timeout = min(timeout, 0.05)
        touched: set[Driven] = set()
        for key, mask in self._sel.select(max(0.0, timeout)):
            agent = key.data
            if agent is None:
                self._drain_wake()
                continue
            c = agent.client
            try:
                if mask & selectors.EVENT_READ:
                    c.loop_read()  # callbacks run here, on this thread
                if mask & selectors.EVENT_WRITE:
                    c.loop_write()
            except Exception:  # noqa: BLE001 — one client's trouble must not starve the others
                log.exception("%s: network error", agent.terminal_id)
            touched.add(agent)
        # Replies to what just arrived (a command's answer, a PUBACK) leave before the
        # periodic jobs below run: they are what someone is waiting for.
        self._flush(touched)
        touched = set()
        with self._lock:
            added, self._added = self._added, []
            ready, self._ready = self._ready, set()
        now = time.monotonic()
        for agent in added:
            self._agents.add(agent)
            self._schedule_connect(agent, 0.0)
            self._set_due(agent, now)
        for agent in ready:
            if agent in self._agents:
                self._work(agent)
                touched.add(agent)
        while self._timers and self._timers[0][0] <= now:
            due, _, agent = heapq.heappop(self._timers)
            if self._due.get(agent) != due:
                continue  # rescheduled since
            del self._due[agent]
            if agent in self._agents and agent not in self._closing:
                self._work(agent)
                touched.add(agent)
        self._connect_due(now)
        if now >= self._next_misc:
            self._next_misc = now + MISC_EVERY_S
            for agent in self._agents:
                try:
                    agent.client.loop_misc()  # keep-alive pings; a silent broker is noticed
                except Exception:  # noqa: BLE001
                    log.exception("%s: keep-alive error", agent.terminal_id)
        if self._closing:
            self._finish_closing(now)
        self._flush(touched)

    def _flush(self, agents: set[Driven]) -> None:
        # Write what the callbacks and jobs published now, rather than a select later.
        for agent in agents:
            c = agent.client
            if c.want_write() and c.socket() is not None:
                try:
                    c.loop_write()
                except Exception:  # noqa: BLE001
                    log.exception("%s: network error", agent.terminal_id)

    def _drain_wake(self) -> None:
        with self._lock:
            self._woken = False
        try:
            while self._wake_r.recv(4096):
                pass
        except (BlockingIOError, OSError):
            pass

    def _work(self, agent: Driven) -> None:
        if agent in self._closing:
            return
        if agent.work():
            self._begin_close(agent)
            return
        if agent.is_up():
            self._backoff.pop(agent, None)  # the next loss starts from the shortest delay
        self._set_due(agent, time.monotonic() + agent.due_s())

    def _set_due(self, agent: Driven, due: float) -> None:
        self._due[agent] = due
        heapq.heappush(self._timers, (due, next(self._seq), agent))

    def _next_backoff(self, agent: Driven) -> float:
        b = self._backoff.get(agent, 0.0)
        b = RECONNECT_MIN_S if b == 0 else min(RECONNECT_MAX_S, b * 2)
        self._backoff[agent] = b
        return b * random.uniform(0.8, 1.2)  # a broker restart must not see every terminal at once

    def _schedule_connect(self, agent: Driven, delay: float) -> None:
        heapq.heappush(self._connects, (time.monotonic() + delay, next(self._seq), agent))
        if threading.get_ident() != self.loop_thread_id:
            self._wake()

    def _connect_due(self, now: float) -> None:
        # Paced: a few hundred TCP + MQTT handshakes per second keep the broker responsive
        # (in small bursts, not one per turn of the loop).
        while self._connects and self._connects[0][0] <= now and self._next_connect_slot <= now + 0.02:
            _, _, agent = heapq.heappop(self._connects)
            if agent not in self._agents or agent.stopping() or agent.client.socket() is not None:
                continue
            self._next_connect_slot = max(self._next_connect_slot, now) + 1.0 / self.connects_per_second
            try:
                agent.client.reconnect()  # on_socket_open registers the socket
            except Exception as exc:  # noqa: BLE001 — refused, unreachable, TLS: try again later
                log.debug("%s: connect failed: %s", agent.terminal_id, exc)
                self._schedule_connect(agent, self._next_backoff(agent))

    # ---- closing ------------------------------------------------------------------------
    def _begin_close(self, agent: Driven) -> None:
        info = None
        if agent.is_up():
            info = agent.publish_offline()
        self._closing[agent] = (time.monotonic() + CLOSE_WAIT_S, info)

    def _finish_closing(self, now: float) -> None:
        for agent, (deadline, info) in list(self._closing.items()):
            if info is not None and not info.is_published() and now < deadline and agent.client.socket() is not None:
                continue  # its "offline" is not acknowledged yet
            del self._closing[agent]
            c = agent.client
            c.disconnect()
            if c.socket() is not None:
                c.loop_write()  # the DISCONNECT; paho closes the socket after it
            sock = c.socket()
            if sock is not None:
                try:
                    self._sel.unregister(sock)
                except (KeyError, ValueError):
                    pass
            self._agents.discard(agent)
            self._due.pop(agent, None)
            self._backoff.pop(agent, None)
            agent.finished_closing()
