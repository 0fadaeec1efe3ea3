"""A party called by their ticket, on the real app offscreen against the real centre
(Mosquitto, the centre's web app, Janus): the desk calls the ticket the party took at
the terminal; another visitor's visit is not interrupted; then the terminal says the
call twice and shows the invitation for that ticket over the attract screen, and its
one big button opens the consent step of that session."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from fleet.mediation import JanusServer
from tests.mediation.centre import add_mediator, centre, signed_in
from tests.mediation.test_ticket_call import CALL_SAID, call_of, desk_until
from tests.support.ui import start_scenario

MODULE = "tests.mediation.call_scenarios"
DOC_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screens" if os.environ.get("KIOSK_DOC_SHOTS") else None


def _play(fleet: Any, janus: JanusServer, tmp_path: Path, tid: str, size: str, **given: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    add_mediator(fleet)
    pw = fleet.provision(tid, site="李家村公共法律服务工作室")
    data = tmp_path / "kiosk"
    progress, signal, shots = tmp_path / "progress.txt", tmp_path / "signal.txt", tmp_path / "shots"
    shots.mkdir()
    config = f'terminal_id = "{tid}"\n[fleet]\nbroker = "{fleet.broker.url}"\npassword = "{pw}"\nwill_delay_seconds = 1\n'
    desk_seen: dict[str, Any] = {}

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        async with centre(fleet, tmp_path / "centre", janus) as (base, _desk), signed_in(base) as http:
            async with http.post("/mediation/api/sessions", json={"matter": "宅基地边界纠纷", "parties": [
                    {"name": "李建国", "joins": "terminal", "terminal_id": tid}, {"name": "王五", "joins": "phone"}]}) as r:
                assert r.status == 200, await r.text()
                desk_seen["sid"] = (await r.json())["session_id"]
            proc = start_scenario(MODULE, "called", data, {"config": config, "progress": str(progress), "signal": str(signal),
                                                           "shots": str(shots), **given}, size=size)
            try:
                deadline = time.monotonic() + 120
                while not (progress.is_file() and progress.read_text() == "visiting"):
                    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                    assert time.monotonic() < deadline, "the visitor never reached the service screen"
                    await asyncio.sleep(0.2)
                async with http.ws_connect(f"/mediation/ws?s={desk_seen['sid']}") as ws:
                    await ws.send_json({"type": "call", "label": "party-a", "number": "C012"})
                    desk_seen["busy"] = call_of(await desk_until(ws, lambda m: (call_of(m) or {}).get("state") == "busy", 30))
                    signal.write_text("busy", encoding="utf-8")
                    desk_seen["called"] = call_of(await desk_until(ws, lambda m: (call_of(m) or {}).get("state") == "called", 60))
                    await loop.run_in_executor(None, proc.wait, 90)
            finally:
                if proc.poll() is None:
                    proc.kill()
            desk_seen["stderr"] = proc.stderr.read() if proc.stderr else ""
            desk_seen["returncode"] = proc.returncode

    asyncio.run(scenario())
    assert desk_seen["returncode"] == 0, desk_seen["stderr"][-3000:]
    record = json.loads((data / "called.json").read_text(encoding="utf-8"))
    record["shots_dir"] = str(shots)
    return record, desk_seen


def _step(record: dict[str, Any], label: str) -> dict[str, Any]:
    return next(s for s in record["steps"] if s["label"] == label)


def test_called_by_ticket_on_the_attract_screen(fleet: Any, janus: JanusServer, tmp_path: Path) -> None:
    record, desk = _play(fleet, janus, tmp_path, "CALS", "1280x800")
    assert record["ticket"] == "C012"
    # Another visitor in the middle of a visit: their screen, nothing said over it, no invitation.
    assert desk["busy"] == {"number": "C012", "state": "busy"}
    assert record["visiting_screen"] == "service" and "mediation:called" not in record["visiting_actions"]
    assert not any("C零一二" in s for s in record["visiting_spoken"])
    # Then: the call said twice, the invitation for that ticket over the attract screen.
    assert desk["called"] == {"number": "C012", "state": "called"}
    assert [s for s in record["called_spoken"] if "C零一二" in s] == [CALL_SAID, CALL_SAID]
    shown = " ".join(_step(record, "called")["texts"])
    assert "C012号：调解员邀请您参加远程调解" in shown and "李**" in shown and "李建国" not in shown
    assert "参加远程调解" in shown
    # The one big button: the consent step of that session.
    assert record["session"] == desk["sid"]
    invite = " ".join(_step(record, "invite")["texts"])
    assert "宅基地边界纠纷" in invite and "本次调解将全程录音录像，是否同意？" in invite
    if DOC_SHOTS:
        shutil.copy(Path(record["shots_dir"]) / "called.png", DOC_SHOTS / "mediation_called.png")
        shutil.copy(Path(record["shots_dir"]) / "visiting.png", DOC_SHOTS / "mediation_called-busy.png")


def test_the_called_invitation_in_elder_type_portrait(fleet: Any, janus: JanusServer, tmp_path: Path) -> None:
    record, _ = _play(fleet, janus, tmp_path, "CALP", "800x1280", elder_look=True)
    shown = " ".join(_step(record, "called")["texts"])
    assert "C012号：调解员邀请您参加远程调解" in shown and "mediation:called" in record["called_actions"]
    if DOC_SHOTS:
        shutil.copy(Path(record["shots_dir"]) / "called.png", DOC_SHOTS / "mediation_called-elder-portrait.png")
