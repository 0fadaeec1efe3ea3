"""With one terminal's credentials nobody can knock another client off the broker: a
terminal's client id is its user name, and the centre's workers have client ids (on a
listener of their own) that no terminal can hold. Real Mosquitto on loopback."""

from __future__ import annotations

import threading
import time

import paho.mqtt.client as mqtt

from fleet.mqttlink import make_client
from tests.fleet.conftest import until


class Intruder:
    """A client with a stolen terminal password and a chosen client id that keeps
    reconnecting (as paho does by itself) for as long as it runs."""

    def __init__(self, port: int, user: str, password: str, client_id: str) -> None:
        self.c = make_client(client_id, user, password)
        self.c.reconnect_delay_set(min_delay=1, max_delay=1)
        self.refused = threading.Event()
        self.accepted = 0
        self.c.on_connect = self._on_connect
        self.c.connect_async("127.0.0.1", port)
        self.c.loop_start()

    def _on_connect(self, c: mqtt.Client, u: object, f: object, rc: mqtt.ReasonCode, p: object) -> None:
        if rc.is_failure:
            self.refused.set()
        else:
            self.accepted += 1

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


def _ping_for(fleet, tid: str, seconds: float) -> list[bool]:
    """Ping ``tid`` from the centre every 0.3 s for ``seconds``; each reply's ok."""
    out = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        out.append(fleet.center.command(tid, "ping", timeout=2).ok)
        time.sleep(0.3)
    return out


def test_a_terminal_cannot_take_another_terminals_client_id(fleet):
    fleet.provision("ID-A")
    b = fleet.agent(fleet.terminal("ID-B"))
    until(lambda: b.connected() and fleet.store.terminal("ID-B")["online"])
    session = b.session
    intruder = Intruder(fleet.broker.port, "ID-A", fleet.passwords["ID-A"], client_id="ID-B")
    try:
        until(lambda: intruder.accepted >= 1, 5)  # A's password is good: it gets in, as "ID-A"
        replies = _ping_for(fleet, "ID-B", 3.0)
    finally:
        intruder.close()
    # B was never disconnected (a new connection would have a new session) and every
    # command to it was answered while the intruder kept connecting.
    assert b.session == session and b.connected()
    assert replies and all(replies), replies


def test_a_terminal_cannot_take_the_centres_client_id(fleet):
    fleet.provision("ID-C")
    t = fleet.agent(fleet.terminal("ID-D"))
    until(lambda: t.connected())
    before = fleet.center.connections
    centre_id = f"center.{fleet.center.worker}"  # visible to terminals in every command's response topic
    on_terminals = Intruder(fleet.broker.port, "ID-C", fleet.passwords["ID-C"], client_id=centre_id)
    # The centre's listener does not know terminal users at all.
    on_centres = Intruder(fleet.broker.center_port, "ID-C", fleet.passwords["ID-C"], client_id=centre_id)
    try:
        assert on_centres.refused.wait(5) and on_centres.accepted == 0
        replies = _ping_for(fleet, "ID-D", 3.0)
    finally:
        on_terminals.close()
        on_centres.close()
    assert fleet.center.connections == before and fleet.center.connected.is_set()
    assert replies and all(replies), replies
