"""A mediation session through the centre's web app and a real Janus: the mediator's desk
in headless chromium, party A on a phone page (a second chromium, fake camera and
microphone), party B an aiortc party with the pass a terminal is given. Media counted in
every direction; muting and the side-room done by Janus; the agreement edited live and
signed by both; the PDF's signatures and hash checked; a party of another session
refused."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import io
import os
import time
from pathlib import Path
from typing import Any, AsyncIterator

import aiohttp
import pypdf

from fleet.mediation import JanusServer
from fleet.mediation.sessions import SessionStore
from tests.mediation.centre import PASSWORD, add_mediator, centre, signed_in
from tests.mediation.support import party
from tests.support.cdp import AsyncBrowser

MEDIA_FLAGS = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
               "--autoplay-policy=no-user-gesture-required")
DOC_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screens" if os.environ.get("KIOSK_DOC_SHOTS") else None
AGREEMENT = "一、乙方于2026年12月31日前向甲方支付修缮费人民币三千元。\n二、双方就宅基地边界纠纷再无其他争议。"
# A small PNG (a stroke), as the terminal's signature pad would send.
SIGNATURE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAABAAAAAICAYAAADwdn+XAAAAHUlEQVR4nGNgGAWjYBSMglEwCkbBKBgFo2AUDAIAAQgAAd9hGqQAAAAASUVORK5CYII=")


@contextlib.asynccontextmanager
async def mediator_desk(base: str) -> AsyncIterator[AsyncBrowser]:
    """Chromium signed in as the mediator, the desk open (the real sign-in form)."""
    async with AsyncBrowser(f"{base}/mediation/", 1280, 900, extra_args=MEDIA_FLAGS) as b:
        await b.wait_for("document.querySelector('#password') !== null")
        await b.js(f"document.querySelector('#name').value = 'zhou'; document.querySelector('#password').value = {PASSWORD!r};"
                   "document.querySelector('#form').submit(); true")
        await b.wait_for("location.pathname === '/mediation/' && window.med && med.ready === true", 20)
        yield b


async def grown(get: Any, wait: float = 2.0, until: tuple[int, int] | None = None) -> dict[str, list[int]]:
    """What arrived per party during ``wait`` seconds (differences of counts). With
    ``until`` (video frames, audio packets): from now until every party's media grew by
    that much, for at most 20 s — whether the media flows, which a fixed window cannot
    tell from how busy the machine is."""
    first = await get()

    def since(second: dict[str, list[int]]) -> dict[str, list[int]]:
        return {k: [second[k][0] - first.get(k, [0, 0])[0], second[k][1] - first.get(k, [0, 0])[1]] for k in second}

    if until is None:
        await asyncio.sleep(wait)
        return since(await get())
    deadline = time.monotonic() + 20
    while True:
        await asyncio.sleep(0.25)
        got = since(await get())
        if (got and all(v >= until[0] and a >= until[1] for v, a in got.values())) or time.monotonic() > deadline:
            return got


def _aiortc_counts(p: Any) -> Any:
    async def get() -> dict[str, list[int]]:
        return {label: [s.video_frames, s.audio_frames] for label, s in p.stats().items()}
    return get


def test_a_mediation_session_from_desk_to_signed_agreement(fleet: Any, janus: JanusServer, tmp_path: Path) -> None:
    add_mediator(fleet)
    fleet.provision("MED2", site="李家村公共法律服务工作室")

    async def scenario() -> dict[str, Any]:
        out: dict[str, Any] = {}
        async with centre(fleet, tmp_path / "centre", janus) as (base, desk), mediator_desk(base) as page:
            assert await page.js("document.querySelector('#who').textContent") == "周调解员"
            # --- the mediator creates the session: A by phone, B at a terminal ---------------
            await page.js("document.querySelector('#matter').value = '宅基地边界纠纷';"
                          "document.querySelector('#pa .name').value = '张三'; document.querySelector('#pa .joins').value = 'phone';"
                          "document.querySelector('#pb .name').value = '李四'; document.querySelector('#pb .terminal').value = 'MED2';"
                          "document.querySelector('#create').click(); true")
            await page.wait_for("med.invitations && med.invitations.length === 1 && med.ctl && med.ctl.readyState === 1", 15)
            inv = await page.js("med.invitations[0]")
            sid = await page.js("med.session")
            assert inv["label"] == "party-a" and len(inv["code"]) == 6 and inv["link"].startswith(base + "/m/")
            # A second session (another matter): its invitation must not open the first.
            other = await page.js("""fetch('/mediation/api/sessions', {method: 'POST', headers: {'Content-Type': 'application/json'},
                body: JSON.stringify({matter: '另一纠纷', parties: [{name: '王五', joins: 'phone'}, {name: '赵六', joins: 'phone'}]})})
                .then(r => r.json())""")
            live = desk.live[sid]
            b = party(live.room.passes["party-b"])  # the pass the terminal at MED2 is given
            await b.join()
            try:
                async with AsyncBrowser(inv["link"], 420, 860, extra_args=MEDIA_FLAGS) as phone:
                    await phone.wait_for("window.phone !== undefined")
                    # Another session's code on this invitation, then a wrong one: refused.
                    for code in (other["invitations"][0]["code"], "000000" if inv["code"] != "000000" else "111111"):
                        await phone.js(f"document.querySelector('#code').value = {code!r}; document.querySelector('#go').click(); true")
                        await phone.wait_for("document.querySelector('#code_error').textContent !== ''")
                        await phone.js("document.querySelector('#code_error').textContent = ''; true")
                    out["wrong_code_step"] = await phone.js("phone.step")
                    await phone.js(f"document.querySelector('#code').value = {inv['code']!r}; document.querySelector('#go').click(); true")
                    await phone.wait_for("phone.step === 'consent' && phone.hello === true")
                    await phone.js("document.querySelector('#yes').click(); true")
                    await phone.wait_for("phone.room !== null && Object.keys(phone.room.feeds).length === 2", 20)
                    await b.wait_for_feeds(2, timeout=20)
                    await page.wait_for("med.room !== null && Object.keys(med.room.feeds).length === 2", 20)
                    await page.wait_for("med.state.parties.every(p => p.present || p.label === 'party-b')")
                    await page.wait_for("med.room.received().then(r => Object.values(r).filter(c => c[0] > 0 && c[1] > 0).length === 2)", 20)
                    await phone.wait_for("phone.room.received().then(r => Object.values(r).filter(c => c[0] > 0 && c[1] > 0).length === 2)", 20)
                    # --- media in every direction --------------------------------------------
                    out["desk_got"] = await grown(lambda: page.js("med.room.received()"), until=(10, 40))
                    out["phone_got"] = await grown(lambda: phone.js("phone.room.received()"), until=(10, 40))
                    out["b_got"] = await grown(_aiortc_counts(b), until=(10, 40))
                    out["desk_flags"] = await page.js("document.querySelector('#tile-party-a .flags').textContent")
                    out["desk_who"] = await page.js("document.querySelector('#tile-party-a .who').textContent")
                    # --- a party of another session: the relay refuses that room ---------------
                    # (its own valid token, the other room's number and PIN as if they leaked)
                    room2 = desk.live[other["session_id"]].room
                    out["other_room"] = await phone.js(
                        f"joinRoom('ws://' + location.host + '/m/janus', Object.assign({{}}, phone.pass, {{room: {room2.room}, pin: '{room2.pin}'}}),"
                        " phone.stream, {}).then(() => 'joined', e => String(e))")
                    # --- mute party B: Janus stops forwarding B's streams ----------------------
                    await page.js("document.querySelector('#tile-party-b .mute').click(); true")
                    await page.wait_for("med.state.parties.find(p => p.label === 'party-b').muted === true")
                    await asyncio.sleep(1.0)
                    out["muted_b_at_desk"] = (await grown(lambda: page.js("med.room.received()")))["party-b"]
                    await page.js("document.querySelector('#tile-party-b .mute').click(); true")
                    await page.wait_for("med.state.parties.find(p => p.label === 'party-b').muted === false")
                    await asyncio.sleep(1.5)
                    out["unmuted_b_at_desk"] = (await grown(lambda: page.js("med.room.received()"), until=(5, 40)))["party-b"]
                    # --- side-room with A: B receives nothing of it; A is told -----------------
                    await page.js("document.querySelector('#tile-party-a .side').click(); true")
                    await page.wait_for("med.state.side === 'party-a' && med.side !== null", 15)
                    await phone.wait_for("phone.side !== null", 15)
                    await phone.wait_for("document.querySelector('#notice').textContent.includes('单独谈话')")
                    await page.wait_for("med.side.received().then(r => r['party-a'] && r['party-a'][1] > 0)", 20)
                    await asyncio.sleep(1.0)
                    out["side_b_got"] = await grown(_aiortc_counts(b))
                    out["side_desk_got_a"] = (await grown(lambda: page.js("med.side.received()"), until=(5, 40)))["party-a"]
                    out["notice_during_side"] = await page.js("getComputedStyle(document.querySelector('#side_notice')).display")
                    if DOC_SHOTS:
                        await page.screenshot(DOC_SHOTS / "mediation_desk_side_room.png")
                    await page.js("document.querySelector('#tile-party-a .side').click(); true")
                    await page.wait_for("med.state.side === null && med.side === null", 15)
                    out["notice_after_side"] = await page.js("getComputedStyle(document.querySelector('#side_notice')).display")
                    await asyncio.sleep(1.5)
                    out["after_side_b_got"] = await grown(_aiortc_counts(b), until=(5, 40))
                    # --- party B drops and rejoins --------------------------------------------
                    await b.leave()
                    await page.wait_for("Object.keys(med.room.feeds).length === 1", 15)
                    b = party(live.room.passes["party-b"])
                    await b.join()
                    await page.wait_for("Object.keys(med.room.feeds).length === 2", 20)
                    await b.wait_for_feeds(2, timeout=20)
                    await asyncio.sleep(1.0)
                    out["rejoined_b_got"] = await grown(_aiortc_counts(b), until=(5, 40))
                    # --- the agreement, edited live, signed by both, confirmed ----------------
                    await page.js(f"const a = document.querySelector('#agreement'); a.focus(); a.value = {AGREEMENT!r};"
                                  "a.dispatchEvent(new Event('input')); true")
                    await phone.wait_for(f"document.querySelector('#agreement_text').textContent === {AGREEMENT!r}")
                    await phone.js("phone.draw([[20, 100], [120, 60], [220, 140], [320, 80]]);"
                                   "document.querySelector('#sign').click(); true")
                    await phone.wait_for("phone.state.signed === true")
                    if DOC_SHOTS:
                        await phone.screenshot(DOC_SHOTS / "mediation_phone.png")
                    # B signs on the terminal (its signature arrives the way a terminal's does).
                    await desk.from_party(live, "party-b", {"type": "sign", "png": base64.b64encode(SIGNATURE).decode()})
                    await page.wait_for("!document.querySelector('#confirm').disabled")
                    await page.js("document.querySelector('#confirm').click(); true")
                    await page.wait_for("med.state.agreement_sha256 !== null", 15)
                    out["sha"] = await page.js("med.state.agreement_sha256")
                    await phone.wait_for("document.querySelector('#signed').textContent.includes(phone.state.sha256)")
                    out["pdf"] = await page.js("fetch(document.querySelector('#pdf').href).then(r => r.arrayBuffer())"
                                               ".then(b => Array.from(new Uint8Array(b)))")
                    if DOC_SHOTS:
                        await page.screenshot(DOC_SHOTS / "mediation_desk.png")
                    out["phone_after_close"] = None
                    await page.js("document.querySelector('#close').click(); true")
                    await phone.wait_for("phone.step === 'ended'", 10)
            finally:
                await b.leave()
        out["row"] = SessionStore(fleet.store).session(sid)
        return out

    out = asyncio.run(scenario())
    assert out["wrong_code_step"] == "code"  # another session's code and a wrong one never opened it
    # The mediator sees the party masked, present and consenting (never the full name on the tile).
    assert out["desk_who"] == "甲方 张*" and "在线" in out["desk_flags"] and "同意录音录像" in out["desk_flags"]
    for who, got in (("desk", out["desk_got"]), ("phone", out["phone_got"]), ("party-b", out["b_got"])):
        assert len(got) == 2, (who, got)
        for label, (video, audio) in got.items():
            assert video >= 10 and audio >= 40, f"{who} got only {video} frames, {audio} audio from {label} in 20 s"
    assert "not your session's room" in out["other_room"]
    assert out["muted_b_at_desk"][1] <= 5 and out["muted_b_at_desk"][0] <= 2, out["muted_b_at_desk"]
    assert out["unmuted_b_at_desk"][1] >= 40 and out["unmuted_b_at_desk"][0] >= 5, out["unmuted_b_at_desk"]
    # In the side-room: B receives neither the mediator nor A; the mediator receives A there.
    for label, (video, audio) in out["side_b_got"].items():
        assert video <= 2 and audio <= 5, f"party-b still got {video} frames, {audio} audio from {label} during the side-room"
    assert out["side_desk_got_a"][0] >= 5 and out["side_desk_got_a"][1] >= 40
    # The desk says a side-room is open, and stops saying so once it is over.
    assert out["notice_during_side"] != "none" and out["notice_after_side"] == "none"
    for label, (video, audio) in out["after_side_b_got"].items():
        assert video >= 5 and audio >= 40, f"party-b got {video} frames, {audio} audio from {label} after the side-room"
    for label, (video, audio) in out["rejoined_b_got"].items():
        assert video >= 5 and audio >= 40, f"rejoined party-b got {video} frames, {audio} audio from {label}"
    # The PDF: its hash is the one shown, the agreement's text is in it, two signatures.
    pdf = bytes(out["pdf"])
    assert hashlib.sha256(pdf).hexdigest() == out["sha"] == out["row"]["agreement_sha256"]
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\n", "")
    assert "宅基地边界纠纷" in text and "修缮费人民币三千元" in text and "张三" in text and "李四" in text and "周调解员" in text
    assert sum(len(p.images) for p in reader.pages) == 2
    assert Path(out["row"]["agreement_path"]).read_bytes() == pdf
    assert out["row"]["state"] == "closed"
    assert out["row"]["parties"]["party-a"]["consent"] is True


def test_a_phone_party_gets_the_room_only_after_consent(fleet: Any, janus: JanusServer, tmp_path: Path) -> None:
    add_mediator(fleet)

    async def scenario() -> dict[str, Any]:
        got: dict[str, Any] = {}
        async with centre(fleet, tmp_path / "centre", janus) as (base, _desk), signed_in(base) as http:
            async with http.post("/mediation/api/sessions", json={"matter": "合同纠纷", "parties": [
                    {"name": "张三", "joins": "phone"}, {"name": "李四", "joins": "phone"}]}) as r:
                inv = (await r.json())["invitations"][0]
            async with aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as phone:
                async with phone.post("/m/api/code", json={"invite": inv["link"].rsplit("/", 1)[1], "code": inv["code"]}) as r:
                    got["code"] = r.status
                async with phone.ws_connect("/m/ws") as ctl:
                    got["hello"] = (await ctl.receive_json())["type"]
                    try:
                        async with phone.ws_connect("/m/janus", protocols=("janus-protocol",)):
                            got["relay_before"] = "open"
                    except aiohttp.WSServerHandshakeError as exc:
                        got["relay_before"] = exc.status
                    await ctl.send_json({"type": "consent", "yes": False})
                    kinds = []
                    with contextlib.suppress(asyncio.TimeoutError):
                        while True:
                            kinds.append((await asyncio.wait_for(ctl.receive_json(), 1.0))["type"])
                    got["after_refusal"] = kinds
                    await ctl.send_json({"type": "consent", "yes": True})
                    while True:
                        m = await asyncio.wait_for(ctl.receive_json(), 5.0)
                        if m["type"] == "admitted":
                            got["pass_room"] = m["pass"]["room"]
                            break
                    async with phone.ws_connect("/m/janus", protocols=("janus-protocol",)) as relay:
                        got["relay_after"] = "open" if not relay.closed else "closed"
        return got

    got = asyncio.run(scenario())
    assert got["code"] == 200 and got["hello"] == "hello"
    assert got["relay_before"] == 403  # no consent yet: no media server
    assert "admitted" not in got["after_refusal"]  # refused: never the room's pass
    assert got["pass_room"] > 0 and got["relay_after"] == "open"
