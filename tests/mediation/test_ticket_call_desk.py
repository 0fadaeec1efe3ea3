"""叫号 on the mediator's desk in headless chromium, against a real terminal (simulated
devices, its agent on Mosquitto, no Kivy) and a real Janus: a malformed number is
refused on the desk at once, a number the terminal does not have is refused with the
terminal's reason, the party's ticket is called; a party on a phone has no 叫号."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from kiosk import events as ev
from fleet.mediation import JanusServer
from tests.mediation.centre import add_mediator, centre
from tests.mediation.test_desk import DOC_SHOTS, mediator_desk
from tests.mediation.test_terminal_party import joined_terminal
from tests.mediation.test_ticket_call import take_until, ticket


def test_calling_a_ticket_from_the_desk(fleet: Any, janus: JanusServer, tmp_path: Path) -> None:
    add_mediator(fleet)
    fleet.provision("CALD", site="李家村公共法律服务工作室")
    t = joined_terminal(fleet, "CALD")
    take_until(t, "mediation", "C012")
    t.flow.handle(ev.Started())
    t.flow.handle(ev.Finished())  # on the attract screen, its timer asking the centre
    stop = threading.Event()

    def bridge() -> None:  # the app's UI bridge: the centre's answers to the visit's one thread
        while not stop.is_set():
            try:
                t.flow.handle(t.flow.inbox.take(0.2))
            except TimeoutError:
                pass

    worker = threading.Thread(target=bridge, daemon=True)
    worker.start()

    async def scenario() -> dict[str, Any]:
        out: dict[str, Any] = {}
        async with centre(fleet, tmp_path / "centre", janus) as (base, _desk), mediator_desk(base) as page:
            await page.js("document.querySelector('#matter').value = '宅基地边界纠纷';"
                          "document.querySelector('#pa .name').value = '张三丰'; document.querySelector('#pa .terminal').value = 'CALD';"
                          "document.querySelector('#pb .name').value = '李四'; document.querySelector('#pb .joins').value = 'phone';"
                          "document.querySelector('#create').click(); true")
            await page.wait_for("med.ctl && med.ctl.readyState === 1 && med.state !== null", 15)
            out["phone_row_hidden"] = await page.js("document.querySelector('#tile-party-b .callrow').hidden")

            async def call(number: str) -> None:
                await page.js(f"document.querySelector('#tile-party-a .ticket').value = {number!r};"
                              "document.querySelector('#tile-party-a .call').click(); true")

            await call("C12")
            await page.wait_for("document.querySelector('#error').textContent !== ''")
            out["bad"] = await page.js("document.querySelector('#error').textContent")
            await call("C099")
            await page.wait_for("(med.state.parties[0].call || {}).state === 'unknown_ticket'", 30)
            out["unknown"] = await page.js("document.querySelector('#tile-party-a .call_state').textContent")
            out["unknown_refused"] = await page.js("document.querySelector('#tile-party-a .callrow').classList.contains('refused')")
            await call("c012")
            await page.wait_for("(med.state.parties[0].call || {}).state === 'called'", 30)
            out["called"] = await page.js("document.querySelector('#tile-party-a .call_state').textContent")
            if DOC_SHOTS:
                await page.screenshot(DOC_SHOTS / "mediation_desk_call.png")
            else:
                await page.screenshot(tmp_path / "desk_call.png")
        return out

    try:
        out = asyncio.run(scenario())
    finally:
        stop.set()
        worker.join(5)
    assert out["phone_row_hidden"] is True
    assert out["bad"].startswith("号码格式不对")
    assert out["unknown"] == "终端今天没有 C099 号，请核对当事人的号票" and out["unknown_refused"] is True
    assert out["called"] == "已叫 C012 号，等待当事人到终端"
    assert ticket(t, "C012").state.value == "called"
