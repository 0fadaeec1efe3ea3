"""Outbox events: delivered once per id, nothing lost when the broker dies mid-stream,
nothing lost after days offline."""

import threading
import time

from fleet.center.tables import events
from sqlalchemy import func, select
from tests.fleet.conftest import until


def _take(t, n):
    for _ in range(n):
        t.queue.take("consultation")


def test_broker_killed_and_restarted_mid_stream(fleet):
    t = fleet.terminal("E1")
    fleet.agent(t)
    until(lambda: fleet.store.terminal("E1")["online"])
    stop = threading.Event()
    made = []

    def produce():
        while not stop.is_set():
            t.queue.take("consultation")
            made.append(1)
            time.sleep(0.01)

    p = threading.Thread(target=produce)
    p.start()
    time.sleep(1.0)
    fleet.broker.kill()  # SIGKILL: in-flight messages and acks are lost
    time.sleep(1.0)
    fleet.broker.start(fleet.users())
    time.sleep(1.0)
    stop.set()
    p.join()
    n = len(made)
    assert n > 50
    until(lambda: fleet.store.event_count("E1", "ticket_issued") == n, timeout=30)
    until(lambda: t.outbox.count_pending() == 0, timeout=10)
    with fleet.store.engine.connect() as c:
        assert c.execute(select(func.count(events.c.event_id.distinct()))).scalar_one() == c.execute(select(func.count()).select_from(events)).scalar_one()
    time.sleep(1)
    assert fleet.store.event_count("E1", "ticket_issued") == n


def test_offline_terminal_loses_nothing(fleet):
    t = fleet.terminal("E2")
    _take(t, 30)  # made while no centre was reachable
    assert t.outbox.count_pending() == 30
    fleet.agent(t)
    until(lambda: fleet.store.event_count("E2") == 30)
    until(lambda: t.outbox.count_pending() == 0)


def test_duplicate_delivery_is_counted_once(fleet):
    from fleet import topics
    from datetime import datetime, timezone

    fleet.provision("E3")
    e = topics.Event(event_id="abc", kind="ticket_issued", payload={"service": "consultation"}, created_at=datetime.now(timezone.utc))
    for _ in range(3):
        acks, _ = fleet.store.ingest([("E3", "events", topics.EventBatch(events=[e]))])
        assert acks == {"E3": ["abc"]}
    assert fleet.store.event_count("E3") == 1


def test_device_fault_and_recovery_are_events_once(fleet):
    from kiosk.ports import DeviceKind, PrinterStatus

    from fleet.agent import agent as agent_mod

    watch_s, agent_mod.DEVICE_WATCH_S = agent_mod.DEVICE_WATCH_S, 0.2
    t = fleet.terminal("E4", devices=True)
    fleet.agent(t)
    until(lambda: fleet.store.terminal("E4")["online"])
    printer = t.devices[DeviceKind.PRINTER]
    printer.set_sim_status(PrinterStatus.PAPER_OUT)
    until(lambda: printer.status() and printer.health().state.value == "fault")
    until(lambda: fleet.store.event_count("E4", "device_fault") == 1)
    printer.set_sim_status(PrinterStatus.READY)
    until(lambda: printer.status() and printer.health().state.value == "ready", timeout=15)  # telemetry polls it too
    until(lambda: fleet.store.event_count("E4", "device_recovered") == 1)
    import time

    time.sleep(1)
    assert fleet.store.event_count("E4", "device_fault") == 1 and fleet.store.event_count("E4", "device_recovered") == 1
    agent_mod.DEVICE_WATCH_S = watch_s


def test_presence_of_an_unknown_terminal_loses_nothing_else_of_its_batch(tmp_path):
    # A terminal removed while still connected can still publish: what it sends is
    # dropped, and the batch it arrives in carries other terminals' events, which
    # must still be stored and acknowledged.
    from datetime import datetime, timezone

    from fleet import topics
    from fleet.center.store import Store

    store = Store(f"sqlite:///{tmp_path / 'center.sqlite3'}")
    try:
        store.add_terminal("E4", "站", "x")
        e = topics.Event(event_id="e4-1", kind="ticket_issued", payload={"service": "consultation"}, created_at=datetime.now(timezone.utc))
        acks, _ = store.ingest([("GONE1", topics.STATUS, topics.Status(state="online", session=0)),
                                ("E4", topics.EVENTS, topics.EventBatch(events=[e]))])
        assert acks == {"E4": ["e4-1"]}
        assert store.event_count("E4") == 1
        assert store.terminal("GONE1") is None
    finally:
        store.close()
