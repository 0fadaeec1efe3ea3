"""The window console's rating pad in headless chromium: 办结 turns the tablet to the
person served; a face, a reason, 提交 → one anonymous rating event; the pad goes away."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from tests.support.cdp import CHROMIUM, AsyncBrowser
from tests.calling.support import console, request

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)")
# Set KIOSK_DOC_SHOTS=1 to refresh docs/screens/rating_console*.png from this test.
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screens" if os.environ.get("KIOSK_DOC_SHOTS") else None


async def drive(base: str) -> dict[str, object]:
    seen: dict[str, object] = {}
    async with AsyncBrowser(base + "/", 1280, 800) as b:
        await b.wait_for("document.querySelectorAll('#service-list input').length > 0")
        await b.js("document.getElementById('window').value = '4'; document.getElementById('do-sign-in').click()")
        await b.wait_for("!document.getElementById('desk').hidden")
        await b.js("document.getElementById('call').click()")
        await b.wait_for("document.getElementById('current').textContent === 'C001'")
        await b.js("document.getElementById('done').click()")
        await b.wait_for("document.querySelectorAll('#rate-pad .face').length === 5")
        seen["title"] = await b.js("document.getElementById('rate-title').textContent")
        seen["faces"] = await b.js("Array.from(document.querySelectorAll('#rate-pad .face span')).map(e => e.textContent)")
        await b.js("document.querySelector('#rate-pad .face[data-score=\"5\"]').click()")
        await b.wait_for("document.querySelectorAll('#rate-pad .reason').length > 0")
        seen["reasons"] = await b.js("Array.from(document.querySelectorAll('#rate-pad .reason')).map(e => e.textContent)")
        await b.js("document.querySelector('#rate-pad .reason[data-reason=\"patient\"]').click()")
        await asyncio.sleep(0.2)
        if SHOTS:
            await b.screenshot(SHOTS / "rating_console.png")
        await b.js("document.getElementById('rate-submit').click()")
        await b.wait_for("document.getElementById('rate-msg') && document.getElementById('rate-msg').textContent !== ''")
        seen["thanks"] = await b.js("document.getElementById('rate-msg').textContent")
        if SHOTS:
            await b.screenshot(SHOTS / "rating_console_thanks.png")
        await b.wait_for("!document.getElementById('rate-pad')", timeout=8)
        seen["pad_gone"] = True
    return seen


def test_the_window_tablet_asks_for_a_rating_after_done(data_dir: Path) -> None:
    from kiosk.bootstrap import build_terminal
    from kiosk.config import KioskConfig
    from kiosk.store import DB_FILENAME, connect

    t = build_terminal(KioskConfig(), data_dir, with_devices=False)
    t.queue.take("mediation")
    with console(data_dir) as base:
        seen = asyncio.run(drive(base))
        # The same ticket cannot be rated twice, nor a ticket another window served.
        again = request(base, "POST", "/api/rate", {"window": 4, "number": "C001", "score": 1})
        other = request(base, "POST", "/api/rate", {"window": 5, "number": "C001", "score": 1})
    assert seen["title"] == "请您对本次服务评价"
    assert seen["faces"] == ["非常满意", "满意", "一般", "不满意", "非常不满意"]
    assert seen["reasons"] == ["耐心热情", "专业", "办事快", "讲解清楚"]  # praise fits a 5
    assert seen["thanks"] == "谢谢您的评价！" and seen["pad_gone"]
    assert again == (409, {"error": "rating.already", "detail": "ticket C001 was already rated"})
    assert other[0] == 409 and other[1]["error"] == "rating.not_served"
    rows = connect(data_dir / DB_FILENAME).execute("SELECT payload FROM outbox WHERE kind = 'rating'").fetchall()
    assert [json.loads(r["payload"]) for r in rows] == [
        {"day": rows and json.loads(rows[0]["payload"])["day"], "service": "mediation", "score": 5, "reasons": ["patient"], "source": "ticket"}
    ]
