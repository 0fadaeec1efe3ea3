"""A party at a terminal (the real terminal with simulated devices, its agent on a real
Mosquitto, no Kivy): the invitation tile appears, a refusal of recording ends it with
the ticket/appointment offer, a card that is not the invited person's is refused, the
right card joins the room (media counted both ways with the mediator and the other
party), the agreement and the side-room reach the terminal, the terminal signs, and a
terminal that is not invited is refused."""

from __future__ import annotations

import asyncio
import base64
import json
import sqlite3
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kiosk import events as ev
from kiosk.identity import CardType, Gender, IdentityCard
from kiosk.mediation.events import (MediationConsented, MediationFailed, MediationInvitations, MediationJoined, MediationOpened,
                                    MediationSigned, MediationSignOpened, MediationUpdated)
from kiosk.mediation.states import MediationState as M
from kiosk.ports import CentreError, DeviceKind
from kiosk.states import VisitState
from kiosk.store import DB_FILENAME
from fleet.mediation import JanusServer
from fleet.mediation.sessions import SessionStore
from remote_video.sfu.terminal import TerminalRoom
from tests.mediation.centre import add_mediator, centre, signed_in
from tests.mediation.support import party

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAABAAAAAICAYAAADwdn+XAAAAHUlEQVR4nGNgGAWjYBSMglEwCkbBKBgFo2AUDAIAAQgAAd9hGqQAAAAASUVORK5CYII=")


def card(name: str) -> ev.CardRead:
    """A demo resident card (invented data)."""
    c = IdentityCard(card_type=CardType.RESIDENT, name=name, gender=Gender.MALE, birth_date=date(1956, 1, 1),
                     id_number="420202195601011234", address="湖北省黄石市下陆区团城山街道1号", nation="汉")
    return ev.CardRead(DeviceKind.IDCARD, card=c)


def pump(flow: Any, kind: type, timeout: float = 15.0) -> Any:
    """Hand the centre's answers to the flow (as the UI bridge does) until one of ``kind``."""
    deadline = time.monotonic() + timeout
    while True:
        e = flow.inbox.take(max(0.1, deadline - time.monotonic()))
        flow.handle(e)
        if isinstance(e, kind):
            return e


def joined_terminal(fleet: Any, tid: str) -> Any:
    t = fleet.terminal(tid, devices=True)
    fleet.agent(t)
    deadline = time.monotonic() + 15
    while not (t.centre is not None and t.centre.connected()):
        assert time.monotonic() < deadline, "terminal did not join the centre"
        time.sleep(0.05)
    return t


def test_a_party_at_a_terminal(fleet: Any, janus: JanusServer, tmp_path: Path) -> None:
    add_mediator(fleet)
    fleet.provision("MEDT", site="李家村公共法律服务工作室")
    fleet.provision("MEDX", site="王家湾工作室")
    t = joined_terminal(fleet, "MEDT")
    stranger = joined_terminal(fleet, "MEDX")
    flow, feature = t.flow, t.flow.features.get("mediation")
    out: dict[str, Any] = {}

    async def scenario() -> None:
        loop = asyncio.get_running_loop()

        def off(fn: Any, *a: Any) -> Any:
            return loop.run_in_executor(None, fn, *a)

        async with centre(fleet, tmp_path / "centre", janus) as (base, desk), signed_in(base) as http:
            # No invitation yet: no tile.
            await off(flow.handle, ev.Started())
            await off(pump, flow, MediationInvitations)
            out["tile_before"] = bool(feature.availability())
            async with http.post("/mediation/api/sessions", json={"matter": "宅基地边界纠纷", "parties": [
                    {"name": "张三丰", "joins": "terminal", "terminal_id": "MEDT"}, {"name": "李四", "joins": "phone"}]}) as r:
                assert r.status == 200, await r.text()
                sid = (await r.json())["session_id"]
            live = desk.live[sid]
            # Home again: the invitation is offered.
            await off(flow.handle, ev.Finished())
            await off(pump, flow, MediationInvitations)
            out["tile_after"] = bool(feature.availability())
            out["invitation"] = dict(feature.invitations[0])
            # A terminal of another village is offered nothing and cannot join.
            stranger.flow.handle(ev.Started())
            await off(pump, stranger.flow, MediationInvitations)
            out["stranger_tile"] = bool(stranger.flow.features.get("mediation").availability())
            try:
                await off(lambda: stranger.centre.ask("mediation.join", {"session_id": sid, "consent": True}))
                out["stranger_join"] = "admitted"
            except CentreError as exc:
                out["stranger_join"] = str(exc)

            # Refusing the recording: the session cannot proceed (the centre hears of it).
            await off(flow.handle, ev.Started())
            await off(flow.handle, MediationOpened())
            out["invite_state"] = flow.state
            await off(flow.handle, MediationConsented(False))
            out["refused_state"] = flow.state
            await asyncio.sleep(1.0)
            out["refused_row"] = SessionStore(fleet.store).session(sid)["parties"]["party-a"]["consent"]  # type: ignore[index]
            await off(flow.handle, ev.Finished())

            # Someone else's card: refused, back to the invitation with a notice.
            await off(flow.handle, ev.Started())
            await off(flow.handle, MediationOpened())
            await off(flow.handle, MediationConsented(True))
            out["card_state"] = flow.state
            await off(flow.handle, card("王五"))
            out["checking_state"] = flow.state
            failed = await off(pump, flow, MediationFailed)
            out["wrong_card"] = (failed.reason, flow.state)
            await off(flow.handle, ev.Finished())

            # The invited person's card: joined.
            await off(flow.handle, ev.Started())
            await off(flow.handle, MediationOpened())
            await off(flow.handle, MediationConsented(True))
            await off(flow.handle, card("张三丰"))
            await off(pump, flow, MediationJoined)
            out["room_state"] = flow.state
            room = TerminalRoom(t.camera(), None)
            mediator = party(live.room.passes["mediator"])
            other = party(live.room.passes["party-b"])
            await mediator.join()
            await other.join()
            try:
                await asyncio.wrap_future(room.join(feature.room_pass))
                await mediator.wait_for_feeds(2, timeout=20)
                await other.wait_for_feeds(2, timeout=20)
                deadline = time.monotonic() + 20
                while len(room.labels()) < 2 and time.monotonic() < deadline:
                    await asyncio.sleep(0.2)
                await asyncio.sleep(1.0)
                t0 = ({k: (s.video_frames, s.audio_frames) for k, s in room.stats().items()},
                      {k: (s.video_frames, s.audio_frames) for k, s in mediator.stats().items()})
                await asyncio.sleep(2.0)
                t1 = ({k: (s.video_frames, s.audio_frames) for k, s in room.stats().items()},
                      {k: (s.video_frames, s.audio_frames) for k, s in mediator.stats().items()})
                out["terminal_got"] = {k: (t1[0][k][0] - t0[0].get(k, (0, 0))[0], t1[0][k][1] - t0[0].get(k, (0, 0))[1]) for k in t1[0]}
                out["mediator_got"] = {k: (t1[1][k][0] - t0[1].get(k, (0, 0))[0], t1[1][k][1] - t0[1].get(k, (0, 0))[1]) for k in t1[1]}
                out["picture"] = room.picture("mediator")[1] is not None

                # The mediator's desk (its socket): the agreement, then a side-room with this party.
                async with http.ws_connect(f"/mediation/ws?s={sid}") as ws:
                    await ws.send_json({"type": "agreement", "text": "一、乙方支付修缮费三千元。"})
                    await asyncio.sleep(0.5)
                    feature.poll()
                    await off(pump, flow, MediationUpdated)
                    out["agreement"] = feature.doc.get("agreement")
                    await ws.send_json({"type": "side_room", "label": "party-a"})
                    await asyncio.sleep(1.0)
                    feature.poll()
                    await off(pump, flow, MediationUpdated)
                    out["side"] = feature.doc.get("side")
                    await asyncio.wrap_future(room.side(feature.doc["side_pass"]))
                    side_mediator = party(live.side_room.passes["mediator"])  # type: ignore[union-attr]
                    await side_mediator.join()
                    try:
                        await side_mediator.wait_for_feeds(1, timeout=20)
                        deadline = time.monotonic() + 20
                        while not room.stats("side") and time.monotonic() < deadline:
                            await asyncio.sleep(0.2)
                        await asyncio.sleep(2.0)
                        out["side_got"] = {k: (s.video_frames, s.audio_frames) for k, s in room.stats("side").items()}
                    finally:
                        await side_mediator.leave()
                    await ws.send_json({"type": "side_room", "label": None})
                    await asyncio.wrap_future(room.side(None))
                    # Signing on the terminal; the other party signs on their phone; the mediator confirms.
                    await off(flow.handle, MediationSignOpened())
                    out["sign_state"] = flow.state
                    await off(flow.handle, MediationSigned(PNG))
                    out["after_sign_state"] = flow.state
                    await desk.from_party(live, "party-b", {"type": "sign", "png": base64.b64encode(PNG).decode()})
                    await asyncio.sleep(1.0)
                    await ws.send_json({"type": "confirm"})
                    while True:  # the desk's socket says when the agreement is kept (or why not)
                        m = await asyncio.wait_for(ws.receive_json(), 15)
                        if m["type"] == "error" or (m["type"] == "state" and m.get("agreement_sha256")):
                            out["confirmed"] = m
                            break
                    feature.poll()
                    await off(pump, flow, MediationUpdated)
                    out["sha"] = feature.doc.get("sha256")
                    await ws.send_json({"type": "close"})
                    await asyncio.sleep(1.0)
                feature.poll()
                await off(pump, flow, MediationUpdated)
                out["ended_state"] = flow.state
            finally:
                room.leave()
                await mediator.leave()
                await other.leave()
            out["row"] = SessionStore(fleet.store).session(sid)

    asyncio.run(scenario())
    assert out["tile_before"] is False and out["tile_after"] is True
    assert out["invitation"]["masked"] == "张**" and out["invitation"]["matter"] == "宅基地边界纠纷"
    assert out["stranger_tile"] is False and "not_invited" in out["stranger_join"]
    assert out["invite_state"] is M.INVITE and out["refused_state"] is M.REFUSED and out["refused_row"] is False
    assert out["card_state"] is VisitState.CARD and out["checking_state"] is M.CONNECTING
    assert out["wrong_card"] == ("not_verified", M.INVITE)
    assert out["room_state"] is M.ROOM
    assert set(out["terminal_got"]) == {"mediator", "party-b"} and set(out["mediator_got"]) == {"party-a", "party-b"}
    for who, got in (("terminal", out["terminal_got"]), ("mediator", out["mediator_got"])):
        for label, (video, audio) in got.items():
            assert video >= 10 and audio >= 50, f"{who} got {video} frames, {audio} audio from {label} in 2 s"
    assert out["picture"]
    assert out["agreement"] == "一、乙方支付修缮费三千元。"
    assert out["side"] == "with_me" and out["side_got"]["mediator"][0] >= 5 and out["side_got"]["mediator"][1] >= 40
    assert out["sign_state"] is M.SIGN and out["after_sign_state"] is M.ROOM
    row = out["row"]
    assert row["parties"]["party-a"]["verified_by_card"] is True and row["parties"]["party-a"]["signature"] == PNG
    assert out["sha"] == row["agreement_sha256"] and len(out["sha"]) == 64
    assert out["ended_state"] is M.ENDED
    # The bureau's figure: one session at this site, ended with an agreement.
    conn = sqlite3.connect(t.data_dir / DB_FILENAME)
    rows = [json.loads(r[0]) for r in conn.execute("SELECT payload FROM outbox WHERE kind = 'mediation_session'")]
    conn.close()
    assert [r["agreement"] for r in rows] == [True]


@pytest.mark.parametrize("name", ["mediation.state", "mediation.sign", "mediation.verified"])
def test_asks_of_an_unknown_session_are_refused(fleet: Any, janus: JanusServer, tmp_path: Path, name: str) -> None:
    t = joined_terminal(fleet, "MEDQ")

    async def scenario() -> str:
        async with centre(fleet, tmp_path / "centre", janus):
            try:
                await asyncio.get_running_loop().run_in_executor(None, lambda: t.centre.ask(name, {"session_id": "MNOPE"}))
                return "answered"
            except CentreError as exc:
                return str(exc)

    assert "not_invited" in asyncio.run(scenario())
