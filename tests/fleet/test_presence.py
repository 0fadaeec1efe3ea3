"""Presence: retained online/offline, a delayed last will, no false offline on a quick
reconnect, and a late will never marking a live terminal offline."""

import socket
import threading
import time
from datetime import datetime, timezone

from fleet import topics
from tests.fleet.conftest import until


def _drop_link(agent) -> None:
    """Break the TCP connection without an MQTT DISCONNECT (a network failure)."""
    agent.client.socket().shutdown(socket.SHUT_RDWR)


def test_quick_reconnect_shows_no_false_offline(fleet):
    a = fleet.agent(fleet.terminal("Q1"))
    until(lambda: fleet.store.terminal("Q1")["online"])
    first = fleet.store.terminal("Q1")["session"]
    seen_offline = threading.Event()
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if not fleet.store.terminal("Q1")["online"]:
                seen_offline.set()
            time.sleep(0.02)

    w = threading.Thread(target=watch)
    w.start()
    _drop_link(a)
    # Longer than the will delay (5 s): the will would have fired had the session ended.
    until(lambda: fleet.store.terminal("Q1")["session"] > first, timeout=10)
    time.sleep(6)
    stop.set()
    w.join()
    assert not seen_offline.is_set()
    assert fleet.store.terminal("Q1")["online"]


def test_last_will_marks_offline_after_the_delay(fleet):
    a = fleet.agent(fleet.terminal("W1"))
    until(lambda: fleet.store.terminal("W1")["online"])
    a.client.loop_stop()  # the terminal dies: no reconnect
    t0 = time.monotonic()
    _drop_link(a)
    until(lambda: not fleet.store.terminal("W1")["online"], timeout=15)
    assert time.monotonic() - t0 >= 4.0  # the will waited for its delay


def test_late_will_never_overrides_newer_online(fleet):
    fleet.provision("L1")
    now = datetime.now(timezone.utc)
    fleet.store.ingest([("L1", "status", topics.Status(state="online", session=7, at=now))])
    fleet.store.ingest([("L1", "status", topics.Status(state="offline", session=6))])  # the old connection's will
    assert fleet.store.terminal("L1")["online"] and fleet.store.terminal("L1")["session"] == 7
    fleet.store.ingest([("L1", "status", topics.Status(state="offline", session=7))])
    assert not fleet.store.terminal("L1")["online"]


def test_graceful_close_is_offline_at_once(fleet):
    a = fleet.agent(fleet.terminal("G1"))
    until(lambda: fleet.store.terminal("G1")["online"])
    a.close()
    until(lambda: not fleet.store.terminal("G1")["online"], timeout=3)


def test_telemetry_of_a_newer_session_shows_online_when_the_status_was_lost(fleet):
    """A burst of reconnects can overflow the centre's queue at the broker and drop a
    terminal's one "online" status; its telemetry, sent only while connected, still
    proves it online — but never against its own session's last will."""
    fleet.provision("T1")
    now = datetime.now(timezone.utc)
    fleet.store.ingest([("T1", "status", topics.Status(state="offline", session=3))])
    assert not fleet.store.terminal("T1")["online"]
    fleet.store.ingest([("T1", "telemetry", topics.Telemetry(at=now, session=4))])  # session 4's status was lost
    row = fleet.store.terminal("T1")
    assert row["online"] and row["session"] == 4
    fleet.store.ingest([("T1", "status", topics.Status(state="offline", session=4))])  # its will
    fleet.store.ingest([("T1", "telemetry", topics.Telemetry(at=now, session=4))])  # queued before the will
    assert not fleet.store.terminal("T1")["online"]
    fleet.store.ingest([("T1", "telemetry", topics.Telemetry(at=now, session=2))])  # a stale one
    assert not fleet.store.terminal("T1")["online"]
