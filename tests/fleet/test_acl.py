"""Per-terminal credentials and ACLs, checked through the broker's own refusals
(MQTT v5 reason codes on CONNACK, SUBACK and PUBACK)."""

import threading
import time

import paho.mqtt.client as mqtt
from paho.mqtt.subscribeoptions import SubscribeOptions

from fleet import topics
from fleet.mqttlink import make_client
from tests.fleet.conftest import until


class Probe:
    """A raw MQTT v5 client that records reason codes."""

    def __init__(self, url_port: int, user: str, password: str) -> None:
        self.c = make_client(f"probe-{user}", user, password)
        self.connack = None
        self.suback: dict[int, list] = {}
        self.puback: dict[int, object] = {}
        self.messages: list[str] = []
        self.ev = threading.Event()
        self.c.on_connect = lambda c, u, f, rc, p: (setattr(self, "connack", rc), self.ev.set())
        self.c.on_subscribe = lambda c, u, mid, rcs, p: self.suback.__setitem__(mid, rcs)
        self.c.on_publish = lambda c, u, mid, rc, p: self.puback.__setitem__(mid, rc)
        self.c.on_message = lambda c, u, m: self.messages.append(m.topic)
        self.c.connect("127.0.0.1", url_port)
        self.c.loop_start()
        self.ev.wait(5)

    def subscribe(self, t: str):
        _, mid = self.c.subscribe(t, options=SubscribeOptions(qos=1))
        return until(lambda: self.suback.get(mid))[0]

    def publish(self, t: str):
        mid = self.c.publish(t, b"{}", qos=1).mid
        return until(lambda: self.puback.get(mid))

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


def test_terminal_cannot_touch_another_terminals_topics(fleet):
    fleet.provision("A1")
    fleet.provision("B2")
    p = Probe(fleet.broker.port, "A1", fleet.passwords["A1"])
    try:
        assert not p.connack.is_failure
        # Its own commands, desired configuration and acks: granted.
        for leaf in topics.TERMINAL_READS:
            assert not p.subscribe(topics.topic("A1", leaf)).is_failure
        # Another terminal's: Mosquitto 2.0's ACL file grants every SUBACK and refuses at
        # delivery instead (EMQX refuses on the SUBACK). So check that nothing arrives.
        for leaf in (topics.CMD, topics.DESIRED, topics.TELEMETRY, topics.STATUS, f"{topics.RES}/+"):
            p.subscribe(topics.topic("B2", leaf))
        p.subscribe(f"{topics.PREFIX}/#")
        centre = Probe(fleet.broker.center_port, "center", fleet.center_pw)
        try:
            for leaf in (topics.CMD, topics.DESIRED, topics.ACK, f"{topics.RES}/x"):
                assert not centre.publish(topics.topic("B2", leaf)).is_failure
            assert not centre.publish(topics.topic("A1", topics.CMD)).is_failure
            until(lambda: topics.topic("A1", topics.CMD) in p.messages)  # its own arrives
            time.sleep(0.3)
            assert [m for m in p.messages if "/B2/" in m] == []  # another's never does
        finally:
            centre.close()
        # Writing another terminal's telemetry, or commanding anyone (itself too): refused.
        for t in (topics.topic("B2", topics.TELEMETRY), topics.topic("B2", topics.STATUS), topics.topic("B2", topics.CMD),
                  topics.topic("A1", topics.CMD), topics.topic("A1", topics.DESIRED), topics.topic("B2", topics.ACK)):
            rc = p.publish(t)
            assert rc.is_failure and rc.getName() == "Not authorized", (t, rc)
        # Its own telemetry: accepted.
        assert not p.publish(topics.topic("A1", topics.TELEMETRY)).is_failure
    finally:
        p.close()


def test_bad_password_and_revoked_terminal_are_refused(fleet):
    fleet.provision("C3")
    bad = Probe(fleet.broker.port, "C3", "wrong")
    assert bad.connack is not None and bad.connack.is_failure
    bad.close()
    fleet.store.remove_terminal("C3")
    fleet.broker.reload(fleet.users())
    import time

    time.sleep(0.3)
    gone = Probe(fleet.broker.port, "C3", fleet.passwords["C3"])
    assert gone.connack is not None and gone.connack.is_failure
    gone.close()


def test_new_terminal_connects_without_broker_restart(fleet):
    pid = fleet.broker.proc.pid
    pw = fleet.provision("N4")  # passwd rewritten + SIGHUP
    p = until(lambda: (pr := Probe(fleet.broker.port, "N4", pw)) and not pr.connack.is_failure and pr, timeout=5)
    p.close()
    assert fleet.broker.proc.pid == pid and fleet.broker.proc.poll() is None
