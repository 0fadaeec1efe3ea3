"""Legal-aid scenarios for the ways of signing, the summary and the reasons, played like
tests/legal_aid/scenarios.py (one fresh process each; they join its scenarios):

    python -m tests.support.ui tests.legal_aid.sign_scenarios NAME DATA_DIR OUT.json [WxH] [RECORD_JSON]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.legal_aid.scenarios import SCENARIOS, place_card, scenario
from tests.support.ui import Steps, go, look, speaker, wait_for

__all__ = ["SCENARIOS"]


def to_hardship(p: Any, record: dict[str, Any]) -> Steps:
    """Home → a wages application → the card → no group → the hardship declaration."""
    yield from go(p, "start", "home")
    yield from go(p, "la:open", "la_matter")
    look(p, record, "la_matter")
    record["matter_spoken"] = p.app.sm.current_screen.spoken_intro()
    yield from go(p, "la:matter:wages", "card")
    yield from place_card(p, record)
    yield from go(p, "la:group:none", "la_hardship")
    look(p, record, "la_hardship")


def to_sign(p: Any, record: dict[str, Any]) -> Steps:
    """From the hardship declaration (declared) to the signing step."""
    yield from go(p, "la:hardship:yes", "la_phone")
    for d in "13812345678":
        yield p.tap(f"numpad:{d}")
    yield from go(p, "numpad:ok", "la_story")
    yield from go(p, "la:story:skip", "la_letter")
    yield from go(p, "la:letter:agree", "la_sign")
    yield 0.3
    look(p, record, "la_sign")


def finish_visit(p: Any, record: dict[str, Any]) -> Steps:
    s = p.app.terminal.flow.features.get("legal_aid").draft.submitted
    record["submitted"] = {"number": s.number, "code": s.check_code, "sign_method": s.sign_method} if s else None
    record["spoken"] = speaker(p).spoken()
    printed = Path(record["data_dir"]) / "printer"
    record["printed_files"] = sorted(f.name for f in printed.iterdir()) if printed.is_dir() else []
    yield p.tap("finish")


@scenario
def hardship_answered_no(p: Any, record: dict[str, Any]) -> Steps:
    """The declaration read aloud on request; "我不困难" gives the real reason; back to change it."""
    yield from to_hardship(p, record)
    before = len(speaker(p).spoken())
    yield p.tap("la:hardship:read")
    yield 0.3
    record["read"] = speaker(p).spoken()[before:]
    yield from go(p, "la:hardship:no", "la_outside")
    look(p, record, "la_outside")
    record["outside_buttons"] = sorted(b.action for b in p.app.buttons_on_screen())
    yield from go(p, "back", "la_hardship")
    look(p, record, "back")


@scenario
def sign_by_fingerprint(p: Any, record: dict[str, Any]) -> Steps:
    """The summary is shown; the person switches to a fingerprint mark and presses a finger."""
    yield from to_hardship(p, record)
    yield from to_sign(p, record)
    record["sign_spoken"] = p.app.sm.current_screen.spoken_intro()
    yield p.tap("la:sign:fingerprint")
    yield 0.2
    look(p, record, "fingerprint")
    yield p.tap("la:sign:submit")  # nothing pressed yet: refused, said why
    record["empty_notice"] = p.app.notice
    pad = p.app.sm.current_screen.ids.pad
    x, y = pad.to_window(*pad.center)
    yield p.tap_at(x, y)  # one finger pressed in the box
    yield 0.2
    record["mark"] = list(pad.mark) if pad.mark else None
    if record.get("shots"):
        p.screenshot(Path(record["shots"]) / "legal_aid_fingerprint.png")
    yield p.tap("la:sign:submit")
    yield from wait_for(p, lambda: p.app.sm.current == "la_done")
    yield 0.5
    look(p, record, "la_done")
    yield from finish_visit(p, record)


@scenario
def sign_at_the_window(p: Any, record: dict[str, Any]) -> Steps:
    """The person keeps the form for the window: saved, numbered, a slip printed."""
    yield from to_hardship(p, record)
    yield from to_sign(p, record)
    yield p.tap("la:sign:window")
    yield from wait_for(p, lambda: p.app.sm.current == "la_done")
    yield from wait_for(p, lambda: "回执已打印" in p.screen_text(), 10)
    look(p, record, "la_done")
    record["done_spoken"] = p.app.sm.current_screen.spoken_intro()
    yield from finish_visit(p, record)
