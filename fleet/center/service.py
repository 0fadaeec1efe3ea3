"""The centre's MQTT side: ingest (presence, telemetry, events, reported configuration),
acknowledgements, commands (v5 request/response) and desired configuration.

paho's network thread only parses topics and hands messages to the ingest thread, which
writes each batch in one transaction and then acknowledges the stored events.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from fleet import topics
from fleet.center.lookups import LookupGuard
from fleet.center.store import Store
from fleet.mqttlink import make_client, parse_broker_url
from kiosk.logs import mask_text

log = logging.getLogger(__name__)

_PARSERS: dict[str, Any] = {
    topics.STATUS: topics.Status,
    topics.TELEMETRY: topics.Telemetry,
    topics.EVENTS: topics.EventBatch,
    topics.REPORTED: topics.Reported,
    topics.UPDATE_REPORTED: topics.UpdateReported,
}


class AskError(Exception):
    """Raised by an ask handler to answer with an error ``code`` (and a message for the
    terminal's technician log)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message


AskHandler = Callable[[str, dict[str, Any]], dict[str, Any]]
LeafHandler = Callable[[str, bytes], None]


@dataclass
class _Pending:
    done: threading.Event = field(default_factory=threading.Event)
    result: topics.CommandResult | None = None


class CenterLink:
    """A connection to the broker as the centre: commands and desired configuration.

    ``ingest=True`` also subscribes to the terminals' telemetry and writes it to
    ``store`` (that is the fleet service); the CLI uses a link without ingest.
    """

    def __init__(
        self,
        broker: str,
        password: str,
        store: Store,
        *,
        ingest: bool = False,
        share_group: str | None = None,
        ca_file: Path | None = None,
        on_change: Callable[[set[str]], None] | None = None,
    ) -> None:
        self.store = store
        self.worker = f"w{uuid.uuid4().hex[:10]}"
        self.ingest = ingest
        if share_group is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", share_group):
            raise ValueError(f"not a share group name: {share_group!r} (1-32 of A-Z a-z 0-9 _ -)")
        self.share_group = share_group
        # The group name on the wire is keyed with the centre's password. Mosquitto 2.0's
        # ACL file grants every SUBSCRIBE (it checks only at delivery), and a member of a
        # shared group whose delivery is refused loses that message for the whole group:
        # a terminal that joined the centre's group would swallow its share of everyone's
        # telemetry, events, asks and call signalling. A name only the centre's workers
        # can compute keeps terminals out of the group; a group of their own gets nothing.
        self._group = None if share_group is None else f"{share_group}.{_group_key(password, share_group)}"
        self.connections = 0  # successful connects (a centre knocked off reconnects)
        self._lookup_guard: LookupGuard | None = None
        self.on_change = on_change
        host, port, tls = parse_broker_url(broker)
        self._client = make_client(f"center.{self.worker}", topics.CENTER_USER, password, tls=tls, ca_file=ca_file)
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message
        self._host, self._port = host, port
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()
        self._inbox: queue.Queue[tuple[str, str, bytes] | None] = queue.Queue()
        self._ingest_thread: threading.Thread | None = None
        self.connected = threading.Event()
        # The centre channel: handlers of terminals' asks (run on a pool) and of other
        # terminal → centre leaves such as call signalling (run on one dispatcher thread,
        # in arrival order). Registered before or after start.
        self._answerers: dict[str, AskHandler] = {}
        self._leaf_handlers: dict[str, list[LeafHandler]] = {}
        self._ask_pool: ThreadPoolExecutor | None = None
        self._dispatch: queue.Queue[tuple[str, str, bytes] | None] = queue.Queue()
        self._dispatch_thread: threading.Thread | None = None
        # The command journal is written by its own thread, in order, behind the replies:
        # a technician gets the answer without waiting for two commits (flush_journal).
        self._journal_q: queue.Queue[tuple[Callable[..., None], tuple[Any, ...]] | None] = queue.Queue()
        self._journal_thread: threading.Thread | None = None
        self.ingested = 0  # messages written (for the bench)
        self.ingested_by_leaf: dict[str, int] = {}  # per leaf (how the load splits among workers)
        self._stop = threading.Event()

    def start(self, timeout: float = 30.0) -> "CenterLink":
        """Connect; returns when subscribed (raises on timeout)."""
        if self.ingest:
            self._ingest_thread = threading.Thread(target=self._ingest_loop, name="center-ingest", daemon=True)
            self._ingest_thread.start()
        self._client.connect(self._host, self._port, keepalive=30, clean_start=True)
        self._client.loop_start()
        if not self.connected.wait(timeout):
            raise TimeoutError("the centre could not connect to the broker")
        return self

    def close(self) -> None:
        """Disconnect and stop the threads (the command journal written first)."""
        if self._journal_thread is not None:
            self.flush_journal(10.0)
            self._journal_q.put(None)
            self._journal_thread.join(5)
        self._stop.set()
        self._client.disconnect()
        self._client.loop_stop()
        if self._ingest_thread is not None:
            self._inbox.put(None)
            self._ingest_thread.join(5)
        if self._dispatch_thread is not None:
            self._dispatch.put(None)
            self._dispatch_thread.join(5)
        if self._ask_pool is not None:
            self._ask_pool.shutdown(wait=False, cancel_futures=True)

    @property
    def lookup_guard(self) -> LookupGuard:
        """This worker's ``fleet.center.lookups.LookupGuard`` (made on first use): the rate
        limits and audit shared by every handler that looks up people's records."""
        with self._lock:
            if self._lookup_guard is None:
                self._lookup_guard = LookupGuard(self.store.engine)
            return self._lookup_guard

    # ---- the centre channel --------------------------------------------------------
    def answer(self, name: str, fn: AskHandler) -> None:
        """Answer terminals' asks named ``name`` with ``fn(terminal_id, args) -> result``
        (on a worker pool; raise ``AskError`` for an error answer)."""
        with self._lock:
            first = not self._answerers
            self._answerers[name] = fn
            if self._ask_pool is None:
                self._ask_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="center-ask")
        if first and self.connected.is_set():
            self._client.subscribe([self._subscription(topics.ASK)])

    def on_message(self, leaf: str, fn: LeafHandler) -> None:
        """Call ``fn(terminal_id, payload)`` for each message terminals publish on
        ``leaf`` (one dispatcher thread, in arrival order)."""
        if leaf not in topics.TERMINAL_WRITES or leaf in (topics.STATUS, topics.TELEMETRY, topics.EVENTS, topics.REPORTED, topics.ASK):
            raise ValueError(f"{leaf!r} is not a leaf a handler may take")
        with self._lock:
            first = leaf not in self._leaf_handlers
            self._leaf_handlers.setdefault(leaf, []).append(fn)
            if self._dispatch_thread is None:
                self._dispatch_thread = threading.Thread(target=self._dispatch_loop, name="center-dispatch", daemon=True)
                self._dispatch_thread.start()
        if first and self.connected.is_set():
            self._client.subscribe([self._subscription(leaf)])

    def send(self, terminal_id: str, leaf: str, payload: bytes, retain: bool = False) -> None:
        """Publish ``payload`` (QoS 1) to one terminal's ``leaf`` (any thread)."""
        if leaf not in topics.TERMINAL_READS:
            raise ValueError(f"terminals do not read {leaf!r}")
        self._client.publish(topics.topic(terminal_id, leaf), payload, qos=1, retain=retain)

    def _subscription(self, leaf: str) -> tuple[str, SubscribeOptions]:
        t = topics.any_terminal(leaf)
        # With several workers, each ask or signalling message goes to one of them.
        return (topics.shared(self._group, t) if self._group else t, SubscribeOptions(qos=1))

    def _dispatch_loop(self) -> None:
        while True:
            item = self._dispatch.get()
            if item is None:
                return
            tid, leaf, payload = item
            for fn in list(self._leaf_handlers.get(leaf, ())):
                try:
                    fn(tid, payload)
                except Exception:  # noqa: BLE001 — one bad message must not stop the others
                    log.exception("handler of %s from %s failed", leaf, tid)

    def _answer_ask(self, tid: str, payload: bytes, props: Any) -> None:
        corr = getattr(props, "CorrelationData", None)
        fallback_id = corr.decode("utf-8", "replace")[:64] if isinstance(corr, (bytes, bytearray)) else ""
        try:
            request = topics.Ask.from_bytes(payload)
        except ValueError as exc:
            answer = topics.Answer(id=fallback_id, ok=False, error="bad_request", message=str(exc)[:300])
        else:
            answer = self._run_ask(tid, request)
        out = Properties(PacketTypes.PUBLISH)
        if corr is not None:
            out.CorrelationData = corr
        # Always the asking terminal's own answer topic, whatever response topic the
        # request named: a terminal cannot make the centre write to another terminal.
        self._client.publish(topics.topic(tid, topics.ANSWER), answer.to_bytes(), qos=1, properties=out)

    def _run_ask(self, tid: str, request: topics.Ask) -> topics.Answer:
        if request.expires_at is not None and request.expires_at <= datetime.now(timezone.utc):
            return topics.Answer(id=request.id, ok=False, error="expired", message="the request expired before it arrived")
        fn = self._answerers.get(request.name)
        if fn is None:
            return topics.Answer(id=request.id, ok=False, error="unknown", message=f"unknown request {request.name!r}")
        try:
            return topics.Answer(id=request.id, ok=True, result=fn(tid, request.args))
        except AskError as exc:
            return topics.Answer(id=request.id, ok=False, error=exc.code, message=exc.message)
        except Exception as exc:  # noqa: BLE001 — a failing handler is an error answer
            log.exception("ask %s from %s failed", request.name, tid)
            return topics.Answer(id=request.id, ok=False, error="failed", message=type(exc).__name__)

    # ---- network thread ------------------------------------------------------------
    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        if reason_code.is_failure:
            log.error("broker refused the centre: %s", reason_code)
            return
        subs = [(f"{topics.PREFIX}/+/{topics.RES}/{self.worker}", SubscribeOptions(qos=1))]
        if self.ingest:
            for leaf in (topics.STATUS, topics.TELEMETRY, topics.EVENTS, topics.REPORTED, topics.UPDATE_REPORTED):
                t = topics.any_terminal(leaf)
                # The bulk (telemetry, events) is split among the workers of the group.
                # Presence and reported configuration are few and retained, and a shared
                # subscription gets no retained messages (MQTT v5): every worker takes
                # them whole, so each one starts with the fleet's presence and no single
                # worker is needed for it. Applying them twice is harmless (the session
                # number orders presence; reported is overwritten with the same document).
                shared_leaf = self._group and leaf in (topics.TELEMETRY, topics.EVENTS)
                subs.append((topics.shared(self._group, t) if shared_leaf and self._group else t, SubscribeOptions(qos=1)))
        # Re-subscribe the centre channel on every connect (a lost session drops them).
        with self._lock:
            leaves = ([topics.ASK] if self._answerers else []) + list(self._leaf_handlers)
        subs.extend(self._subscription(leaf) for leaf in leaves)
        client.subscribe(subs)
        self.connections += 1
        self.connected.set()

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        parsed = topics.parse(msg.topic)
        if parsed is None:
            return
        tid, leaf = parsed
        payload = bytes(msg.payload)  # paho may hand a bytearray; the queues carry bytes
        if leaf.startswith(topics.RES + "/"):
            self._on_response(payload, msg.properties)
        elif leaf == topics.ASK:
            if self._ask_pool is not None:
                self._ask_pool.submit(self._answer_ask, tid, payload, msg.properties)
        else:
            handled = leaf in self._leaf_handlers
            if handled:
                self._dispatch.put((tid, leaf, payload))
            # A leaf both stored and handled (a release's reports: the dashboard's record
            # and a running rollout's wait) goes both ways.
            if self.ingest and (not handled or leaf in _PARSERS):
                self._inbox.put((tid, leaf, payload))

    def _on_response(self, payload: bytes, props: Any) -> None:
        corr = getattr(props, "CorrelationData", None)
        cmd_id = corr.decode("utf-8", "replace") if isinstance(corr, (bytes, bytearray)) else None
        try:
            res = topics.CommandResult.from_bytes(payload)
        except ValueError:
            return
        with self._lock:
            p = self._pending.get(cmd_id or res.id)
        if p is not None and p.result is None:
            p.result = res
            p.done.set()

    # ---- ingest thread -------------------------------------------------------------
    def _ingest_loop(self) -> None:
        while not self._stop.is_set():
            item = self._inbox.get()
            if item is None:
                return
            raw = [item]
            while len(raw) < 2000:
                try:
                    nxt = self._inbox.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._stop.set()
                    break
                raw.append(nxt)
            batch = []
            for tid, leaf, payload in raw:
                model = _PARSERS.get(leaf)
                if model is None:
                    continue
                try:
                    batch.append((tid, leaf, model.from_bytes(payload)))
                except ValueError:
                    log.warning("malformed %s from %s ignored", leaf, tid)
            try:
                acks, changed = self.store.ingest(batch)
            except Exception:  # noqa: BLE001 — a database hiccup must not kill ingest
                log.exception("ingest failed; the terminals will send their events again")
                continue
            self.ingested += len(raw)
            for _, leaf, _ in raw:
                self.ingested_by_leaf[leaf] = self.ingested_by_leaf.get(leaf, 0) + 1
            # Acknowledge only what is committed: then the terminal may forget it.
            for tid, ids in acks.items():
                self._client.publish(topics.topic(tid, topics.ACK), topics.Ack(event_ids=ids).to_bytes(), qos=1)
            if changed and self.on_change is not None:
                self.on_change(changed)

    # ---- the command journal ----------------------------------------------------------
    def _journal(self, fn: Callable[..., None], *args: Any) -> None:
        with self._lock:
            if self._journal_thread is None:
                self._journal_thread = threading.Thread(target=self._journal_loop, name="center-journal", daemon=True)
                self._journal_thread.start()
        self._journal_q.put((fn, args))

    def _journal_loop(self) -> None:
        while True:
            item = self._journal_q.get()
            try:
                if item is None:
                    return
                fn, args = item
                fn(*args)
            except Exception:  # noqa: BLE001 — a failed history write must not stop commands
                log.exception("command journal: write failed")
            finally:
                self._journal_q.task_done()

    def flush_journal(self, timeout: float = 5.0) -> bool:
        """Wait until every command so far is in the store's journal (the dashboard
        before it redraws a terminal's history; ``close``)."""
        return wait_for(lambda: self._journal_q.unfinished_tasks == 0, timeout, interval=0.002)

    # ---- commands and configuration (any thread but paho's) ----------------------------
    def command(self, terminal_id: str, name: str, args: dict[str, Any] | None = None, timeout: float = 10.0, cmd_id: str | None = None, journal: bool = True) -> topics.CommandResult:
        """Send a command and wait for its reply; a time-out gives ``error="timeout"``.

        The request expires at the broker after ``timeout`` (MQTT v5 message expiry) and
        carries ``expires_at``, so a terminal that comes back later never runs it.
        ``journal=False`` skips the store (the bench measures the MQTT path). The
        journal is written in order by its own thread, behind the reply: call
        ``flush_journal`` before reading the history.
        """
        cmd_id = cmd_id or uuid.uuid4().hex
        args = args or {}
        expires = datetime.now(timezone.utc) + timedelta(seconds=timeout)
        cmd = topics.Command(id=cmd_id, name=name, args=args, expires_at=expires)
        pending = _Pending()
        with self._lock:
            self._pending[cmd_id] = pending
        props = Properties(PacketTypes.PUBLISH)
        props.ResponseTopic = topics.response_topic(terminal_id, self.worker)
        props.CorrelationData = cmd_id.encode()
        props.MessageExpiryInterval = max(1, int(timeout))
        sent_at = datetime.now(timezone.utc)
        try:
            self._client.publish(topics.topic(terminal_id, topics.CMD), cmd.to_bytes(), qos=1, properties=props)
            # A quick command is answered within a few milliseconds: its journal entry is
            # written whole afterwards, so that no store work competes with its round
            # trip. A slow one shows in the history as running after a quarter second.
            got = pending.done.wait(min(timeout, 0.25))
            if journal:
                self._journal(self.store.command_sent, cmd_id, terminal_id, name, args, sent_at)
            if not got:
                got = pending.done.wait(max(0.0, timeout - (datetime.now(timezone.utc) - sent_at).total_seconds()))
        finally:
            with self._lock:
                self._pending.pop(cmd_id, None)
        res = pending.result if got and pending.result else topics.CommandResult(id=cmd_id, ok=False, error="timeout", message=f"no reply within {timeout:g} s")
        res = _masked(name, res)
        if journal:
            self._journal(self.store.command_finished, cmd_id, res.ok if res.error != "timeout" else None, res.error, res.result)
        return res

    def push_desired(self, terminal_id: str, config: dict[str, Any]) -> int:
        """Store and publish (retained) a new desired configuration; returns its version."""
        # A TOML file (`config push FILE`) may hold times (`open = 08:30:00`) that JSON
        # cannot: carried as ISO text, the same in the store and on the wire.
        config = json.loads(topics.Desired(version=1, config=config).model_dump_json())["config"]
        version = self.store.set_desired(terminal_id, config)
        doc = topics.Desired(version=version, config=config)
        self._client.publish(topics.topic(terminal_id, topics.DESIRED), doc.to_bytes(), qos=1, retain=True).wait_for_publish(10)
        return version

    def clear_retained(self, terminal_id: str) -> None:
        """Remove a terminal's retained documents (after ``terminals remove``)."""
        for leaf in (topics.STATUS, topics.DESIRED, topics.REPORTED):
            self._client.publish(topics.topic(terminal_id, leaf), b"", qos=1, retain=True)


def _group_key(password: str, group: str) -> str:
    """16 hex digits that only holders of the centre's password can compute for ``group``."""
    return hmac.new(password.encode(), f"share-group:{group}".encode(), hashlib.sha256).hexdigest()[:16]


def _masked(name: str, res: topics.CommandResult) -> topics.CommandResult:
    # Masked again at the centre, before anyone sees or stores it: a terminal's
    # credentials may be in an attacker's hands, and an old agent masked less.
    update: dict[str, Any] = {}
    if res.message:
        update["message"] = mask_text(res.message)
    lines = res.result.get("lines") if name == "get_logs" else None
    if isinstance(lines, list):
        update["result"] = {**res.result, "lines": [mask_text(str(line)) for line in lines]}
    return res.model_copy(update=update) if update else res


def wait_for(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Poll ``predicate`` until true or ``timeout`` (tests, rollout, CLI)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


__all__ = ["AskError", "CenterLink", "wait_for", "json"]
