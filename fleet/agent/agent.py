"""The fleet agent: routes between the terminal, its MQTT link and the parts that do the
work (``OutboxPump``, ``ConfigApplier``, ``CommandRunner``, ``DeviceWatch``,
``PendingAsks``).

Threads: the link's network thread (paho's own, or an ``AgentLoop``) hands what arrives
to the agent's inbox as typed items (``fleet.agent.inbox``) — except commands, which the
``CommandRunner`` claims in its journal and, when quick (``ping``, ``set_volume``…),
answers right there. One worker job, ``work``, drains the inbox and does what is due
(presence, telemetry, outbox, device watch, pending configuration); it is the only
publisher. Without ``loop=`` the agent runs ``work`` on a thread of its own; with an
``AgentLoop`` the loop runs it, for hundreds of agents on one thread (the simulator).
Either way the same code runs. Slow commands run on a small pool and hand their replies
back through the inbox. The agent never touches the UI: the app passes callables
(``screenshot``, ``restart``, ``apply_config``) that do their own thread hand-over.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import paho.mqtt.client as mqtt

from fleet import topics
from fleet.agent.asks import PendingAsks
from fleet.agent.command_runner import CommandRunner
from fleet.agent.config_apply import ConfigApplier
from fleet.agent.device_watch import DEVICE_WATCH_S, DeviceWatch
from fleet.agent.inbox import AskOut, Close, Connected, Disconnected, InboxItem, Message, Reply, Report, Send
from fleet.agent.link import MqttLink
from fleet.agent.loop import AgentLoop
from fleet.agent.outbox_pump import OutboxPump
from fleet.agent.state import AgentState
from fleet.agent.telemetry import collect
from kiosk.config import CONFIG_FILENAME, FleetSettings, KioskConfig
from kiosk.logs import mask_text
from kiosk.lookup.library import default_library_path
from kiosk.outbox import Outbox, add_event
from kiosk.ports import CentreUnavailable, ReceiptPrinter, VolumeControl
from kiosk.store import DB_FILENAME, connect, transaction
from kiosk.terminal import Terminal
from kiosk.visit import VisitState

log = logging.getLogger(__name__)

# The worker's longest sleep with nothing due (it wakes at once for handed-over work).
IDLE_WAIT_S = 5.0
# How often a pending configuration looks for the kiosk's idle moment.
PENDING_CONFIG_POLL_S = 0.5


class Agent:
    """Links one terminal to the centre. Build with ``start_agent``.

    Besides the link, the agent is the terminal's ``kiosk.ports.CentreChannel``
    (``connected``, ``ask``, ``send``, ``subscribe``) and the context the commands run
    in (``fleet.agent.commands.CommandContext``).
    """

    def __init__(
        self,
        terminal: Terminal,
        settings: FleetSettings,
        *,
        screenshot: Callable[[], bytes | None] | None = None,
        restart: Callable[[], None] | None = None,
        apply_config: Callable[[KioskConfig], None] | None = None,
        config_path: Path | None = None,
        config_fallback: str | None = None,
        outbox_poll_seconds: float = 1.0,
        loop: AgentLoop | None = None,
    ) -> None:
        self.terminal = terminal
        self.loop = loop  # an AgentLoop drives this agent (None: its own threads)
        self.outbox_poll_seconds = outbox_poll_seconds
        self.settings = settings
        self.screenshot = screenshot
        self.restart = restart
        self.terminal_id: str = terminal.config.terminal_id
        self.state = AgentState(terminal.data_dir / "fleet" / "agent.sqlite3")
        # Our own connection: the queue's belongs to the UI thread.
        self._conn = connect(terminal.data_dir / DB_FILENAME)
        self._inbox: queue.SimpleQueue[InboxItem] = queue.SimpleQueue()
        self._wake = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix=f"fleet-cmd-{self.terminal_id}")
        self._connected = False
        self._next_telemetry = 0.0
        self._next_outbox = 0.0
        self._next_device_watch = 0.0
        self._closed = threading.Event()
        self._started = False
        self.connected_event = threading.Event()
        self._handlers: dict[str, list[Callable[[bytes], None]]] = {}

        self.link = MqttLink(self.terminal_id, settings, self.state, post=self._post, on_command=self._on_command)
        self.outbox_pump = OutboxPump(Outbox(self._conn), lambda batch: self.link.publish(topics.EVENTS, batch, qos=1))
        self.config_applier = ConfigApplier(
            self.state, config_path or terminal.data_dir / CONFIG_FILENAME, terminal.config, now=self.now, is_idle=self.is_idle,
            apply_config=apply_config, reported_changed=lambda: self._post(Report()))
        self.command_runner = CommandRunner(self.terminal_id, self.state, self, now=self.now, submit=self._pool.submit)
        self.device_watch = DeviceWatch(self.state, lambda: terminal.devices, self._add_event)
        self.asks = PendingAsks(lambda request, timeout: self._post(AskOut(request, timeout)))
        self._worker = threading.Thread(target=self._run, name=f"fleet-agent-{self.terminal_id}", daemon=True)
        # The level the centre set last time outlives restarts (set_volume).
        stored_volume = self.state.get("volume")
        if stored_volume is not None:
            self.apply_volume(int(stored_volume))
        # The app started from the last good configuration because its file failed: the
        # technician must see it (telemetry, while it lasts) and why (a durable event).
        self.config_fallback = mask_text(config_fallback)[:2000] if config_fallback else ""
        if self.config_fallback:
            self._add_event("config_fallback", {"reason": self.config_fallback, "file": self.config_path.name})

    # ---- public ----------------------------------------------------------------
    def start(self) -> "Agent":
        """Connect in the background (a missing centre never blocks the kiosk)."""
        self.link.connect(own_thread=self.loop is None)
        self._started = True
        if self.loop is not None:
            self.loop.add(self)  # it connects, reads, writes and runs ``work`` for us
        else:
            self._worker.start()
        return self

    def close(self, timeout: float = 3.0) -> None:
        """Say offline (retained), disconnect cleanly, stop the threads."""
        if self.terminal.centre is self:
            self.terminal.centre = None
        if self.loop is not None:
            if self._started:  # (a simulator may be stopped before its agents started)
                self._post(Close())
                self._closed.wait(timeout + 2.0)
        elif self._started:
            self._post(Close())
            self._worker.join(timeout)
            self.link.stop_thread()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.state.close()
        self._conn.close()

    @property
    def client(self) -> mqtt.Client:
        """The link's paho client (an ``AgentLoop`` drives its sockets)."""
        return self.link.client

    @property
    def session(self) -> int:
        """The sequence number of the connection that is up (0: none yet)."""
        return self.link.session

    @property
    def config_path(self) -> Path:
        """The terminal's configuration file, which desired configuration replaces."""
        return self.config_applier.config_path

    @property
    def kiosk_config(self) -> KioskConfig:
        """The terminal's configuration in force."""
        return self.terminal.config

    @property
    def log_file(self) -> Path:
        """The kiosk's log file (``get_logs`` reads its tail)."""
        return self.terminal.data_dir / "logs" / "kiosk.log"

    def now(self) -> datetime:
        """The terminal's clock."""
        return self.terminal.clock.now()

    def config_version(self) -> int:
        """The centre's configuration version applied here (0: none yet)."""
        return self.config_applier.version()

    def printer(self) -> ReceiptPrinter | None:
        """The terminal's receipt printer, if it has one that prints."""
        return self.terminal.printer()

    def _speaker(self) -> VolumeControl | None:
        return self.terminal.volume_control()

    def apply_volume(self, level: int) -> bool:
        """Set the speaker's output level; False if the terminal has no such speaker."""
        speaker = self._speaker()
        if speaker is None:
            return False
        speaker.set_volume(level)
        return True

    def set_volume(self, level: int) -> bool:
        """Keep ``level`` for the next start and set it now; False if the terminal has
        no speaker that takes a level (the level is kept for when it has one)."""
        self.state.put("volume", level)
        return self.apply_volume(level)

    def telemetry(self) -> topics.Telemetry:
        """A health snapshot (also the self-test's)."""
        tel = collect(
            now=self.now(),
            session=self.session,
            data_dir=self.terminal.data_dir,
            devices=self.terminal.devices,
            conn=self._conn,
            config_version=self.config_version(),
            # What the speaker plays at, else the level kept for it.
            volume=speaker.volume if (speaker := self._speaker()) is not None else self.state.get("volume"),
            visit_state=self.terminal.flow.state.value,
            library=default_library_path(self.terminal.data_dir, self.terminal.config.lookup.library),
        )
        fault = self.terminal.store_fault
        if fault is not None:
            # Replaced at this start (kiosk/storecheck.py): shown on the dashboard for as
            # long as this run lasts; the device_fault event keeps it in the history.
            tel.devices.append(topics.DeviceReport(kind="store", state="fault", detail=str(getattr(fault, "summary", fault))[:200]))
        # Only a terminal that fell back pays for the copy (the simulator sends thousands).
        return tel.model_copy(update={"config_fallback": self.config_fallback}) if self.config_fallback else tel

    # ---- the centre channel (kiosk.ports.CentreChannel) -------------------------------
    def connected(self) -> bool:
        """True while the link to the centre is up."""
        return self.connected_event.is_set()

    def ask(self, name: str, args: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        """Ask the centre and wait for the answer (any thread but the UI's and paho's).

        The request expires at the broker after ``timeout`` (MQTT v5 message expiry)
        and carries ``expires_at``, so a centre that sees it late never acts on it.
        """
        if not self.connected_event.is_set():
            raise CentreUnavailable("not connected to the centre")
        return self.asks.ask(name, args, timeout)

    def send(self, leaf: str, payload: bytes, retain: bool = False) -> None:
        """Publish ``payload`` (QoS 1) under this terminal's root; any thread."""
        if leaf not in topics.TERMINAL_WRITES:
            raise ValueError(f"a terminal may not write {leaf!r}")
        self._post(Send(leaf, payload, retain))

    def is_idle(self) -> bool:
        """Whether nobody is using the kiosk (attract screen: no visit, no call) — the
        moment to apply configuration or switch versions."""
        return self.terminal.flow.state is VisitState.ATTRACT

    def subscribe(self, leaf: str, handler: Callable[[bytes], None]) -> None:
        """Call ``handler(payload)`` on the agent's worker for each message on ``leaf``."""
        if leaf not in topics.TERMINAL_READS or leaf in (topics.CMD, topics.DESIRED, topics.ACK, topics.ANSWER):
            raise ValueError(f"{leaf!r} is not a leaf a handler may take")
        self._handlers.setdefault(leaf, []).append(handler)

    def offer_config(self, version: int, config: dict[str, Any]) -> topics.Reported:
        """Take a desired configuration: reject it now if invalid, else keep it (durably)
        until the kiosk is idle. Any thread."""
        return self.config_applier.offer(version, config)

    # ---- handing over ------------------------------------------------------------------
    def _post(self, item: InboxItem) -> None:
        """Hand work to the worker (or to the loop that runs the worker's job)."""
        self._inbox.put(item)
        if self.loop is not None:
            self.loop.notify(self)
        else:
            self._wake.set()

    def _add_event(self, kind: str, payload: dict[str, Any]) -> None:
        with transaction(self._conn) as c:
            add_event(c, kind, payload, self.now())

    def _on_command(self, payload: bytes, response_topic: str | None, correlation: bytes | None) -> None:
        """A command request, on the thread that read it (paho's network thread)."""
        if response_topic is None or not self.command_runner.usable_response_topic(response_topic):
            log.warning("command without a usable response topic ignored")
            return
        caller = threading.get_ident()
        reply_topic = response_topic

        def reply(result: topics.CommandResult, after: Callable[[], None] | None) -> None:
            if after is None and threading.get_ident() == caller:
                # Still inside paho's callback: publish now (paho writes it as soon as
                # the callback returns).
                self.link.publish_reply(reply_topic, correlation, result)
            else:
                self._post(Reply(reply_topic, correlation, result, after))

        self.command_runner.receive(payload, correlation, reply)

    # ---- the worker's job: the only publisher -------------------------------------------
    def _run(self) -> None:
        """The agent's own worker thread (no ``loop=``)."""
        while not self.work():
            self._wake.wait(self.due_s())
            # Cleared before ``work`` drains the inbox, so an item posted meanwhile is
            # either drained now or wakes the next wait at once.
            self._wake.clear()
        self.link.shutdown(connected=self._connected, at=self.now())

    def work(self) -> bool:
        """Handle what was handed over, then do what is due. True when the agent was
        asked to close (the caller then says offline and disconnects)."""
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, Close):
                self.link.stopping.set()
                return True
            try:
                self._handle(item)
            except Exception:  # noqa: BLE001 — the agent must survive anything the network sends
                log.exception("fleet agent: unexpected error")
        if self._connected:
            try:
                self._tick()
            except Exception:  # noqa: BLE001
                log.exception("fleet agent: unexpected error")
        return False

    def due_s(self) -> float:
        """Seconds until ``work`` has something to do with nothing handed over."""
        # Thousands of simulated agents in one process must not spin, and a real
        # terminal's worker stays idle too.
        if not self._connected:
            return IDLE_WAIT_S
        if self.config_applier.has_pending:
            return PENDING_CONFIG_POLL_S  # watch for the idle moment
        due = min(self._next_telemetry, self._next_outbox, self._next_device_watch)
        return min(IDLE_WAIT_S, max(0.05, due - time.monotonic()))

    def stopping(self) -> bool:
        """Whether the agent is closing (no reconnect)."""
        return self.link.stopping.is_set()

    def is_up(self) -> bool:
        """Whether the worker has seen the link come up (and not go down since)."""
        return self._connected

    def publish_offline(self) -> mqtt.MQTTMessageInfo:
        """Say "offline" at once (a clean shutdown: no will delay)."""
        return self.link.publish_offline(self.now())

    def finished_closing(self) -> None:
        """The loop has disconnected this agent: ``close`` may return."""
        self._closed.set()

    def _handle(self, item: InboxItem) -> None:
        match item:
            case Connected():
                self._connected = True
                self.outbox_pump.reset()  # resend whatever was not acknowledged
                self._next_outbox = 0.0
                self.link.publish_online(self.now())
                self._publish_reported()
                self._next_telemetry = 0.0
                self.connected_event.set()
                log.info("connected to the centre (session %d)", self.session)
            case Disconnected():
                if self._connected:
                    log.warning("lost the centre; events wait in the outbox")
                self._connected = False
                self.connected_event.clear()
            case Message(topic=topic_name, payload=payload):
                self._on_fleet_message(topic_name, payload)
            case Reply(response_topic=resp_topic, correlation=corr, result=result, after=after):
                info = self.link.publish_reply(resp_topic, corr, result)
                if after is not None:
                    # Wait for the broker's PUBACK elsewhere: the network may be driven by
                    # this very thread (loop mode).
                    self._pool.submit(self._after_published, info, after)
            case Report():
                self._publish_reported()
            case AskOut(request=request, timeout=timeout):
                self.link.publish_ask(request, timeout)
            case Send(leaf=leaf, payload=payload, retain=retain):
                self.link.publish(leaf, payload, qos=1, retain=retain)

    @staticmethod
    def _after_published(info: mqtt.MQTTMessageInfo, after: Callable[[], None]) -> None:
        try:
            info.wait_for_publish(2.0)
        except (RuntimeError, ValueError):
            pass
        after()

    def _tick(self) -> None:
        now_m = time.monotonic()
        if now_m >= self._next_device_watch:
            self._next_device_watch = now_m + DEVICE_WATCH_S
            if self.device_watch.check():
                self._next_telemetry = 0.0
        if now_m >= self._next_telemetry:
            self._next_telemetry = now_m + self.settings.telemetry_seconds
            self.link.publish(topics.TELEMETRY, self.telemetry().to_bytes(), qos=0)
        # The UI thread writes events into SQLite without telling us: poll, gently.
        if now_m >= self._next_outbox:
            self._next_outbox = now_m + self.outbox_poll_seconds
            self.outbox_pump.pump(now_m)
        if self.config_applier.has_pending and self.config_applier.apply_if_idle():
            self._publish_reported()

    def _on_fleet_message(self, topic_name: str, payload: bytes) -> None:
        parsed = topics.parse(topic_name)
        if parsed is None or parsed[0] != self.terminal_id:
            return
        leaf = parsed[1]
        if leaf == topics.ACK:
            try:
                ack = topics.Ack.from_bytes(payload)
            except ValueError:
                return
            self.outbox_pump.acknowledged(ack.event_ids, self.now())
        elif leaf == topics.DESIRED:
            if not payload:
                return  # the retained desired document was cleared
            try:
                desired = topics.Desired.from_bytes(payload)
            except ValueError as exc:
                log.warning("malformed desired configuration ignored: %s", str(exc)[:200])
                return
            self.offer_config(desired.version, desired.config)
        elif leaf == topics.ANSWER:
            try:
                answer = topics.Answer.from_bytes(payload)
            except ValueError:
                log.warning("malformed answer from the centre ignored")
                return
            self.asks.answered(answer)
        else:
            for handler in self._handlers.get(leaf, ()):
                try:
                    handler(payload)
                except Exception:  # noqa: BLE001 — one bad handler must not stop the agent
                    log.exception("handler of %s failed", leaf)

    def _publish_reported(self) -> None:
        if self._connected:
            self.link.publish(topics.REPORTED, self.config_applier.reported().to_bytes(), retain=True)


class DisabledAgent:
    """Stands for the agent when no broker is configured: the terminal works alone."""

    def close(self) -> None:
        """Nothing to stop."""


def start_agent(
    terminal: Terminal,
    settings: FleetSettings | None = None,
    *,
    screenshot: Callable[[], bytes | None] | None = None,
    restart: Callable[[], None] | None = None,
    apply_config: Callable[[KioskConfig], None] | None = None,
    config_path: Path | None = None,
    config_fallback: str | None = None,
    outbox_poll_seconds: float = 1.0,
    loop: AgentLoop | None = None,
) -> Agent | DisabledAgent:
    """Start the fleet agent for ``terminal`` (returns at once; connects in the background).

    ``screenshot`` returns PNG bytes of the current screen (it must hand over to the UI
    thread itself); ``restart`` restarts the app; ``apply_config`` makes a new
    configuration live (None: it is written to the file and takes effect on restart).
    ``loop`` (a running ``fleet.agent.loop.AgentLoop``) drives the agent instead of its
    own two threads (the simulator's many terminals in one process).
    ``config_fallback``: why the app started from its last good configuration (reported
    as an event and in every telemetry message).
    """
    settings = settings or terminal.config.fleet
    if not settings.enabled:
        log.info("fleet disabled (no broker configured)")
        return DisabledAgent()
    try:
        agent = Agent(terminal, settings, screenshot=screenshot, restart=restart, apply_config=apply_config, config_path=config_path,
                      config_fallback=config_fallback, outbox_poll_seconds=outbox_poll_seconds, loop=loop).start()
    except (OSError, ValueError, KeyError) as exc:
        # A bad credentials file or URL must not stop the kiosk: it keeps serving and
        # its events keep waiting in the outbox.
        log.error("fleet agent not started: %s", exc)
        return DisabledAgent()
    terminal.centre = agent  # the flows' live link to the centre (kiosk.ports.CentreChannel)
    return agent
