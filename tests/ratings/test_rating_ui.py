"""The rating screens driven by touch, by the keypad and by voice (the real app,
offscreen, in a subprocess); the ratings land in the outbox as anonymous events."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support import ROOT
from tests.support.ui import run_scenario

pytestmark = pytest.mark.ui


def test_rating_by_touch_keypad_and_voice(tmp_path: Path) -> None:
    from kiosk.bootstrap import build_terminal
    from kiosk.config import KioskConfig
    from kiosk.store import DB_FILENAME, connect

    data = tmp_path / "kiosk"
    t = build_terminal(KioskConfig(), data, with_devices=False)
    served = t.queue.take("mediation")  # served at window 3 a moment ago
    t.queue.call_next(3)
    t.queue.done(3)
    r = run_scenario("tests.appointments.ui_scenarios", "ratings", data,
                     {"digits": "1", "shots": str(ROOT / "docs" / "screens") if os.environ.get("KIOSK_DOC_SHOTS") else ""},
                     out=tmp_path / "ratings.json")
    steps = {s["label"]: s for s in r["steps"]}

    def text(label: str) -> str:
        return "\n".join(steps[label]["texts"])

    assert r["violations"] == []  # the accessibility audit, standard, elder and English
    assert "How was our service?" in text("rating_en") and "Very satisfied" in text("rating_en")
    assert "请输入号票上的数字" in text("rating_ticket")
    assert steps["rating"]["screen"] == "rate" and served.number in text("rating")  # C001 found by "1"
    for face in ("非常满意", "满意", "一般", "不满意", "非常不满意"):
        assert face in text("rating")
    assert "等待太久" in text("rating_reasons") and "耐心热情" not in text("rating_reasons")  # complaints fit a 2
    assert "谢谢您的评价！" in text("rating_thanks")
    assert "谢谢您的评价！" in text("rating_keypad_done")
    assert r["after_number"] == 3 and r["after_name"] == 5  # "三分", then "非常满意"
    assert "谢谢您的评价！" in text("rating_voice_done")
    assert any("非常满意、满意、一般、不满意、非常不满意" in s for s in r["spoken"])  # the screen says how to answer

    rows = connect(data / DB_FILENAME).execute("SELECT payload FROM outbox WHERE kind = 'rating' ORDER BY seq").fetchall()
    got = [json.loads(row["payload"]) for row in rows]
    assert [(g["service"], g["score"], g["reasons"], g["source"]) for g in got] == [
        ("mediation", 2, ["long_wait"], "ticket"),
        ("video", 4, [], "video"),
        ("video", 5, [], "video"),
    ]
    assert all(set(g) == {"day", "service", "score", "reasons", "source"} for g in got)  # no number, no time of day
