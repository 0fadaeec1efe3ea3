"""A party called by their ticket (the real terminal with simulated devices, its agent
on a real Mosquitto, the centre's web app and Janus; no Kivy): the mediator's desk
calls C012 for the party at the terminal; the terminal checks it against its own
queue, holds it while another visitor is in the middle of a visit, then records the
call like a window's, says it twice and offers that session's invitation; the person
takes it and joins, and the ticket is finished. Bad numbers, a phone party, a ticket of
another terminal or service are refused with the reason on the desk; a party who does
not come is shown 未到 and can be called again."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from pathlib import Path
from typing import Any, Callable

from concurrent.futures import ThreadPoolExecutor

import aiohttp

from kiosk import events as ev
from kiosk.mediation.events import MediationConsented, MediationInvitations, MediationOpened
from kiosk.mediation.states import MediationState as M
from kiosk.ports import DeviceKind
from kiosk.states import VisitState
from kiosk.store import DB_FILENAME
from kiosk.tickets import TicketState
from fleet.mediation import JanusServer
from tests.mediation.centre import add_mediator, centre, signed_in
from tests.mediation.test_terminal_party import card, joined_terminal, pump

CALL_SAID = "请C零一二号到自助终端参加远程调解"


def take_until(t: Any, service: str, number: str) -> None:
    """Tickets of ``service`` on terminal ``t``'s queue until ``number`` is issued."""
    q = t.open_queue()
    while q.take(service).number != number:
        pass


def ticket(t: Any, number: str) -> Any:
    return t.open_queue().find(number)


def state_of(flow: Any) -> Any:
    """Where the visit is now (read afresh: the bridge moves it meanwhile)."""
    return flow.state


def said(t: Any) -> list[str]:
    return list(t.devices[DeviceKind.SPEAKER].spoken())


def handle_until(flow: Any, pred: Callable[[], bool], timeout: float = 20.0) -> None:
    """Hand the centre's answers to the flow, as the UI bridge does, until ``pred``."""
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, "the terminal never got there"
        try:
            flow.handle(flow.inbox.take(0.2))
        except TimeoutError:
            pass


async def desk_until(ws: aiohttp.ClientWebSocketResponse, pred: Callable[[dict[str, Any]], bool],
                     timeout: float = 20.0) -> dict[str, Any]:
    """The desk's socket until a message satisfying ``pred``."""
    deadline = time.monotonic() + timeout
    while True:
        m = await asyncio.wait_for(ws.receive_json(), max(0.1, deadline - time.monotonic()))
        if pred(m):
            return m


def call_of(m: dict[str, Any], label: str = "party-a") -> dict[str, Any] | None:
    if m.get("type") != "state":
        return None
    return next(p for p in m["parties"] if p["label"] == label)["call"]


def test_a_party_called_by_ticket(fleet: Any, janus: JanusServer, tmp_path: Path) -> None:
    add_mediator(fleet)
    fleet.provision("CALT", site="李家村公共法律服务工作室")
    fleet.provision("CALX", site="王家湾工作室")
    t = joined_terminal(fleet, "CALT")
    other = joined_terminal(fleet, "CALX")
    take_until(t, "mediation", "C012")
    take_until(t, "consultation", "A001")
    take_until(other, "mediation", "C013")  # C013 exists at the other village only
    flow, feature = t.flow, t.flow.features.get("mediation")
    out: dict[str, Any] = {}

    # Every step of a terminal's visit on one thread, as the app's UI thread is: the
    # test's own steps and the answers its timer brings, handed over as they come.
    visit_thread = ThreadPoolExecutor(max_workers=1)

    def drain() -> None:
        for f in (flow, other.flow):
            while (e := f.inbox.pop()) is not None:
                f.handle(e)

    async def scenario() -> None:
        loop = asyncio.get_running_loop()

        def off(fn: Any, *a: Any) -> Any:
            return loop.run_in_executor(visit_thread, fn, *a)

        async def bridge() -> None:
            while True:
                await off(drain)
                await asyncio.sleep(0.1)

        bridging = asyncio.ensure_future(bridge())

        async with centre(fleet, tmp_path / "centre", janus) as (base, desk), signed_in(base) as http:
            desk.call_wait_s = 2.0
            async with http.post("/mediation/api/sessions", json={"matter": "宅基地边界纠纷", "parties": [
                    {"name": "张三丰", "joins": "terminal", "terminal_id": "CALT"}, {"name": "李四", "joins": "phone"}]}) as r:
                assert r.status == 200, await r.text()
                sid = (await r.json())["session_id"]
            # The terminal sits on its attract screen; its timer asks the centre.
            await off(flow.handle, ev.Started())
            await off(flow.handle, ev.Finished())
            await off(pump, flow, MediationInvitations)
            await off(other.flow.handle, ev.Started())
            await off(other.flow.handle, ev.Finished())
            assert flow.state is VisitState.ATTRACT

            async with http.ws_connect(f"/mediation/ws?s={sid}") as ws:
                # Bad numbers and a party on a phone: refused on the desk at once.
                await ws.send_json({"type": "call", "label": "party-a", "number": "C12"})
                out["bad"] = (await desk_until(ws, lambda m: m["type"] == "error"))["code"]
                await ws.send_json({"type": "call", "label": "party-b", "number": "C012"})
                out["phone"] = (await desk_until(ws, lambda m: m["type"] == "error"))["code"]
                await ws.send_json({"type": "call", "label": "mediator", "number": "C012"})
                out["mediator"] = (await desk_until(ws, lambda m: m["type"] == "error"))["code"]

                # Numbers the terminal's queue does not have for mediation: the terminal says why.
                for number in ("C099", "C013", "A001"):
                    await ws.send_json({"type": "call", "label": "party-a", "number": number})
                    m = await desk_until(ws, lambda m: (call_of(m) or {}).get("number") == number
                                         and call_of(m)["state"] not in ("sent",))  # type: ignore[index]
                    out[number] = call_of(m)["state"]  # type: ignore[index]
                out["said_after_refusals"] = [s for s in said(t) if "调解" in s]
                out["other_C013"] = ticket(other, "C013").state
                out["other_called"] = dict(other.flow.features.get("mediation").called)

                # Another visitor is in the middle of a visit: the call waits, their screen stays.
                await off(flow.handle, ev.Started())
                await off(flow.handle, ev.ServiceChosen("consultation"))
                visit_state = flow.state
                await ws.send_json({"type": "call", "label": "party-a", "number": "c012"})
                m = await desk_until(ws, lambda m: (call_of(m) or {}).get("state") == "busy")
                out["busy"] = call_of(m)
                out["visit_kept"] = (visit_state, flow.state)
                out["held_said"] = [s for s in said(t) if "C零一二" in s]
                out["held_ticket"] = ticket(t, "C012").state
                out["held_offered"] = feature.offered()

                # The visitor finishes: now the terminal calls C012, twice, and offers it.
                await off(flow.handle, ev.Finished())
                m = await desk_until(ws, lambda m: (call_of(m) or {}).get("state") == "called")
                for _ in range(100):  # the speaker says one text after the other
                    if len([s for s in said(t) if "C零一二" in s]) >= 2:
                        break
                    await asyncio.sleep(0.1)
                out["said"] = [s for s in said(t) if "C零一二" in s]
                called = ticket(t, "C012")
                out["called_ticket"] = (called.state, called.window, called.called_at is not None)
                out["offered"] = feature.offered()

                # Nobody comes: 未到 on the desk; the mediator calls again (a recall).
                m = await desk_until(ws, lambda m: (call_of(m) or {}).get("state") == "no_show", timeout=10)
                out["no_show"] = call_of(m)
                await ws.send_json({"type": "call", "label": "party-a", "number": "C012"})
                m = await desk_until(ws, lambda m: (call_of(m) or {}).get("state") == "called")
                out["recalls"] = ticket(t, "C012").recalls
                for _ in range(100):
                    if len([s for s in said(t) if "C零一二" in s]) >= 4:
                        break
                    await asyncio.sleep(0.1)
                out["said_again"] = len([s for s in said(t) if "C零一二" in s])

                # The person comes and takes the offered invitation: its consent step, then the card.
                await off(flow.handle, MediationOpened(out["offered"][0]))
                out["opened"] = (flow.state, feature.session["session_id"] if feature.session else None)
                await off(flow.handle, MediationConsented(True))
                await off(flow.handle, card("张三丰"))
                await off(handle_until, flow, lambda: state_of(flow) is not M.CONNECTING)
                out["joined_state"] = flow.state
                m = await desk_until(ws, lambda m: (call_of(m) or {}).get("state") == "joined")
                out["desk_joined"] = call_of(m)
                done = ticket(t, "C012")
                out["done_ticket"] = (done.state, done.finished_at is not None)
                out["offered_after"] = feature.offered()
                await ws.send_json({"type": "close"})
                await asyncio.sleep(0.5)
            out["sid"] = sid
        bridging.cancel()

    asyncio.run(scenario())
    sid = out["sid"]
    assert out["bad"] == "call_bad_number"
    assert out["phone"] == "call_not_terminal" and out["mediator"] == "call_not_terminal"
    assert out["C099"] == "unknown_ticket"
    assert out["C013"] == "unknown_ticket"  # another terminal's ticket is not this terminal's to call
    assert out["A001"] == "wrong_service"
    assert out["said_after_refusals"] == []
    assert out["other_C013"] is TicketState.WAITING and out["other_called"] == {}
    # Held while someone else used the terminal: nothing said, their screen unchanged.
    assert out["busy"] == {"number": "C012", "state": "busy"}
    assert out["visit_kept"] == (VisitState.SERVICE, VisitState.SERVICE)
    assert out["held_said"] == [] and out["held_ticket"] is TicketState.WAITING and out["held_offered"] is None
    # Called like a window call: said twice, state and time recorded, no window.
    assert out["said"] == [CALL_SAID, CALL_SAID]
    assert out["called_ticket"] == (TicketState.CALLED, None, True)
    assert out["offered"] == (sid, {"number": "C012", "masked": "张**", "call_id": out["offered"][1]["call_id"]})
    assert out["no_show"] == {"number": "C012", "state": "no_show"}
    assert out["recalls"] == 1 and out["said_again"] == 4
    assert out["opened"] == (M.INVITE, sid)
    assert out["joined_state"] is M.ROOM
    assert out["desk_joined"] == {"number": "C012", "state": "joined"}
    assert out["done_ticket"] == (TicketState.DONE, True)
    assert out["offered_after"] is None
    # The queue's events for the figures: one call (with its wait, to the terminal) and its end.
    conn = sqlite3.connect(t.data_dir / DB_FILENAME)
    kinds = [(k, json.loads(p)) for k, p in conn.execute("SELECT kind, payload FROM outbox ORDER BY seq")]
    conn.close()
    calls = [p for k, p in kinds if k == "ticket_called" and p["number"] == "C012"]
    assert len(calls) == 1 and calls[0]["place"] == "terminal" and calls[0]["window"] is None and calls[0]["wait_seconds"] >= 0
    assert [p["state"] for k, p in kinds if k == "ticket_finished" and p["number"] == "C012"] == ["done"]
    # The name is never in the terminal's log.
    log = t.data_dir / "logs" / "kiosk.log"
    if log.is_file():
        assert "张三丰" not in log.read_text(encoding="utf-8")
