"""The party at a terminal, on the real app offscreen: the invitation tile on home, the
consent question, the ID card, the room with the mediator large and the other party
small, the agreement read aloud, the finger signature, the end — against the real
centre (Mosquitto, the centre's web app, Janus); the test plays the mediator and the
other party (aiortc) and the desk's socket."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from fleet.mediation import JanusServer
from fleet.mediation.sessions import SessionStore
from tests.mediation.centre import add_mediator, centre, signed_in
from tests.mediation.support import party
from tests.support.qr import read_qr
from tests.support.ui import start_scenario

MODULE = "tests.mediation.party_scenarios"
DOC_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screens" if os.environ.get("KIOSK_DOC_SHOTS") else None
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAABAAAAAICAYAAADwdn+XAAAAHUlEQVR4nGNgGAWjYBSMglEwCkbBKBgFo2AUDAIAAQgAAd9hGqQAAAAASUVORK5CYII=")
AGREEMENT = "一、乙方于本月底前向甲方支付修缮费三千元。\n二、双方再无其他争议。"


def _play(fleet: Any, janus: JanusServer, tmp_path: Path, tid: str, size: str, **given: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    add_mediator(fleet)
    pw = fleet.provision(tid, site="李家村公共法律服务工作室")
    data = tmp_path / "kiosk"
    progress = tmp_path / "progress.txt"
    shots = tmp_path / "shots"
    shots.mkdir()
    config = f'terminal_id = "{tid}"\n[fleet]\nbroker = "{fleet.broker.url}"\npassword = "{pw}"\nwill_delay_seconds = 1\n'
    out: dict[str, Any] = {}

    async def scenario() -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        async with centre(fleet, tmp_path / "centre", janus) as (base, desk), signed_in(base) as http:
            async with http.post("/mediation/api/sessions", json={"matter": "宅基地边界纠纷", "parties": [
                    {"name": "李建国", "joins": "terminal", "terminal_id": tid}, {"name": "王五", "joins": "phone"}]}) as r:
                assert r.status == 200, await r.text()
                sid = (await r.json())["session_id"]
            live = desk.live[sid]
            mediator, other = party(live.room.passes["mediator"]), party(live.room.passes["party-b"])
            await mediator.join()
            await other.join()
            proc = start_scenario(MODULE, "party", data, {"config": config, "progress": str(progress), "shots": str(shots), **given},
                                  size=size)
            try:
                deadline = time.monotonic() + 90
                while not (progress.is_file() and progress.read_text() == "room"):
                    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                    assert time.monotonic() < deadline, "the party never reached the room"
                    await asyncio.sleep(0.2)
                async with http.ws_connect(f"/mediation/ws?s={sid}") as ws:
                    await ws.send_json({"type": "agreement", "text": AGREEMENT})
                    if not given.get("only_look"):
                        while not (progress.read_text() == "signed"):
                            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                            assert time.monotonic() < deadline + 60, "the party never signed"
                            await asyncio.sleep(0.2)
                        await desk.from_party(live, "party-b", {"type": "sign", "png": base64.b64encode(PNG).decode()})
                        # The mediator confirms once the desk shows both signatures: the
                        # terminal's travels over its link and, on a loaded machine, comes
                        # seconds after its screen went back to the room.
                        store = SessionStore(fleet.store)
                        while any(p["signature"] is None for p in (store.session(sid) or {"parties": {}})["parties"].values()):
                            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                            assert time.monotonic() < deadline + 120, "the terminal's signature never reached the centre"
                            await asyncio.sleep(0.2)
                        await ws.send_json({"type": "confirm"})
                        while True:
                            m = await asyncio.wait_for(ws.receive_json(), 30)
                            assert m["type"] != "error", m
                            if m["type"] == "state" and m.get("agreement_sha256"):
                                break
                        await asyncio.sleep(2.5)  # the terminal's next polls show the hash
                        await ws.send_json({"type": "close"})
                    try:
                        await loop.run_in_executor(None, proc.wait, 120)
                    except subprocess.TimeoutExpired:
                        # Say where the party's app was, not only that it did not finish.
                        proc.kill()
                        proc.wait(10)
                        tail = proc.stderr.read()[-3000:] if proc.stderr else ""
                        raise AssertionError(f"the party's app did not finish; progress {progress.read_text()!r}:\n{tail}") from None
            finally:
                if proc.poll() is None:
                    proc.kill()
                await mediator.leave()
                await other.leave()
            out["stderr"] = proc.stderr.read() if proc.stderr else ""
            out["returncode"] = proc.returncode
            return {"sid": sid, "row": SessionStore(fleet.store).session(sid)}

    done = asyncio.run(scenario())
    assert out["returncode"] == 0, out["stderr"][-3000:]

    record = json.loads((data / "party.json").read_text(encoding="utf-8"))
    record["shots_dir"] = str(shots)
    return record, done


def _step(record: dict[str, Any], label: str) -> dict[str, Any]:
    return next(s for s in record["steps"] if s["label"] == label)


def test_the_party_screens_from_invitation_to_signed_agreement(fleet: Any, janus: JanusServer, tmp_path: Path) -> None:
    record, done = _play(fleet, janus, tmp_path, "MEDS", "1280x800", a4="none")
    home = " ".join(_step(record, "home")["texts"])
    assert "远程调解" in home
    invite = " ".join(_step(record, "invite")["texts"])
    assert "李**" in invite and "宅基地边界纠纷" in invite and "本次调解将全程录音录像，是否同意？" in invite
    assert "李建国" not in invite  # the name is never on screen unmasked
    assert record["pictures"] == [True, True]  # the mediator's and the other party's pictures
    room = " ".join(_step(record, "room")["texts"])
    assert "修缮费三千元" in room and "挂断" in room and "调解员" in room
    assert any("修缮费三千元" in s for s in record["spoken"])  # read aloud on request
    assert record["empty_sign_screen"] == "mediation_sign"  # no ink: not sent
    ended = " ".join(_step(record, "ended")["texts"])
    row = done["row"]
    assert "本次调解已结束" in ended and row["agreement_sha256"][:16] in ended
    assert row["parties"]["party-a"]["verified_by_card"] is True and row["parties"]["party-a"]["signature"].startswith(b"\x89PNG")
    # No A4 printer here: the receipt, and the screen says so and where the agreement is.
    assert record["copy"] == "receipt"
    assert "本机没有A4打印机" in ended and "已为您打印回执" in ended and "到窗口领取" in ended
    # The party's copy: printed, its QR holding the session and the agreement's hash.
    import cv2  # deferred: OpenCV is heavy and only this test reads a QR

    assert record["printed"], "no agreement receipt printed"
    picture = cv2.imread(record["printed"])
    assert picture is not None
    assert read_qr(picture) == f"mediation:{done['sid']}:sha256:{row['agreement_sha256']}"
    if DOC_SHOTS:
        shutil.copy(record["printed"], DOC_SHOTS / "mediation_receipt.png")
        for label in ("invite", "room", "sign", "ended"):
            shutil.copy(Path(record["shots_dir"]) / f"{label}.png", DOC_SHOTS / f"mediation_{label}.png")


def _pdf_text(path: str) -> str:
    import pypdf  # deferred: only the A4 tests read a PDF back

    reader = pypdf.PdfReader(path)
    return "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\n", "").replace("\u3000", "")


def test_the_party_copy_printed_on_a4(fleet: Any, janus: JanusServer, tmp_path: Path) -> None:
    record, done = _play(fleet, janus, tmp_path, "MEDA", "1280x800")
    row, sid = done["row"], done["sid"]
    assert record["copy"] == "printed"
    # Said while it prints, and when it is done where to take it.
    assert any("正在用A4纸打印调解协议书" in t for t in record["copy_seen"]), record["copy_seen"]
    assert "请在下方出纸口取走协议书" in " ".join(_step(record, "ended")["texts"])
    text = _pdf_text(record["a4_printed"])
    assert "人民调解协议书" in text and "修缮费三千元" in text and "甲方：李建国" in text and "乙方：王五" in text
    assert f"调解编号{sid}" in text and row["agreement_sha256"] in text
    if DOC_SHOTS:
        shutil.copy(Path(record["shots_dir"]) / "ended.png", DOC_SHOTS / "mediation_ended_a4.png")


def test_an_a4_printer_out_of_paper_gives_the_receipt_and_says_so(fleet: Any, janus: JanusServer, tmp_path: Path) -> None:
    record, done = _play(fleet, janus, tmp_path, "MEDO", "800x1280", a4="stopped", elder=True)
    assert record["copy"] == "receipt" and record["printed"], "no receipt printed"
    ended = " ".join(_step(record, "ended")["texts"])
    assert "缺纸" in ended and "已为您打印回执" in ended and "到窗口领取" in ended
    if DOC_SHOTS:
        shutil.copy(Path(record["shots_dir"]) / "ended.png", DOC_SHOTS / "mediation_ended_paper_out-elder-portrait.png")


def test_the_room_in_elder_mode_portrait_and_by_voice(fleet: Any, janus: JanusServer, tmp_path: Path) -> None:
    record, _ = _play(fleet, janus, tmp_path, "MEDP", "800x1280", elder=True, only_look=True, by_voice=True)
    assert record["pictures"] == [True, True]
    # Consent and the reading asked for by voice.
    assert any("修缮费三千元" in s for s in record["spoken"])
    assert "挂断" in " ".join(_step(record, "room")["texts"])
    if DOC_SHOTS:
        for label in ("invite", "room"):
            shutil.copy(Path(record["shots_dir"]) / f"{label}.png", DOC_SHOTS / f"mediation_{label}-elder-portrait.png")
