"""UI scenarios for the message line and the small things a person notices, run like
tests/screens/scenarios.py (one fresh process each):

    python tests/screens/small_scenarios.py NAME DATA_DIR OUT.json [WxH] [GIVEN_JSON]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.screens.scenarios import SCENARIOS, Steps, look, main, scenario  # noqa: E402

LONG_NOTICE = "打印失败，请拍照或扫码保存您的号码。本机没有语音识别，请跳过，到窗口再说。申请没有保存成功，请再按一次提交"


def _rect(w: Any) -> list[float]:
    x, y = w.to_window(*w.pos)
    return [round(x, 1), round(y, 1), round(w.width, 1), round(w.height, 1)]


def _layout(p: Any) -> dict[str, Any]:
    """Every button's rectangle (window pixels), and every notice's."""
    from screens.widgets import KButton

    buttons, notices = [], []
    for w in p.app.sm.current_screen.walk(restrict=True):
        if isinstance(w, KButton) and w.opacity > 0 and not w.disabled and w.width > 1:
            buttons.append({"action": w.action or w.text[:20], "rect": _rect(w)})
        if getattr(w, "is_notice", False):
            notices.append({"rect": _rect(w), "text": w.text, "shown": bool(w.text)})
    return {"buttons": buttons, "notices": notices}


@scenario
def notices_everywhere(p: Any, record: dict[str, Any]) -> Steps:
    """Every screen of the app, without and with a (long) notice, in normal and elder mode."""
    from screens.app import SCREENS

    app = p.app
    yield p.tap("start")
    record["screens"] = {}
    for elder in (False, True):
        if app.elder != elder:
            yield p.tap("elder")
        for name in record.get("only") or SCREENS:
            try:
                app.show_screen(name)
            except Exception as exc:  # noqa: BLE001 — a screen that needs data it lacks here
                record.setdefault("errors", []).append(f"{name}: {type(exc).__name__}: {exc}")
                continue
            app._hide_notice(0)
            yield 0.25
            before = _layout(p)
            app._banner(LONG_NOTICE)
            yield 0.25
            after = _layout(p)
            if name in record.get("shots_of", ()):  # for looking at, by hand
                p.screenshot(Path(record["shots"]) / f"{name}{'-elder' if elder else ''}.png")
            record["screens"][f"{name}{'/elder' if elder else ''}"] = {"before": before, "after": after}
        app.show_screen("home")
        yield 0.1
    app._hide_notice(0)


@scenario
def story_notice(p: Any, record: dict[str, Any]) -> Steps:
    """The real notice of a real step: dictating with no recogniser says so in the line."""
    app = p.app
    yield p.tap("start")
    app.show_screen("la_story")
    yield 0.2
    before = _layout(p)
    yield p.tap("la:story:dictate")
    yield 0.2
    record["notice"] = app.notice
    record["before"], record["after"] = before, _layout(p)
    look(p, record, "story")


if __name__ == "__main__":
    assert SCENARIOS
    main()
