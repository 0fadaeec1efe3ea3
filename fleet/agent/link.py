"""The agent's MQTT link: one paho client, its last will, its subscriptions, and the
publishes the agent's worker makes through it.

paho's callbacks (its network thread, or the loop that drives the client) only hand
over: the link turns them into inbox items (``fleet.agent.inbox``) for the worker, except
commands, which go straight to ``on_command`` so a quick one is answered without a
thread hand-over.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from pathlib import Path
from typing import Callable

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

from fleet import topics
from fleet.agent.inbox import Connected, Disconnected, InboxItem, Message
from fleet.agent.state import AgentState
from fleet.mqttlink import make_client, parse_broker_url
from kiosk.config import FleetSettings

log = logging.getLogger(__name__)

SESSION_EXPIRY_S = 7 * 24 * 3600  # queued commands wait a week at most (each has its own expiry too)

# A command request as it arrived: payload, response topic, correlation data.
OnCommand = Callable[[bytes, str | None, bytes | None], None]


def credentials(settings: FleetSettings, terminal_id: str) -> tuple[str, str]:
    """The broker user name and password: from the credentials file if one is set, else
    the settings (the user name defaults to the terminal id)."""
    if settings.credentials_file is not None:
        data = json.loads(Path(settings.credentials_file).read_text(encoding="utf-8"))
        return str(data["username"]), str(data["password"])
    return settings.username or terminal_id, settings.password


class MqttLink:
    """One terminal's connection to the broker. ``post`` hands an item to the agent's
    worker; ``on_command`` takes command requests on the thread that reads them."""

    def __init__(self, terminal_id: str, settings: FleetSettings, state: AgentState, *, post: Callable[[InboxItem], None],
                 on_command: OnCommand) -> None:
        self.terminal_id = terminal_id
        self._settings = settings
        self._state = state
        self._post = post
        self._on_command = on_command
        self._cmd_topic = topics.topic(terminal_id, topics.CMD)
        self._host, self._port, tls = parse_broker_url(settings.broker)
        user, password = credentials(settings, terminal_id)
        self.client = make_client(terminal_id, user, password, tls=tls, ca_file=settings.ca_file)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.stopping = threading.Event()
        self.session = 0  # the sequence number of the connection that is up
        self._next_session = 0

    # ---- lifecycle ------------------------------------------------------------------
    def connect(self, *, own_thread: bool) -> None:
        """Connect in the background; ``own_thread``: paho's own network thread drives
        the client (else an ``AgentLoop`` does)."""
        self._arm_will()
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        # clean_start=False: a quick reconnect resumes the session, so the delayed will
        # is never sent and commands queued meanwhile are delivered.
        self.client.connect_async(self._host, self._port, keepalive=30, clean_start=False, properties=props)
        if own_thread:
            self.client.loop_start()

    def stop_thread(self) -> None:
        """Stop paho's own network thread (own-thread mode)."""
        self.client.loop_stop()

    def shutdown(self, *, connected: bool, at: datetime | None = None) -> None:
        """Say offline (if up) and disconnect cleanly; no reconnect after this."""
        self.stopping.set()
        if connected:
            info = self.publish_offline(at)
            try:
                info.wait_for_publish(2.0)
            except (RuntimeError, ValueError):
                pass
        self.client.disconnect()

    # ---- publishing (the agent's worker only) -------------------------------------------
    def publish(self, leaf: str, payload: bytes, *, qos: int = 1, retain: bool = False) -> mqtt.MQTTMessageInfo:
        """Publish under this terminal's own root."""
        return self.client.publish(topics.topic(self.terminal_id, leaf), payload, qos=qos, retain=retain)

    def publish_reply(self, response_topic: str, correlation: bytes | None, result: topics.CommandResult) -> mqtt.MQTTMessageInfo:
        """A command's result on the response topic its request named."""
        props = Properties(PacketTypes.PUBLISH)
        if correlation is not None:
            props.CorrelationData = correlation
        return self.client.publish(response_topic, result.to_bytes(), qos=1, properties=props)

    def publish_ask(self, request: topics.Ask, timeout: float) -> mqtt.MQTTMessageInfo:
        """A question for the centre; it expires at the broker after ``timeout``."""
        props = Properties(PacketTypes.PUBLISH)
        props.ResponseTopic = topics.topic(self.terminal_id, topics.ANSWER)
        props.CorrelationData = request.id.encode()
        props.MessageExpiryInterval = max(1, int(timeout))
        return self.client.publish(topics.topic(self.terminal_id, topics.ASK), request.to_bytes(), qos=1, properties=props)

    def publish_online(self, at: datetime | None) -> mqtt.MQTTMessageInfo:
        """Presence: online, with this connection's sequence number (retained)."""
        return self.publish(topics.STATUS, topics.Status(state="online", session=self.session, at=at).to_bytes(), retain=True)

    def publish_offline(self, at: datetime | None = None) -> mqtt.MQTTMessageInfo:
        """A clean shutdown says "offline" at once (no will delay)."""
        return self.publish(topics.STATUS, topics.Status(state="offline", session=self.session, at=at).to_bytes(), retain=True)

    # ---- paho callbacks: subscribe and hand over, nothing else ----------------------------
    def _arm_will(self) -> None:
        # Sparkplug-style: the will carries the sequence of the connection it belongs to,
        # so a will that arrives late never overrides a newer "online".
        self._next_session = self._state.next_session()
        props = Properties(PacketTypes.WILLMESSAGE)
        props.WillDelayInterval = self._settings.will_delay_seconds
        will = topics.Status(state="offline", session=self._next_session)
        self.client.will_set(topics.topic(self.terminal_id, topics.STATUS), will.to_bytes(), qos=1, retain=True, properties=props)

    def _on_connect(self, client: mqtt.Client, userdata: object, flags: mqtt.ConnectFlags, reason_code: ReasonCode,
                    properties: Properties | None) -> None:
        if reason_code.is_failure:
            log.warning("centre refused the connection: %s", reason_code)
            return
        self.session = self._next_session
        opts = SubscribeOptions(qos=1)
        # Re-subscribe every time: a lost broker session silently drops subscriptions.
        client.subscribe([(topics.topic(self.terminal_id, leaf), opts) for leaf in topics.TERMINAL_READS])
        self._post(Connected())

    def _on_disconnect(self, client: mqtt.Client, userdata: object, flags: mqtt.DisconnectFlags, reason_code: ReasonCode,
                       properties: Properties | None) -> None:
        self._post(Disconnected())
        if not self.stopping.is_set():
            self._arm_will()  # the next connection gets the next sequence number

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        if msg.topic == self._cmd_topic:
            # Claimed and (when quick) answered right here: two thread hand-overs less
            # per command; slow ones still go to the pool.
            props = msg.properties
            self._on_command(bytes(msg.payload), getattr(props, "ResponseTopic", None), getattr(props, "CorrelationData", None))
            return
        self._post(Message(msg.topic, bytes(msg.payload)))
