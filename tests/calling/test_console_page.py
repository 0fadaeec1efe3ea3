"""The window console's page in headless chromium: sign in, call next, see who waits,
transfer, switch to English."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image

from tests.support.cdp import CHROMIUM, AsyncBrowser
from tests.calling.support import console, request
from tests.calling.test_console_http import seed

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)")

# Set KIOSK_DOC_SHOTS=1 to refresh docs/screens/console*.png from this test.
DOC_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screens" if os.environ.get("KIOSK_DOC_SHOTS") else None


def texts(selector: str) -> str:
    return f"Array.from(document.querySelectorAll({selector!r})).map(e => e.textContent)"


async def drive(base: str, shots: Path) -> dict[str, object]:
    seen: dict[str, object] = {}
    async with AsyncBrowser(base + "/", 1280, 800) as b:
        await b.wait_for("document.querySelectorAll('#service-list input').length > 0")
        assert await b.js("document.getElementById('sign-in').hidden") is False
        seen["sign_in_button"] = await b.js("document.getElementById('do-sign-in').textContent")
        # Window 2, handling consultation and legal aid.
        await b.js(
            "document.getElementById('window').value = '2';"
            "document.querySelectorAll('#service-list input').forEach(i => i.checked = ['consultation','legal_aid'].includes(i.value));"
        )
        await b.screenshot(shots / "console-sign-in.png")
        await b.js("document.getElementById('do-sign-in').click()")
        await b.wait_for("!document.getElementById('desk').hidden && document.querySelectorAll('#upcoming li[data-number]').length > 0")
        seen["waiting_before"] = await b.js(texts("#upcoming .num"))
        # What is hidden must not be seen (a style rule could undo the hidden attribute).
        seen["shown"] = await b.js(
            "['sign-in', 'pin-row', 'desk', 'sign-out'].filter(id => getComputedStyle(document.getElementById(id)).display !== 'none'"
            " && document.getElementById(id).offsetParent !== null)"
        )
        await b.js("document.getElementById('call').click()")
        await b.wait_for("document.getElementById('current').textContent !== '—'")
        await b.wait_for("document.getElementById('message').textContent !== ''")
        seen["current"] = await b.js("document.getElementById('current').textContent")
        seen["message"] = await b.js("document.getElementById('message').textContent")
        await b.wait_for(f"{texts('#upcoming .num')}.length < {len(seen['waiting_before'])}")  # type: ignore[arg-type]
        seen["waiting_after"] = await b.js(texts("#upcoming .num"))
        seen["who"] = await b.js("document.getElementById('who').textContent")
        seen["other"] = await b.js(texts("#windows li"))
        await asyncio.sleep(0.3)
        await b.screenshot(shots / "console.png")
        # Transfer the person being served to mediation.
        await b.js("document.getElementById('transfer-to').value = 'mediation'; document.getElementById('transfer').click()")
        await b.wait_for("document.getElementById('current').textContent === '—'")
        seen["after_transfer_message"] = await b.js("document.getElementById('message').textContent")
        await b.js("document.getElementById('lang').click()")
        await b.wait_for("document.getElementById('call').textContent === 'Call next'")
        await asyncio.sleep(0.3)
        await b.screenshot(shots / "console-en.png")
        seen["title_en"] = await b.js("document.title")
    return seen


def test_console_page_calls_and_shows_who_waits(data_dir: Path, tmp_path: Path) -> None:
    issued = seed(data_dir, 9)  # A001* B001 C001 A002 B002 C002* A003 B003 C003 (* elderly)
    assert issued[0] == "A001"
    with console(data_dir) as base:
        # Window 1 (mediation) is already serving someone: the page lists other windows.
        assert request(base, "POST", "/api/call", {"window": 1, "services": ["mediation"]})[1]["ticket"]["number"] == "C002"
        seen = asyncio.run(drive(base, tmp_path))
        _, state = request(base, "GET", "/api/state?window=2&services=mediation")
    assert seen["sign_in_button"] == "进入窗口"
    # The next for consultation + legal aid, in call order: the elderly A001 first.
    assert seen["waiting_before"] == ["A001", "B001", "A002", "B002", "A003", "B003"]
    assert seen["shown"] == ["desk", "sign-out"]
    assert seen["current"] == "A001"
    assert seen["message"] == "已呼叫 A001 到 2 号窗口"
    assert seen["waiting_after"] == ["B001", "A002", "B002", "A003", "B003"]
    assert seen["who"] == "窗口 2"
    assert seen["other"] == ["1 号窗口：C002"]
    assert seen["after_transfer_message"] == "A001 已转到人民调解，保留原排队位置"
    assert seen["title_en"] == "Window console"
    # A001 now waits for mediation, ahead of C001 and C003 (issued after it).
    assert [t["number"] for t in state["upcoming"]] == ["A001", "C001", "C003"]
    for name in ("console-sign-in.png", "console.png", "console-en.png"):
        image = Image.open(tmp_path / name)
        assert image.size == (1280, 800)
        if DOC_SHOTS is not None:
            shutil.copy(tmp_path / name, DOC_SHOTS / name)
