"""The party's A4 copy of a signed agreement, on real terminals (simulated devices, the
A4 printer simulator running the CUPS driver, agents on a real Mosquitto, no Kivy)
against the real centre: printed and marked where there is an A4 printer; the receipt
(and why) where there is none, where it is out of paper, or where the fetched PDF is not
the one confirmed; no other terminal and no other session's party may fetch it."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import os
import time
from pathlib import Path
from typing import Any

import pypdf

from fleet.mediation import JanusServer
from fleet.mediation.sessions import SessionStore
from fleet.mediation.web import MAX_AGREEMENT_FETCHES, MediationDesk
from kiosk import events as ev
from kiosk.bootstrap import build_terminal
from kiosk.config import DeviceUrls, FleetSettings, KioskConfig
from kiosk.mediation.events import (MediationCopyFailed, MediationCopyPrinted, MediationInvitations, MediationJoined, MediationOpened,
                                    MediationConsented, MediationSigned, MediationSignOpened, MediationUpdated)
from kiosk.mediation.states import MediationState as M
from kiosk.ports import CentreError
from tests.mediation.centre import add_mediator, centre, signed_in
from tests.mediation.test_terminal_party import PNG, card, pump

AGREEMENT = "一、乙方于本月底前向甲方支付修缮费人民币三千元。\n二、双方再无其他争议。"
FLAT = str.maketrans("", "", " \n\u3000")


def _other_signature() -> bytes:
    """Party B's finger signature: a stroke of its own (a second, different image)."""
    from PIL import Image, ImageDraw  # deferred: only this helper draws

    img = Image.new("RGBA", (120, 40), (0, 0, 0, 0))
    ImageDraw.Draw(img).line([(5, 30), (40, 8), (70, 32), (115, 10)], fill=(0, 0, 0, 255), width=3)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _terminal(fleet: Any, tid: str, a4: str) -> Any:
    pw = fleet.provision(tid, site="李家村公共法律服务工作室")
    config = KioskConfig(terminal_id=tid, devices=DeviceUrls(a4printer=a4),
                         fleet=FleetSettings(broker=fleet.broker.url, password=pw, will_delay_seconds=5))
    t = build_terminal(config, fleet.tmp / tid, simulate=False, with_devices=True)  # every device "sim:" but the A4 printer as given
    t.open_devices()
    fleet.agent(t)
    deadline = time.monotonic() + 15
    while not (t.centre is not None and t.centre.connected()):
        assert time.monotonic() < deadline, "terminal did not join the centre"
        time.sleep(0.05)
    return t


async def _signed_session(http: Any, desk: MediationDesk, t: Any, name: str, *, tamper: bool = False) -> str:
    """A session with party A at ``t`` (its card, consent, finger signature on the
    terminal) and party B by phone; the mediator confirms and closes it. The terminal
    ends up on the ended screen, its copy on the way."""
    loop = asyncio.get_running_loop()

    def off(fn: Any, *a: Any) -> Any:
        return loop.run_in_executor(None, fn, *a)

    flow, feature = t.flow, t.flow.features.get("mediation")
    async with http.post("/mediation/api/sessions", json={"matter": "宅基地边界纠纷", "parties": [
            {"name": name, "joins": "terminal", "terminal_id": t.config.terminal_id}, {"name": "李四", "joins": "phone"}]}) as r:
        assert r.status == 200, await r.text()
        sid = str((await r.json())["session_id"])
    live = desk.live[sid]
    await off(flow.handle, ev.Started())
    await off(pump, flow, MediationInvitations)
    await off(flow.handle, MediationOpened())
    await off(flow.handle, MediationConsented(True))
    await off(flow.handle, card(name))
    await off(pump, flow, MediationJoined)
    assert flow.state is M.ROOM
    async with http.ws_connect(f"/mediation/ws?s={sid}") as ws:
        await ws.send_json({"type": "agreement", "text": AGREEMENT})
        await off(flow.handle, MediationSignOpened())
        await off(flow.handle, MediationSigned(PNG))
        await desk.from_party(live, "party-b", {"type": "sign", "png": base64.b64encode(_other_signature()).decode()})
        await asyncio.sleep(1.0)
        await ws.send_json({"type": "confirm"})
        while True:
            m = await asyncio.wait_for(ws.receive_json(), 15)
            assert m["type"] != "error", m
            if m["type"] == "state" and m.get("agreement_sha256"):
                break
        feature.poll()
        await off(pump, flow, MediationUpdated)
        assert feature.doc.get("sha256")
        if tamper:
            # Someone changes the kept file after the hash was told to the parties.
            path = Path(SessionStore(desk.centre.store).session(sid)["agreement_path"])  # type: ignore[index]
            os.chmod(path, 0o600)
            path.write_bytes(path.read_bytes() + b"%changed\n")  # still a PDF that prints
        await ws.send_json({"type": "close"})
        await asyncio.sleep(1.0)
    feature.poll()
    await off(pump, flow, MediationUpdated)
    assert flow.state in (M.ENDED,)  # `in`: mypy would keep the ROOM asserted above
    return sid


def test_the_party_copy_printed_on_a4_or_the_receipt_instead(fleet: Any, janus: JanusServer, tmp_path: Path) -> None:
    add_mediator(fleet)
    a4 = _terminal(fleet, "MEDA", "sim:")
    plain = _terminal(fleet, "MEDN", "")
    paper_out = _terminal(fleet, "MEDO", "sim:")
    tampered = _terminal(fleet, "MEDM", "sim:")
    stranger = _terminal(fleet, "MEDX", "sim:")
    paper_out.a4_printer().set_sim_state("stopped")  # the simulator's "paused (paper out)"
    out: dict[str, Any] = {}

    async def scenario() -> None:
        loop = asyncio.get_running_loop()

        def off(fn: Any, *a: Any) -> Any:
            return loop.run_in_executor(None, fn, *a)

        async with centre(fleet, tmp_path / "centre", janus) as (base, desk), signed_in(base) as http:
            sid = await _signed_session(http, desk, a4, "张三")
            out["a4_printing"] = a4.flow.features.get("mediation").copy
            await off(pump, a4.flow, MediationCopyPrinted, 60.0)
            out["a4"] = (sid, a4.flow.features.get("mediation").copy)
            out["row"] = SessionStore(fleet.store).session(sid)

            # Neither a terminal of another site nor one whose party is of another session.
            sid_n = await _signed_session(http, desk, plain, "王五")
            out["plain"] = (plain.flow.features.get("mediation").copy, plain.flow.features.get("mediation").copy_reason)
            for who, t, asked in (("stranger", stranger, sid), ("other_session", plain, sid), ("own", plain, sid_n)):
                try:
                    got = await off(lambda: t.centre.ask("mediation.agreement", {"session_id": asked}, timeout=20.0))
                    out[who] = "pdf" if base64.b64decode(got["pdf"]).startswith(b"%PDF-") else "answered"
                except CentreError as exc:
                    out[who] = str(exc)

            # Its own party's terminal may fetch it again, a few times, not without end.
            answers = []
            for _ in range(MAX_AGREEMENT_FETCHES):
                try:
                    await off(lambda: plain.centre.ask("mediation.agreement", {"session_id": sid_n}, timeout=20.0))
                    answers.append("pdf")
                except CentreError as exc:
                    answers.append(str(exc))
            out["again"] = answers

            await _signed_session(http, desk, paper_out, "赵六")
            if paper_out.flow.features.get("mediation").copy != "receipt":  # else the printer was known to be stopped at once
                await off(pump, paper_out.flow, MediationCopyFailed, 60.0)
            f = paper_out.flow.features.get("mediation")
            out["paper_out"] = (f.copy, f.copy_reason, len(paper_out.a4_printer().jobs))

            await _signed_session(http, desk, tampered, "钱七", tamper=True)
            await off(pump, tampered.flow, MediationCopyFailed, 60.0)
            f = tampered.flow.features.get("mediation")
            out["tampered"] = (f.copy, f.copy_reason, len(tampered.a4_printer().jobs))

    asyncio.run(scenario())
    sid, copy = out["a4"]
    assert out["a4_printing"] == "fetching" and copy == "printed"
    row = out["row"]
    jobs = a4.a4_printer().jobs
    assert len(jobs) == 1
    printed = jobs[0].read_bytes()
    reader = pypdf.PdfReader(io.BytesIO(printed))
    text = "".join(p.extract_text() for p in reader.pages).translate(FLAT)
    # The agreement as signed: the matter, the text, both parties and their signatures, the mediator.
    assert "人民调解协议书" in text and "宅基地边界纠纷" in text and "修缮费人民币三千元" in text and "双方再无其他争议" in text
    assert "甲方：张三" in text and "乙方：李四" in text and "周调解员" in text
    assert sum(len(p.images) for p in reader.pages) == 2  # the two finger signatures
    # Marked as the party's copy with the session and the hash of the kept original.
    assert f"当事人存执调解编号{sid}" in text and f"SHA-256）：{row['agreement_sha256']}" in text
    original = Path(row["agreement_path"]).read_bytes()
    assert hashlib.sha256(original).hexdigest() == row["agreement_sha256"] and printed != original

    assert out["plain"] == ("receipt", "mediation_a4.no_a4")
    assert "not_invited" in out["stranger"] and "not_invited" in out["other_session"] and out["own"] == "pdf"
    assert out["again"][:-1] == ["pdf"] * (MAX_AGREEMENT_FETCHES - 1) and "too_many" in out["again"][-1]
    assert out["paper_out"] == ("receipt", "a4printer.stopped", 0)
    assert out["tampered"] == ("receipt", "mediation_a4.mismatch", 0)
