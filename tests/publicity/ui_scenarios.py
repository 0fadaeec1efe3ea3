"""法治宣传 on the real app, offscreen, each scenario in a fresh process:

    python -m tests.support.ui tests.publicity.ui_scenarios NAME DATA_DIR OUT.json [WxH] [JSON]

The test installs a package into the data dir first (as the updater would). The quiet
while before the slideshow starts is shortened to ``record["start_after_s"]``.
"""

from __future__ import annotations

from typing import Any

from tests.support import ui
from tests.support.ui import Scenarios, Steps, spoken, wait_for

SCENARIOS = Scenarios(maxfps=30)
scenario = SCENARIOS.add


def _ui(p: Any) -> Any:
    return p.app.uis["publicity"]


def _quiet_while(p: Any, record: dict[str, Any]) -> None:
    publicity = _ui(p)
    p.app.elder = bool(record.get("elder"))  # a look at the slides in elder type (by hand)
    publicity.publicity.start_after_s = float(record.get("start_after_s", 1.0))
    publicity.wait(publicity.publicity.start_after_s)


def _showing(p: Any) -> str:
    slide = _ui(p).show.current
    return slide.item.id if slide is not None and _ui(p).show.playing else ""


@scenario
def plays_then_touch(p: Any, record: dict[str, Any]) -> Steps:
    """Attract → (quiet) the due slides in turn → 朗读 on the text slide → a touch
    stops the show at once and starts a visit; back at attract it plays again."""
    _quiet_while(p, record)
    yield from wait_for(p, lambda: _showing(p) != "", 10, settle=0.5)
    record["first"] = _showing(p)
    ui.look(p, record, record.get("shot_prefix", "") + "publicity_image")
    seen = [_showing(p)]
    yield from wait_for(p, lambda: _showing(p) == "text1", 30, settle=0.5)
    seen.append(_showing(p))
    ui.look(p, record, record.get("shot_prefix", "") + "publicity_text")
    yield p.tap("publicity:read")
    yield from wait_for(p, lambda: any("宪法是国家的根本法" in s for s in spoken(p)), 5)
    record["spoken"] = spoken(p)
    record["still_playing_after_read"] = _ui(p).show.playing
    yield from wait_for(p, lambda: _showing(p) not in ("", "text1"), 30, settle=0.3)
    seen.append(_showing(p))
    ui.look(p, record, record.get("shot_prefix", "") + "publicity_video")
    # The video slide plays its picture: two moments, two different frames.
    from pathlib import Path  # deferred with the rest of this scenario's app-side helpers

    yield 0.2
    p.screenshot(Path(record["data_dir"]) / "video-a.png")
    record["video_frames_a"] = _ui(p).show.video.frames if _ui(p).show.video else 0
    yield 0.8
    p.screenshot(Path(record["data_dir"]) / "video-b.png")
    record["video_frames_b"] = _ui(p).show.video.frames if _ui(p).show.video else 0
    record["seen"] = seen
    record["shown_before_touch"] = _ui(p).show.shown
    # A finger anywhere on the slide (the middle, over the attract screen's start button).
    from kivy.core.window import Window  # deferred: Kivy loads in the app's process only

    yield p.tap_at(Window.width / 2, Window.height / 2)
    record["playing_after_touch"] = _ui(p).show.playing
    record["screen_after_touch"] = p.app.sm.current
    record["slideshow_on_screen"] = _ui(p).show.parent is not None
    ui.look(p, record, "after_touch", photograph=False)
    yield p.tap("finish")
    yield from wait_for(p, lambda: p.app.sm.current == "attract", 5)
    _quiet_while(p, record)
    yield from wait_for(p, lambda: _showing(p) != "", 10)
    record["plays_again"] = _showing(p)


@scenario
def interrupted(p: Any, record: dict[str, Any]) -> Steps:
    """The slideshow stops at once on a PublicityInterrupted event (someone approaches);
    the attract screen stays, and the slideshow comes back after the quiet while."""
    # deferred: the app's modules load after prepare_kivy
    from kiosk.publicity.feature import PublicityInterrupted

    _quiet_while(p, record)
    yield from wait_for(p, lambda: _showing(p) != "", 10, settle=0.3)
    record["before"] = _showing(p)
    p.app.terminal.flow.handle(PublicityInterrupted("approach"))
    record["playing_after_event"] = _ui(p).show.playing
    record["screen_after_event"] = p.app.sm.current
    yield 0.3
    ui.look(p, record, "after_event", photograph=False)
    yield from wait_for(p, lambda: _showing(p) != "", 10)
    record["back_after"] = _showing(p)
    # A key of the keypad stops it too, and the focus is on the attract screen's own buttons.
    yield p.press_key(ui.KEY_DOWN)
    record["playing_after_key"] = _ui(p).show.playing
    focused = p.app.keypad.focused
    record["focused_after_key"] = focused.action if focused is not None else ""


@scenario
def nothing_due(p: Any, record: dict[str, Any]) -> Steps:
    """No item is due here now: the attract screen stays as it is."""
    _quiet_while(p, record)
    yield 3.0
    record["playing"] = _ui(p).show.playing
    ui.look(p, record, "attract", photograph=False)


@scenario
def long_text(p: Any, record: dict[str, Any]) -> Steps:
    """A text slide of 600 characters, in elder type: it fits between its title and 朗读."""
    _quiet_while(p, record)
    yield from wait_for(p, lambda: _showing(p) != "", 10, settle=1.0)
    show = _ui(p).show
    body, title, read = show.ids.body, show.ids.title, show.ids.read
    record["fits"] = body.texture_size[1] <= body.height + 1
    record["below_title"] = body.top <= title.y + 1 and body.y >= read.top - 1
    record["font_size"] = body.font_size
    ui.look(p, record, record.get("shot_prefix", "") + "publicity_long_text")
