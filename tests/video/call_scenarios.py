"""Call-screen scenarios, each in a fresh process (Kivy: one window per process).

    python -m tests.support.ui tests.video.call_scenarios NAME DATA_DIR OUT.json [WxH] [GIVEN_JSON]

The real app, the real terminal-side call (aiortc on its own loop, the simulated
camera) and, for the centre, ``remote_video.loopback.LoopbackCentre``: a duty lawyer on
127.0.0.1 answering with a real aiortc peer. Driven by touches and by recognised text,
recorded as what a person sees.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Callable

from kiosk.store import DB_FILENAME
from tests.support import ui
from tests.support.ui import Scenarios, Steps, hear, look

SCENARIOS = Scenarios()
scenario = SCENARIOS.add


def join_loopback(p: Any, record: dict[str, Any], **kw: Any) -> Any:
    """A duty lawyer on 127.0.0.1 (a real aiortc peer) as the terminal's centre."""
    # deferred: aiortc is heavy, and only the call scenarios need it
    from remote_video.loopback import LoopbackCentre
    from remote_video.peer import restrict_host_addresses

    restrict_host_addresses(["127.0.0.1"])
    centre = LoopbackCentre(**kw)
    p.app.terminal.centre = centre
    return centre


def _until(p: Any, pred: Callable[[], Any], timeout: float = 15.0) -> Steps:
    return ui.wait_for(p, pred, timeout)


def _outbox(p: Any) -> list[dict[str, Any]]:
    conn = sqlite3.connect(Path(p.app.terminal.data_dir) / DB_FILENAME)
    rows = conn.execute("SELECT kind, payload FROM outbox WHERE kind = 'video_call'").fetchall()
    conn.close()
    return [json.loads(r[1]) for r in rows]


def _media_flowing(p: Any, record: dict[str, Any]) -> bool:
    """The terminal's counts into ``record["stats"]``; whether they reach the floors
    tests/video/test_call_screens.py asserts."""
    record.setdefault("stats", dict.fromkeys(("video_received", "audio_received", "video_sent", "audio_sent", "audio_peak"), 0))
    stats = p.app.terminal.video.stats()
    if stats is None:
        return False
    record["stats"] = {"video_received": stats.video_received, "audio_received": stats.audio_received,
                       "video_sent": stats.video_sent, "audio_sent": stats.audio_sent, "audio_peak": stats.audio_peak}
    return (stats.video_received >= 5 and stats.audio_received >= 20 and stats.audio_peak > 500
            and stats.video_sent >= 5 and stats.audio_sent >= 20)


@scenario
def call_by_touch(p: Any, record: dict[str, Any]) -> Steps:
    """No centre: no call offered. A centre with nobody on duty: told plainly, offered a
    ticket. Then a lawyer on duty: the villager consents to recording, talks, hangs up."""
    yield p.tap("start")
    record["home_actions_no_centre"] = [b.action for b in p.buttons()]
    centre = join_loopback(p, record, queue_s=float(record.get("queue_s", 3.0)), lawyers=0)
    p.app.root_screen("home").refresh()
    yield 0.2
    record["home_actions"] = [b.action for b in p.buttons()]
    yield p.tap("call:open")
    yield p.tap("call:agree")
    yield from _until(p, lambda: p.app.sm.current == "call_ended", 5)
    yield 0.2
    look(p, record, "no_lawyer")
    yield p.tap("call:ticket")
    look(p, record, "ticket_service")
    yield p.tap("home")
    centre.lawyers = 1  # a lawyer comes on duty
    if record.get("elder"):
        yield p.tap("elder")
    look(p, record, "home")
    yield p.tap("call:open")
    look(p, record, "consent")
    if record.get("shots"):
        p.screenshot(Path(record["shots"]) / "call_consent.png")
    yield p.tap("call:agree")
    look(p, record, "wait_first")
    yield from _until(p, lambda: "下一位就是您" in p.screen_text() or "next" in p.screen_text(), 10)
    look(p, record, "wait")
    record["idle_timeout_waiting"] = p.app.terminal.flow.idle_timeout()
    if record.get("shots"):
        p.screenshot(Path(record["shots"]) / "call_wait.png")
    yield from _until(p, lambda: p.app.sm.current == "call_active", 20)
    screen = p.app.sm.current_screen
    yield from _until(p, lambda: screen.remote_texture is not None and screen.self_texture is not None, 10)
    yield 1.5  # talk
    # Then the counts, read until they reach the test's floors or a deadline (a loaded
    # machine may be slow to get going; media that never flows still fails the test).
    yield from _until(p, lambda: _media_flowing(p, record), 20)
    look(p, record, "active")
    record["remote_texture"] = list(screen.remote_texture.size) if screen.remote_texture else None
    record["self_texture"] = list(screen.self_texture.size) if screen.self_texture else None
    if record.get("shots"):
        p.screenshot(Path(record["shots"]) / "call_active.png")
    record["idle_timeout_in_call"] = p.app.terminal.flow.idle_timeout()
    yield p.tap("call:vol_up")
    look(p, record, "louder")
    yield p.tap("call:hangup")
    yield from _until(p, lambda: p.app.sm.current == "call_ended", 5)
    yield 0.3
    look(p, record, "ended")
    if record.get("shots"):
        p.screenshot(Path(record["shots"]) / "call_ended.png")
    record["ended_actions"] = [b.action for b in p.buttons()]
    record["signals"] = [s.type for s in centre.signals]
    record["consent"] = [s for s in centre.signals if s.type == "request"][-1].record
    record["outbox"] = _outbox(p)
    yield p.tap("home")
    look(p, record, "home_again")
    centre.close()


@scenario
def call_by_voice(p: Any, record: dict[str, Any]) -> Steps:
    """Voice mode: "视频咨询", consent refused by saying "不同意", the lawyer hangs up."""
    centre = join_loopback(p, record, queue_s=0.8)

    def say(text: str) -> float:
        hear(p, text)
        return 0.5

    yield p.tap("voice")
    yield say("我要跟律师视频")
    look(p, record, "consent")
    yield say("不同意")
    look(p, record, "wait")
    yield from _until(p, lambda: p.app.sm.current == "call_active", 20)
    yield 1.0
    look(p, record, "active")
    centre.hang_up()
    yield from _until(p, lambda: p.app.sm.current == "call_ended", 5)
    yield 0.3
    look(p, record, "ended")
    record["spoken"] = ui.spoken(p)
    record["consent"] = centre.signals[0].record
    record["outbox"] = _outbox(p)
    centre.close()
