"""Home-screen and layout scenarios, each run in a fresh process (one Kivy window each),
on a terminal whose queue is already being served (as ``kiosk screenshot`` seeds it):

    python -m tests.support.ui tests.screens.home_scenarios NAME DATA_DIR OUT.json WxH GIVEN_JSON

Each drives the real app and records what a person would see.
"""

from __future__ import annotations

from typing import Any

from kiosk.ports import DeviceKind, DeviceState
from tests.support.ui import Scenarios, Steps, go

SCENARIOS = Scenarios(demo_queue=True)
scenario = SCENARIOS.add


def home_now(p: Any) -> dict[str, Any]:
    """The home screen as shown: its buttons' actions, its texts, its tiles' sizes."""
    screen = p.app.sm.current_screen
    tiles = [w for w in screen.walk(restrict=True) if type(w).__name__ == "ServiceTile"]
    return {
        "screen": p.app.sm.current,
        "actions": sorted(b.action for b in p.buttons() if b.action),
        "texts": p.texts(),
        "tile_sizes": [[t.width, t.height] for t in tiles],
        "window_cols": screen.ids.tiles.cols,
    }


@scenario
def home_tiles(p: Any, record: dict[str, Any]) -> Steps:
    """The home screen offline, then with the centre's duty lawyer reachable, then with
    the camera gone; each time as shown to a person."""
    t = p.app.terminal
    yield p.tap("start")
    record["offline"] = home_now(p)
    t.centre = t.video.demo_centre()  # a duty lawyer on 127.0.0.1
    p.app.root_screen("home").refresh()
    yield 0.3
    record["online"] = home_now(p)
    yield p.tap("call:open")
    record["after_call_tap"] = p.app.sm.current
    yield p.tap("back")
    # Unplugged the way the technician screen's simulator button does: the camera's own
    # thread stops drawing and the device reports itself absent.
    p.app.act("sim:camera.toggle")
    camera = t.devices[DeviceKind.CAMERA]
    while camera.health().state is not DeviceState.ABSENT:  # the camera's own thread notices
        yield 0.05
    p.app.root_screen("home").refresh()
    yield 0.3
    record["no_camera"] = home_now(p)


@scenario
def home_modes(p: Any, record: dict[str, Any]) -> Steps:
    """The tiles' sizes in standard and elder mode."""
    t = p.app.terminal
    t.centre = t.video.demo_centre()
    yield p.tap("start")
    record["standard"] = home_now(p)
    yield p.tap("elder")
    yield 0.3
    record["elder"] = home_now(p)


@scenario
def layout_catches(p: Any, record: dict[str, Any]) -> Steps:
    """The layout check finds a label whose text is cut off, a label that spills out of
    its box, overlapping buttons, a notice over a button and a squashed keypad key."""
    from kivy.uix.label import Label

    from screens.audit import audit_screen
    from screens.widgets import KButton

    yield p.tap("start")
    screen = p.app.sm.current_screen
    # Text boxed into one line's height: the second line is not drawn at all.
    cut = Label(text="第一行\n第二行被截掉", size_hint=(None, None), size=(300, 40), pos=(20, 300), font_size=24)
    cut.text_size = cut.size
    # A long line in a narrow box with nothing to wrap it: it runs out of the box.
    spill = Label(text="这一行字太长了，放不下这个框", size_hint=(None, None), size=(80, 40), pos=(20, 400), font_size=24)
    # A keypad key 40 px high, and a button laid over another.
    key = KButton(text="7", action="numpad:7", size_hint=(None, None), size=(120, 40), pos=(400, 300))
    under = KButton(text="下面", action="take", size_hint=(None, None), size=(200, 80), pos=(700, 300))
    over = KButton(text="上面", action="materials", size_hint=(None, None), size=(200, 80), pos=(760, 320))
    notice = Label(text="打印机缺纸", size_hint=(None, None), size=(260, 60), pos=(720, 310), font_size=22)
    notice.is_notice = True
    for w in (cut, spill, key, under, over, notice):
        screen.add_widget(w)
    yield 0.4
    _, found = audit_screen(p.app, "home", elder=False)
    record["found"] = [[v.widget, v.check, v.detail] for v in found]


def consultation_tile(p: Any) -> str:
    """The consultation tile's words as shown (markup removed)."""
    from screens.widgets import strip_markup  # deferred: Kivy only in the app's process

    return next(strip_markup(b.text) for b in p.buttons() if b.action == "service:consultation")


@scenario
def home_again(p: Any, record: dict[str, Any]) -> Steps:
    """The home screen shown, left for a whole visit (a consultation ticket taken), shown
    again, then in English: what it shows each time, and which tile widgets it is
    made of (their identities: reused or built afresh)."""
    home = p.app.root_screen("home")

    def parts() -> list[int]:
        return [id(w) for w in home.walk(restrict=True) if type(w).__name__ in ("ServiceTile", "TileNote")]

    yield p.tap("start")
    yield 0.3
    record["first"] = {"parts": parts(), "consultation": consultation_tile(p), **home_now(p)}
    yield from go(p, "service:consultation", "service")
    yield from go(p, "materials", "materials")
    yield from go(p, "take", "ticket")
    yield from go(p, "finish", "done")
    yield from go(p, "finish", "attract")
    yield from go(p, "start", "home")
    yield 0.3
    record["again"] = {"parts": parts(), "consultation": consultation_tile(p), **home_now(p)}
    yield p.tap("lang")
    yield 0.3
    record["english"] = {"parts": parts(), "consultation": consultation_tile(p), **home_now(p)}
