"""A terminal cannot join the centre workers' shared subscription and swallow its share
of other terminals' messages.

Mosquitto 2.0.11's ACL file grants every SUBSCRIBE, ``$share/…`` included (it checks
only at delivery: src/security_default.c returns success for subscribe checks), and a
group member whose delivery is refused takes its turn all the same, so the message is
lost for the whole group. The centre's group name on the wire is therefore keyed with
the centre's password: a terminal cannot name it, and a group of its own receives
nothing. Real Mosquitto on loopback, two real centre links sharing."""

from __future__ import annotations

from datetime import datetime, timezone

from paho.mqtt.subscribeoptions import SubscribeOptions

from fleet import topics
from fleet.center.service import CenterLink
from fleet.mqttlink import make_client
from tests.fleet.conftest import until


def test_a_terminal_in_share_groups_gets_nothing_and_the_workers_get_everything(fleet):
    workers = [CenterLink(fleet.broker.center_url, fleet.center_pw, fleet.store, ingest=True, share_group="g").start()
               for _ in range(2)]
    fleet.provision("SH-THIEF")
    fleet.provision("SH-SRC")
    got: list[str] = []
    subacks: list[object] = []
    thief = make_client("SH-THIEF", "SH-THIEF", fleet.passwords["SH-THIEF"])
    thief.on_message = lambda c, u, m: got.append(m.topic)
    thief.on_subscribe = lambda c, u, mid, rcs, p: subacks.extend(rcs)
    src = make_client("SH-SRC", "SH-SRC", fleet.passwords["SH-SRC"])
    try:
        thief.connect("127.0.0.1", fleet.broker.port)
        thief.loop_start()
        # The names a terminal can know or guess: the operator's `--share g`, and others.
        subs = [topics.shared(group, topics.any_terminal(leaf))
                for group in ("g", "center", "workers") for leaf in (topics.TELEMETRY, topics.EVENTS, topics.ASK, topics.CALL_OUT)]
        thief.subscribe([(s, SubscribeOptions(qos=1)) for s in subs])
        until(lambda: len(subacks) == len(subs), 5)
        src.connect("127.0.0.1", fleet.broker.port)
        src.loop_start()
        sample = topics.Telemetry(at=datetime.now(timezone.utc), session=1).to_bytes()
        n = 60
        for _ in range(n):
            src.publish(topics.topic("SH-SRC", topics.TELEMETRY), sample, qos=1).wait_for_publish(5)
        # Every message reached the centre's group (split between its two workers).
        until(lambda: sum(w.ingested_by_leaf.get(topics.TELEMETRY, 0) for w in workers) == n, 10)
        assert all(w.ingested_by_leaf.get(topics.TELEMETRY, 0) > 0 for w in workers)
        assert got == []  # and nothing to the terminal
    finally:
        for c in (thief, src):
            c.disconnect()
            c.loop_stop()
        for w in workers:
            w.close()
