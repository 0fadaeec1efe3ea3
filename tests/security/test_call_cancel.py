"""Only the terminal that placed a video call can cancel or hang it up: real Mosquitto
(each terminal with its own credentials, so the terminal id is the one its topic and
the broker's ACL give it), the centre's desk over a real WebSocket, a real SQLite store."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import aiohttp
from paho.mqtt.subscribeoptions import SubscribeOptions

from fleet import topics
from fleet.center import auth
from fleet.desk.store import DeskStore
from fleet.mqttlink import make_client
from tests.fleet.conftest import until as wait_until
from tests.security.raw_http import Centre
from tests.video.support import until

A_CALL = "call-A-00000001"
B_CALL = "call-B-00000001"


class Terminal:
    """A terminal's raw MQTT v5 connection: sends on its own ``call/out``, records
    what arrives on its own ``call/in``."""

    def __init__(self, fleet: Any, tid: str) -> None:
        fleet.provision(tid)
        self.tid = tid
        self.got: list[dict[str, Any]] = []
        self.ready = threading.Event()
        self.c = make_client(f"probe-{tid}", tid, fleet.passwords[tid])
        self.c.on_connect = lambda c, u, f, rc, p: c.subscribe(topics.topic(tid, topics.CALL_IN), options=SubscribeOptions(qos=1))
        self.c.on_subscribe = lambda c, u, mid, rcs, p: self.ready.set()
        self.c.on_message = lambda c, u, m: self.got.append(json.loads(m.payload))
        self.c.connect("127.0.0.1", fleet.broker.port)
        self.c.loop_start()
        assert self.ready.wait(10), f"{tid} did not connect"

    def send(self, **fields: Any) -> None:
        """One signalling message on this terminal's own topic."""
        self.c.publish(topics.topic(self.tid, topics.CALL_OUT), topics.CallSignal(**fields).to_bytes(), qos=1).wait_for_publish(5)

    def close(self) -> None:
        """Disconnect."""
        self.c.disconnect()
        self.c.loop_stop()


def test_a_terminal_cannot_end_another_terminals_call(fleet, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    centre = Centre(fleet, tmp_path / "centre")
    a, b = Terminal(fleet, "TA01"), Terminal(fleet, "TB02")
    store = DeskStore(fleet.store)
    cookie = centre.cookie("wang", "lawyer")

    async def scenario() -> list[dict[str, Any]]:
        seen: list[dict[str, Any]] = []
        async with aiohttp.ClientSession() as s, s.ws_connect(f"http://127.0.0.1:{centre.port}/desk/ws",
                                                              headers={"Cookie": f"{auth.COOKIE}={cookie}"}) as ws:
            async def read() -> None:
                async for msg in ws:
                    seen.append(json.loads(msg.data))

            reader = asyncio.ensure_future(read())

            def line() -> list[str] | None:
                queues = [m for m in seen if m["type"] == "queue"]
                return [c["call_id"] for c in queues[-1]["calls"]] if queues else None

            await ws.send_str(json.dumps({"type": "duty", "on": True}))
            await until(lambda: any(m["type"] == "queue" and m["on_duty"] == 1 for m in seen), what="on duty")
            a.send(type="request", call_id=A_CALL, sdp="v=0 (offer of TA01)", service="video", record=False)
            await until(lambda: line() == [A_CALL], what="A's call waiting")

            # B names A's call in a cancel on its own topic, then places its own call:
            # by the time B's call is in the line, B's cancel has been handled.
            b.send(type="cancel", call_id=A_CALL)
            b.send(type="request", call_id=B_CALL, sdp="v=0 (offer of TB02)", service="video", record=False)
            await until(lambda: B_CALL in (line() or []), what="B's call waiting")
            assert line() == [A_CALL, B_CALL]  # A's call stays in the line, first
            assert store.call(A_CALL)["ended_at"] is None
            await until(lambda: [m.get("position") for m in a.got if m["type"] == "queued"][-1:] == [1], what="A still told its place")

            # In progress: B's hang-up for A's call does not end it either.
            await ws.send_str(json.dumps({"type": "answer"}))
            await until(lambda: any(m["type"] == "offer" for m in seen), what="the offer of A's call")
            assert [m for m in seen if m["type"] == "offer"][-1]["call"]["terminal_id"] == "TA01"
            b.send(type="hangup", call_id=A_CALL)
            b.send(type="cancel", call_id=B_CALL)  # B's own: allowed, and shows B's messages were handled
            await until(lambda: line() == [], what="B's own call cancelled")
            assert not any(m["type"] == "ended" for m in seen) and store.call(A_CALL)["ended_at"] is None
            await until(lambda: store.call(B_CALL)["end_reason"] == "terminal_cancelled", what="B's call recorded as cancelled")

            # A itself can hang up.
            a.send(type="hangup", call_id=A_CALL)
            await until(lambda: any(m["type"] == "ended" and m["call_id"] == A_CALL for m in seen), what="A's hang-up")
            reader.cancel()
        return seen

    try:
        asyncio.run(scenario())
        wait_until(lambda: store.call(A_CALL)["end_reason"] == "terminal_hung_up")
    finally:
        a.close()
        b.close()
        centre.close()
