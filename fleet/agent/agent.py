"""The fleet agent: one paho network thread, one worker thread that owns the periodic
work.

paho's callbacks (network thread) hand messages over to the worker through a queue —
except commands, which are claimed in the journal and, when quick (``ping``,
``set_volume``…), answered right there: a command then costs no thread hand-over either
way. The worker publishes presence, telemetry, outbox batches and the reported
configuration. Slow commands run on a small pool and hand their replies back to the
worker. The agent never touches the UI: the app passes callables (``screenshot``,
``restart``, ``apply_config``) that do their own thread hand-over.

With ``loop=`` (an ``AgentLoop``), the agent has no threads of its own: one loop thread
drives its paho client (paho's external event loop API) and does its worker's jobs, for
hundreds of agents at once (the simulator). The code that runs is the same.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from fleet import topics
from fleet.agent import commands
from fleet.agent.configfile import ConfigRejected, check, install, merged, restore
from fleet.agent.state import AgentState
from fleet.agent.telemetry import collect, device_reports
from fleet.mqttlink import make_client, parse_broker_url
from kiosk.config import CONFIG_FILENAME, FleetSettings, KioskConfig
from kiosk.logs import mask_text
from kiosk.outbox import SEALED_KINDS, Outbox, add_event
from kiosk.ports import CentreError, CentreUnavailable, VolumeControl
from kiosk.store import DB_FILENAME, connect, transaction
from kiosk.visit import VisitState

log = logging.getLogger(__name__)

SESSION_EXPIRY_S = 7 * 24 * 3600  # queued commands wait a week at most (each has its own expiry too)
ACK_TIMEOUT_S = 15.0  # no acknowledgement by then: send the batch again (the centre dedupes)
BATCH = 200  # outbox events per message
# How often device health is compared for fault/recovery events (health reads only, no
# device I/O); a change also sends telemetry at once, so the dashboard sees paper out
# within seconds, not at the next periodic message.
DEVICE_WATCH_S = 2.0


def _credentials(settings: FleetSettings, terminal_id: str) -> tuple[str, str]:
    if settings.credentials_file is not None:
        data = json.loads(Path(settings.credentials_file).read_text(encoding="utf-8"))
        return str(data["username"]), str(data["password"])
    return settings.username or terminal_id, settings.password


class Agent:
    """Links one terminal to the centre. Build with ``start_agent``."""

    def __init__(
        self,
        terminal: Any,
        settings: FleetSettings,
        *,
        screenshot: Callable[[], bytes | None] | None = None,
        restart: Callable[[], None] | None = None,
        apply_config: Callable[[KioskConfig], None] | None = None,
        config_path: Path | None = None,
        config_fallback: str | None = None,
        outbox_poll_seconds: float = 1.0,
        loop: Any = None,
    ) -> None:
        self.terminal = terminal
        self.loop = loop  # an AgentLoop drives this agent (None: its own threads)
        self.outbox_poll_seconds = outbox_poll_seconds
        self.settings = settings
        self.screenshot = screenshot
        self.restart = restart
        self.apply_config = apply_config
        self.terminal_id: str = terminal.config.terminal_id
        self._cmd_topic = topics.topic(self.terminal_id, topics.CMD)
        self.config_path = config_path or terminal.data_dir / CONFIG_FILENAME
        self.state = AgentState(terminal.data_dir / "fleet" / "agent.sqlite3")
        # Our own connection: the queue's belongs to the UI thread.
        self._conn = connect(terminal.data_dir / DB_FILENAME)
        self._outbox = Outbox(self._conn)
        self._config: KioskConfig = terminal.config
        self._cfg_lock = threading.Lock()
        self._inbox: queue.Queue[tuple[Any, ...]] = queue.Queue()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix=f"fleet-cmd-{self.terminal_id}")
        self._stop = threading.Event()
        self._connected = False
        self._inflight: tuple[set[str], float] | None = None
        self._next_telemetry = 0.0
        self._next_outbox = 0.0
        self._next_device_watch = 0.0
        self._has_pending_config = bool(self.state.get("pending_desired"))
        self.session = 0
        self._next_session = 0
        host, port, tls = parse_broker_url(settings.broker)
        self._host, self._port = host, port
        user, password = _credentials(settings, self.terminal_id)
        self._client = make_client(self.terminal_id, user, password, tls=tls, ca_file=settings.ca_file)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._worker = threading.Thread(target=self._run, name=f"fleet-agent-{self.terminal_id}", daemon=True)
        self._closed = threading.Event()
        self._started = False
        self.connected_event = threading.Event()
        # The centre channel (kiosk.ports.CentreChannel): asks waiting for their answer,
        # and handlers of the other leaves the terminal reads.
        self._asks: dict[str, _AskWait] = {}
        self._asks_lock = threading.Lock()
        self._handlers: dict[str, list[Callable[[bytes], None]]] = {}
        # The level the centre set last time outlives restarts (set_volume).
        stored_volume = self.state.get("volume")
        if stored_volume is not None:
            self.apply_volume(int(stored_volume))
        # The app started from the last good configuration because its file failed: the
        # technician must see it (telemetry, while it lasts) and why (a durable event).
        self.config_fallback = mask_text(config_fallback)[:2000] if config_fallback else ""
        if self.config_fallback:
            with transaction(self._conn) as c:
                add_event(c, "config_fallback", {"reason": self.config_fallback, "file": self.config_path.name}, self.now())

    # ---- public ----------------------------------------------------------------
    def start(self) -> "Agent":
        """Connect in the background (a missing centre never blocks the kiosk)."""
        self._arm_will()
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        # clean_start=False: a quick reconnect resumes the session, so the delayed will
        # is never sent and commands queued meanwhile are delivered.
        self._client.connect_async(self._host, self._port, keepalive=30, clean_start=False, properties=props)
        self._started = True
        if self.loop is not None:
            self.loop.add(self)  # it connects, reads, writes and ticks for us
            return self
        self._client.loop_start()
        self._worker.start()
        return self

    def close(self, timeout: float = 3.0) -> None:
        """Say offline (retained), disconnect cleanly, stop the threads."""
        if getattr(self.terminal, "centre", None) is self:
            self.terminal.centre = None
        if self.loop is not None:
            if self._started:  # (a simulator may be stopped before its agents started)
                self._post(("close",))
                self._closed.wait(timeout + 2.0)
        else:
            self._post(("close",))
            self._worker.join(timeout)
            self._client.loop_stop()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.state.close()
        self._conn.close()

    def now(self) -> datetime:
        """The terminal's clock."""
        return self.terminal.clock.now()

    def config_version(self) -> int:
        """The centre's configuration version applied here (0: none yet)."""
        return int(self.state.get("config_version", 0))

    def _speaker(self) -> VolumeControl | None:
        return self.terminal.volume_control()

    def apply_volume(self, level: int) -> bool:
        """Set the speaker's output level; False if the terminal has no such speaker."""
        speaker = self._speaker()
        if speaker is None:
            return False
        speaker.set_volume(level)
        return True

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
            visit_state=getattr(self.terminal.flow.state, "value", ""),
        )
        fault = getattr(self.terminal, "store_fault", None)
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
        ask_id = uuid.uuid4().hex
        expires = datetime.now().astimezone() + timedelta(seconds=timeout)
        request = topics.Ask(id=ask_id, name=name, args=args, expires_at=expires)
        wait = _AskWait()
        with self._asks_lock:
            self._asks[ask_id] = wait
        try:
            self._post(("ask", request, timeout))
            got = wait.done.wait(timeout)
        finally:
            with self._asks_lock:
                self._asks.pop(ask_id, None)
        if not got or wait.answer is None:
            raise CentreUnavailable(f"no answer to {name} within {timeout:g} s")
        if not wait.answer.ok:
            raise CentreError(wait.answer.error or "failed", wait.answer.message or "")
        return dict(wait.answer.result)

    def send(self, leaf: str, payload: bytes, retain: bool = False) -> None:
        """Publish ``payload`` (QoS 1) under this terminal's root; any thread."""
        if leaf not in topics.TERMINAL_WRITES:
            raise ValueError(f"a terminal may not write {leaf!r}")
        self._post(("send", leaf, payload, retain))

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
        with self._cfg_lock:
            applied = self.config_version()
            if version <= applied:
                rep = self._reported()
                return rep if rep.state != "rejected" else topics.Reported(version=applied, state="applied", desired_version=version)
            try:
                # The whole check now, as start-up would read the file: a push the
                # terminal could not start with is refused here, with the reason.
                check(self.config_path, merged(self._config, config))
            except ConfigRejected as exc:
                rep = topics.Reported(version=applied, state="rejected", desired_version=version, error=mask_text(str(exc))[:2000], at=self.now())
                self.state.put("reported", rep.model_dump(mode="json", exclude_none=True))
                self.state.put("pending_desired", None)
                self._has_pending_config = False
                self._post(("report",))
                log.warning("desired configuration v%d rejected: %s", version, exc)
                return rep
            self.state.put("pending_desired", {"version": version, "config": config})
            self._has_pending_config = True
            rep = topics.Reported(version=applied, state="pending", desired_version=version, at=self.now())
            self.state.put("reported", rep.model_dump(mode="json", exclude_none=True))
            self._post(("report",))
            return rep

    # ---- paho callbacks (network thread): subscribe and hand over, nothing else ----
    def _arm_will(self) -> None:
        # Sparkplug-style: the will carries the sequence of the connection it belongs to,
        # so a will that arrives late never overrides a newer "online".
        self._next_session = self.state.next_session()
        props = Properties(PacketTypes.WILLMESSAGE)
        props.WillDelayInterval = self.settings.will_delay_seconds
        will = topics.Status(state="offline", session=self._next_session)
        self._client.will_set(topics.topic(self.terminal_id, topics.STATUS), will.to_bytes(), qos=1, retain=True, properties=props)

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        if reason_code.is_failure:
            log.warning("centre refused the connection: %s", reason_code)
            return
        self.session = self._next_session
        opts = SubscribeOptions(qos=1)
        # Re-subscribe every time: a lost broker session silently drops subscriptions.
        client.subscribe([(topics.topic(self.terminal_id, leaf), opts) for leaf in topics.TERMINAL_READS])
        self._post(("connected",))

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        self._post(("disconnected",))
        if not self._stop.is_set():
            self._arm_will()  # the next connection gets the next sequence number

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        if msg.topic == self._cmd_topic:
            # Claimed and (when quick) answered right here: two thread hand-overs less
            # per command; slow ones still go to the pool.
            self._on_command(msg.payload, msg.properties, direct=True)
            return
        self._post(("message", msg.topic, msg.payload, msg.properties))

    def _post(self, item: tuple[Any, ...]) -> None:
        """Hand work to the worker (or to the loop that does the worker's jobs)."""
        self._inbox.put(item)
        if self.loop is not None:
            self.loop.notify(self)

    # ---- worker thread: the only publisher ------------------------------------------
    def _publish(self, leaf: str, payload: bytes, *, qos: int = 1, retain: bool = False) -> mqtt.MQTTMessageInfo:
        return self._client.publish(topics.topic(self.terminal_id, leaf), payload, qos=qos, retain=retain)

    def _run(self) -> None:
        while True:
            try:
                item = self._inbox.get(timeout=self._wait_s())
            except queue.Empty:
                item = None
            try:
                if item is not None and item[0] == "close":
                    self._shutdown()
                    return
                if item is not None:
                    self._handle(item)
                if self._connected:
                    self._tick()
            except Exception:  # noqa: BLE001 — the agent must survive anything the network sends
                log.exception("fleet agent: unexpected error")

    def _loop_work(self) -> bool:
        """The worker's jobs, on the loop's thread: what was handed over, then what is
        due. True when the agent asked to close (the loop then says offline and
        disconnects it)."""
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                break
            if item[0] == "close":
                self._stop.set()
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

    def _loop_due_s(self) -> float:
        """Seconds until the loop should call ``_loop_work`` again with nothing handed over."""
        return self._wait_s()

    def _wait_s(self) -> float:
        # Sleep until the next periodic job is due: thousands of simulated agents in one
        # process must not spin, and a real terminal's worker stays idle too.
        if not self._connected:
            return 5.0
        if self._has_pending_config:
            return 0.5  # watch for the idle moment
        due = min(self._next_telemetry, self._next_outbox, self._next_device_watch)
        return min(5.0, max(0.05, due - time.monotonic()))

    def _handle(self, item: tuple[Any, ...]) -> None:
        kind = item[0]
        if kind == "connected":
            self._connected = True
            self._inflight = None  # resend whatever was not acknowledged
            self._next_outbox = 0.0
            self._publish(topics.STATUS, topics.Status(state="online", session=self.session, at=self.now()).to_bytes(), retain=True)
            self._publish_reported()
            self._next_telemetry = 0.0
            self.connected_event.set()
            log.info("connected to the centre (session %d)", self.session)
        elif kind == "disconnected":
            if self._connected:
                log.warning("lost the centre; events wait in the outbox")
            self._connected = False
            self.connected_event.clear()
        elif kind == "message":
            self._on_fleet_message(item[1], item[2], item[3])
        elif kind == "reply":
            _, resp_topic, corr, result, after = item
            props = Properties(PacketTypes.PUBLISH)
            if corr is not None:
                props.CorrelationData = corr
            info = self._client.publish(resp_topic, result.to_bytes(), qos=1, properties=props)
            if after is not None:
                # Wait for the broker's PUBACK elsewhere: the network may be driven by
                # this very thread (loop mode).
                self._pool.submit(self._after_published, info, after)
        elif kind == "report":
            self._publish_reported()
        elif kind == "ask":
            _, request, timeout = item
            props = Properties(PacketTypes.PUBLISH)
            props.ResponseTopic = topics.topic(self.terminal_id, topics.ANSWER)
            props.CorrelationData = request.id.encode()
            props.MessageExpiryInterval = max(1, int(timeout))
            self._client.publish(topics.topic(self.terminal_id, topics.ASK), request.to_bytes(), qos=1, properties=props)
        elif kind == "send":
            self._publish(item[1], item[2], qos=1, retain=bool(item[3]) if len(item) > 3 else False)

    @staticmethod
    def _after_published(info: mqtt.MQTTMessageInfo, after: Callable[[], None]) -> None:
        try:
            info.wait_for_publish(2.0)
        except (RuntimeError, ValueError):
            pass
        after()

    def _watch_devices(self) -> None:
        """Outbox events on a device's transitions: ``device_fault`` once when it stops
        being ready, ``device_recovered`` once when it is back (persisted, so a restart
        repeats neither)."""
        if not self.terminal.devices:
            return  # nothing to watch (a terminal built without devices: the simulator's)
        known: dict[str, str] = self.state.get("device_states", {})
        now_states = {}
        for d in device_reports(self.terminal.devices, with_paper=False):
            if d.state == "unknown" or (d.state == "absent" and d.detail == "not configured"):
                continue
            now_states[d.kind] = d.state
            before = known.get(d.kind, "ready")
            if before == d.state or (before != "ready" and d.state != "ready"):
                continue
            kind = "device_recovered" if d.state == "ready" else "device_fault"
            with transaction(self._conn) as c:
                add_event(c, kind, {"device": d.kind, "state": d.state, "detail": mask_text(d.detail)[:200]}, self.now())
            log.info("%s %s (%s)", d.kind, kind, d.state)
        if now_states != {k: v for k, v in known.items() if k in now_states}:
            self.state.put("device_states", {**known, **now_states})
            self._next_telemetry = 0.0

    def _tick(self) -> None:
        now_m = time.monotonic()
        if now_m >= self._next_device_watch:
            self._next_device_watch = now_m + DEVICE_WATCH_S
            self._watch_devices()
        if now_m >= self._next_telemetry:
            self._next_telemetry = now_m + self.settings.telemetry_seconds
            self._publish(topics.TELEMETRY, self.telemetry().to_bytes(), qos=0)
        # The UI thread writes events into SQLite without telling us: poll, gently.
        if now_m >= self._next_outbox:
            self._next_outbox = now_m + self.outbox_poll_seconds
            self._pump_outbox(now_m)
        if self._has_pending_config:
            self._maybe_apply_config()

    def _pump_outbox(self, now_m: float) -> None:
        if self._inflight is not None and now_m - self._inflight[1] < ACK_TIMEOUT_S:
            return
        events = self._outbox.pending(BATCH)
        if not events:
            self._inflight = None
            return
        batch = topics.EventBatch(
            events=[
                # Sealed payloads (ciphertext for the centre's key) pass as they are: masking
                # could only corrupt them, and nobody can read them on the way.
                topics.Event(event_id=e.event_id, kind=e.kind, created_at=e.created_at,
                             payload=e.payload if e.kind in SEALED_KINDS else json.loads(mask_text(json.dumps(e.payload, ensure_ascii=False))))
                for e in events
            ]
        )
        ids = [e.event_id for e in events]
        self._outbox.mark_attempted(ids)
        self._publish(topics.EVENTS, batch.to_bytes(), qos=1)
        self._inflight = (set(ids), now_m)

    def _on_fleet_message(self, topic_name: str, payload: bytes, props: Any) -> None:
        parsed = topics.parse(topic_name)
        if parsed is None or parsed[0] != self.terminal_id:
            return
        leaf = parsed[1]
        if leaf == topics.ACK:
            try:
                ack = topics.Ack.from_bytes(payload)
            except ValueError:
                return
            self._outbox.mark_delivered(ack.event_ids, self.now())
            if self._inflight is not None:
                rest = self._inflight[0] - set(ack.event_ids)
                self._inflight = (rest, self._inflight[1]) if rest else None
        elif leaf == topics.DESIRED:
            if not payload:
                return  # the retained desired document was cleared
            try:
                desired = topics.Desired.from_bytes(payload)
            except ValueError as exc:
                log.warning("malformed desired configuration ignored: %s", str(exc)[:200])
                return
            self.offer_config(desired.version, desired.config)
        elif leaf == topics.CMD:
            self._on_command(payload, props)
        elif leaf == topics.ANSWER:
            try:
                answer = topics.Answer.from_bytes(payload)
            except ValueError:
                log.warning("malformed answer from the centre ignored")
                return
            with self._asks_lock:
                wait = self._asks.get(answer.id)
            if wait is not None:
                wait.answer = answer
                wait.done.set()
        else:
            for handler in self._handlers.get(leaf, ()):
                try:
                    handler(payload)
                except Exception:  # noqa: BLE001 — one bad handler must not stop the agent
                    log.exception("handler of %s failed", leaf)

    def _on_command(self, payload: bytes, props: Any, direct: bool = False) -> None:
        resp_topic = getattr(props, "ResponseTopic", None)
        corr = getattr(props, "CorrelationData", None)
        if not resp_topic or not resp_topic.startswith(topics.root(self.terminal_id) + f"/{topics.RES}/"):
            log.warning("command without a usable response topic ignored")
            return
        fallback_id = corr.decode("utf-8", "replace")[:64] if isinstance(corr, (bytes, bytearray)) else ""

        def reply(result: topics.CommandResult, after: Callable[[], None] | None = None) -> None:
            if direct and after is None and threading.get_ident() == caller:
                # On the network thread, inside paho's callback: publish now (paho
                # writes it as soon as the callback returns).
                out = Properties(PacketTypes.PUBLISH)
                if corr is not None:
                    out.CorrelationData = corr
                self._client.publish(resp_topic, result.to_bytes(), qos=1, properties=out)
            else:
                self._post(("reply", resp_topic, corr, result, after))

        caller = threading.get_ident()

        try:
            cmd = topics.Command.from_bytes(payload)
        except ValueError as exc:
            reply(topics.CommandResult(id=fallback_id, ok=False, error="bad_request", message=str(exc)[:500]))
            return
        if cmd.expires_at is not None and cmd.expires_at <= self.now():
            reply(topics.CommandResult(id=cmd.id, ok=False, error="expired", message="the command expired before it arrived"))
            return
        handler = commands.HANDLERS.get(cmd.name)
        if handler is None:
            reply(topics.CommandResult(id=cmd.id, ok=False, error="unknown_command", message=f"unknown command {cmd.name!r}"))
            return
        prior = self.state.claim_command(cmd.id, cmd.name, self.now().isoformat())
        if prior is not None:
            # At most once: a repeated id is answered from the journal, never run again.
            if prior:
                reply(topics.CommandResult(**{**prior, "duplicate": True}))
            else:
                reply(topics.CommandResult(id=cmd.id, ok=False, error="duplicate", message="already received", duplicate=True))
            return
        if cmd.name in commands.SLOW:
            self._pool.submit(self._run_command, cmd, handler, reply)
        else:
            self._run_command(cmd, handler, reply)  # quick: no thread hand-over

    def _run_command(self, cmd: topics.Command, handler: Callable[..., commands.Outcome], reply: Callable[..., None]) -> None:
        after = None
        try:
            out = handler(self, cmd.args)
            result = topics.CommandResult(id=cmd.id, ok=True, result=out.result)
            after = out.after
        except commands.CommandError as exc:
            result = topics.CommandResult(id=cmd.id, ok=False, error=exc.code, message=exc.message)
        except Exception as exc:  # noqa: BLE001 — a failing command is an error reply, not a crash
            log.exception("command %s failed", cmd.name)
            result = topics.CommandResult(id=cmd.id, ok=False, error="failed", message=mask_text(f"{type(exc).__name__}: {exc}")[:500])
        stored = result.model_dump(mode="json", exclude_none=True)
        if cmd.name == "screenshot":
            stored["result"] = {"bytes": result.result.get("bytes")}  # the journal keeps no images
        self.state.finish_command(cmd.id, stored)
        log.info("command %s %s: %s", cmd.name, cmd.id, "ok" if result.ok else result.error)
        reply(result, after)

    def _reported(self) -> topics.Reported:
        doc = self.state.get("reported")
        if doc:
            return topics.Reported.model_validate(doc)
        return topics.Reported(version=self.config_version(), state="applied", at=self.now())

    def _publish_reported(self) -> None:
        if self._connected:
            self._publish(topics.REPORTED, self._reported().to_bytes(), retain=True)

    def _maybe_apply_config(self) -> None:
        pending = self.state.get("pending_desired")
        if not pending:
            self._has_pending_config = False
            return
        if not self.is_idle():
            return  # never in the middle of a visit
        with self._cfg_lock:
            version, config = int(pending["version"]), pending["config"]
            installed = False
            try:
                old = self.config_path.read_bytes() if self.config_path.is_file() else None
                # Read back and checked as start-up reads it before it replaces the file;
                # what the app gets is what a restart would get.
                new = install(self.config_path, merged(self._config, config))
                installed = True
                if self.apply_config is not None:
                    self.apply_config(new)
            except Exception as exc:  # noqa: BLE001 — roll back whatever went wrong
                if installed:
                    restore(self.config_path, old)
                rep = topics.Reported(version=self.config_version(), state="rejected", desired_version=version, error=mask_text(str(exc))[:2000], at=self.now())
                log.warning("configuration v%d rolled back: %s", version, exc)
            else:
                self._config = new
                self.state.put("config_version", version)
                rep = topics.Reported(version=version, state="applied", desired_version=version, restart_required=self.apply_config is None, at=self.now())
                log.info("configuration v%d applied", version)
            self.state.put("pending_desired", None)
            self._has_pending_config = False
            self.state.put("reported", rep.model_dump(mode="json", exclude_none=True))
        self._publish_reported()

    def _publish_offline(self) -> mqtt.MQTTMessageInfo:
        """A clean shutdown says "offline" at once (no will delay)."""
        return self._publish(topics.STATUS, topics.Status(state="offline", session=self.session, at=self.now()).to_bytes(), retain=True)

    def _shutdown(self) -> None:
        self._stop.set()
        if self._connected:
            info = self._publish_offline()
            try:
                info.wait_for_publish(2.0)
            except (RuntimeError, ValueError):
                pass
        self._client.disconnect()


class _AskWait:
    """One ask waiting for its answer."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.answer: topics.Answer | None = None


class DisabledAgent:
    """Stands for the agent when no broker is configured: the terminal works alone."""

    def close(self) -> None:
        """Nothing to stop."""


def start_agent(
    terminal: Any,
    settings: FleetSettings | None = None,
    *,
    screenshot: Callable[[], bytes | None] | None = None,
    restart: Callable[[], None] | None = None,
    apply_config: Callable[[KioskConfig], None] | None = None,
    config_path: Path | None = None,
    config_fallback: str | None = None,
    outbox_poll_seconds: float = 1.0,
    loop: Any = None,
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
