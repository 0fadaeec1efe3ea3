"""After a broker restart the terminals come back spread out, not all in the same
instant (a fleet of thousands retrying in lockstep is a second storm)."""

from __future__ import annotations

import threading
import time

from fleet.broker import hash_password, new_password
from fleet.mqttlink import make_client
from tests.fleet.conftest import until


def test_clients_reconnect_spread_over_time_after_a_broker_restart(fleet):
    pw = new_password()
    # One user each: the terminals' listener makes the user name the client id.
    users = {**fleet.users(), **{f"probe-{i}": hash_password(pw) for i in range(24)}}
    fleet.broker.reload(users)
    time.sleep(0.3)
    connects: dict[int, list[float]] = {}
    lock = threading.Lock()
    clients = []
    for i in range(24):
        c = make_client(f"probe-{i}", f"probe-{i}", pw)

        def on_connect(client, userdata, flags, rc, props, i=i):  # noqa: ANN001
            with lock:
                connects.setdefault(i, []).append(time.monotonic())

        c.on_connect = on_connect
        c.connect_async("127.0.0.1", fleet.broker.port)
        c.loop_start()  # paho's own thread and back-off, as a kiosk's agent runs it
        clients.append(c)
    try:
        until(lambda: len(connects) == 24)
        fleet.broker.kill()
        time.sleep(0.2)
        fleet.broker.start(users)
        back = time.monotonic()
        until(lambda: all(len(v) == 2 for v in connects.values()), timeout=30)
        again = sorted(v[1] - back for v in connects.values())
        # Back within the back-off's first steps, but not in one instant: the middle
        # half of the fleet spans at least a quarter of a second.
        assert again[-1] < 10
        assert again[18] - again[6] > 0.25, again
    finally:
        for c in clients:
            c.disconnect()
            c.loop_stop()
