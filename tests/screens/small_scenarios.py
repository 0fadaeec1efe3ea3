"""UI scenarios for the message line and the small things a person notices, one fresh
process each:

    python -m tests.support.ui tests.screens.small_scenarios NAME DATA_DIR OUT.json [WxH] [GIVEN_JSON]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.ui import Scenarios, Steps, look

SCENARIOS = Scenarios()
scenario = SCENARIOS.add

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


def settled(p: Any, into: dict[str, Any], key: str) -> Steps:
    """Read the layout until two readings a moment apart agree (content from a worker
    may still arrive on a loaded machine), then keep it under ``into[key]``. Each
    reading is of the screen laid out as the next frame would lay it out."""
    last = measured(p)
    for _ in range(20):
        yield 0.15
        now = measured(p)
        if now == last:
            break
        last = now
    into[key] = last


def measured(p: Any) -> dict[str, Any]:
    """The layout (``_layout``) once what changed has been laid out, without waiting
    for a frame to be drawn."""
    p.lay_out_now()
    return _layout(p)


@scenario
def notices_everywhere(p: Any, record: dict[str, Any]) -> Steps:
    """Every screen of the app, without and with a (long) notice, in normal and elder mode."""
    app = p.app
    yield p.tap("start")
    record["screens"] = {}
    record["rechecked"] = []
    p.draw_frames(False)  # measured only; drawn for a photograph
    for elder in (False, True):
        if app.elder != elder:
            yield p.tap("elder")
        # Every screen without the notice first, then every screen with it: the notice is
        # the app's one banner, which every screen's message line fits itself to at once
        # (a long one is re-rendered there until it fits), so it is put up once, not once
        # per screen.
        without: dict[str, Any] = {}
        for name in record.get("only") or app.screen_table:
            try:
                app.show_screen(name)
            except Exception as exc:  # noqa: BLE001 — a screen that needs data it lacks here
                record.setdefault("errors", []).append(f"{name}: {type(exc).__name__}: {exc}")
                continue
            app._hide_notice(0)
            yield from settled(p, without, name)
        for name in without:
            app.show_screen(name)
            app._banner(LONG_NOTICE)  # the same text: only its timer starts again
            got = {"before": without[name], "after": measured(p)}
            if got["before"]["buttons"] != got["after"]["buttons"]:
                # Looked at apart, the screen may have changed by itself meanwhile: looked
                # at again as the notice appears while it is shown.
                record["rechecked"].append(f"{name}{'/elder' if elder else ''}")
                yield from notice_appearing(p, got)
            before, after = got["before"], got["after"]
            if name in record.get("shots_of", ()):  # for looking at, by hand
                app._banner(LONG_NOTICE)
                p.draw_frames(True)
                yield 0.3
                p.screenshot(Path(record["shots"]) / f"{name}{'-elder' if elder else ''}.png")
                p.draw_frames(False)
            record["screens"][f"{name}{'/elder' if elder else ''}"] = {"before": before, "after": after}
        app._hide_notice(0)
        app.show_screen("home")
        yield 0.1
    app._hide_notice(0)
    p.draw_frames(True)


def notice_appearing(p: Any, got: dict[str, Any]) -> Steps:
    """The screen shown, without and then with the notice, into ``got["before"]`` and
    ``got["after"]``. A screen may still change by itself (content from a worker thread,
    the band's device check) on a loaded machine: a move counts only when the screen
    without the notice looks the same before and after it was shown."""
    app = p.app
    for _attempt in range(3):
        app._hide_notice(0)
        yield from settled(p, got, "before")
        app._banner(LONG_NOTICE)
        # Measured at once, with no frame between: only the notice can have moved
        # anything since "before".
        got["after"] = measured(p)
        if got["before"]["buttons"] == got["after"]["buttons"]:
            return
        app._hide_notice(0)
        yield from settled(p, got, "again")
        if got["before"]["buttons"] == got["again"]["buttons"]:
            return


@scenario
def sign_notice(p: Any, record: dict[str, Any]) -> Steps:
    """The real notice of a real step: 提交 with nothing signed says so in the line."""
    app = p.app
    yield p.tap("start")
    app.show_screen("la_sign")
    # The visit band checks the devices this step needs within 2 s: let it settle
    # first, so that only the notice can move anything after.
    for _ in range(25):
        yield 0.1
    yield from settled(p, record, "before")
    yield p.tap("la:sign:submit")
    yield from settled(p, record, "after")
    record["notice"] = app.notice
    look(p, record, "sign")


@scenario
def elderly_at_the_service(p: Any, record: dict[str, Any]) -> Steps:
    """Two people wait; a 70-year-old reads the consultation service, places the card,
    is offered elder mode, and takes a ticket that says where to wait."""
    from kiosk.tickets import Priority

    app = p.app
    for _ in range(2):
        app.terminal.queue.take("consultation", Priority.NORMAL)
    yield p.tap("start")
    yield 0.2
    look(p, record, "home")
    yield p.tap("service:consultation")
    look(p, record, "service")
    app._run_sim_action("idcard.insert_elderly")  # the technician's simulator control
    for _ in range(60):
        yield 0.1
        if app.terminal.flow.visit.card is not None:
            break
    yield 0.4
    look(p, record, "offer")
    record["offer_buttons"] = sorted(b.action for b in app.buttons_on_screen())
    if record.get("shots"):
        p.screenshot(Path(record["shots"]) / "elder_offer.png")
    yield p.tap("elder_offer:yes")
    yield 0.3
    record["elder"] = app.elder
    record["buttons_after"] = sorted(b.action for b in app.buttons_on_screen())
    look(p, record, "service_after")
    yield p.tap("take")
    yield 0.5
    look(p, record, "ticket")
    if record.get("shots"):
        p.screenshot(Path(record["shots"]) / "ticket_area.png")
    # The same card read again in this visit: no second offer.
    app._run_sim_action("idcard.insert_elderly")
    yield 1.0
    record["offered_again"] = bool(app._offer is not None and app._offer.parent is not None)


@scenario
def laid_out_at_once(p: Any, record: dict[str, Any]) -> Steps:
    """The home screen switched to English and elder mode with drawing off: its layout
    read at once (``lay_out_now``), then again after a few frames."""
    from kivy.clock import Clock
    from kivy.core.window import Window

    from kiosk import events as ev
    from screens.widgets import KButton

    def seen() -> list[Any]:
        return sorted([type(w).__name__, w.text[:30], [round(v, 1) for v in _rect(w)], list(w.texture_size)]
                      for w in p.widgets() if isinstance(w, KButton) or (hasattr(w, "texture_size") and w.text))

    app = p.app
    yield p.tap("start")
    yield 0.3
    draws: list[int] = []
    p.draw_frames(True)
    Window.bind(on_draw=lambda *_args: draws.append(1))  # bound before the stop: called only when a frame is drawn
    p.draw_frames(False)
    app.terminal.flow.handle(ev.LanguageChanged("en"))
    app.terminal.flow.handle(ev.ElderModeToggled(True))
    record["pending_before"] = any(getattr(w, "_trigger_texture", None) is not None and w._trigger_texture.is_triggered
                                   for w in p.widgets())
    record["settled"] = p.lay_out_now()
    at_once = seen()
    first_frame = Clock.frames_displayed
    yield 0.5
    record["frames_while_off"] = Clock.frames_displayed - first_frame
    record["draws_while_off"] = len(draws)
    record["same_after_frames"] = at_once == seen()
    record["texts"] = p.texts()
    # A photograph taken with drawing off is of the screen as it is now.
    record["photo"] = str(p.screenshot(Path(record["data_dir"]) / "photo.png"))
    p.draw_frames(True)
    app.terminal.flow.handle(ev.ElderModeToggled(False))  # something to draw
    yield 0.3
    record["draws_after"] = len(draws)


@scenario
def banner_follows_the_screen(p: Any, record: dict[str, Any]) -> Steps:
    """A message on the home screen, then the next screen shown while it lasts: the text
    each screen's message line holds, and how many lines rendered it."""
    from screens.widgets import NoticeLine

    app = p.app
    while len(app.sm.screens) < len(app.screen_table):  # the other screens are built after the first frame
        yield 0.05
    yield p.tap("start")
    lines = [w for name in app.screen_table if app.sm.has_screen(name)
             for w in app.sm.get_screen(name).walk(restrict=True) if isinstance(w, NoticeLine)]
    record["lines"] = len(lines)
    app.show_notice("card.unreadable")
    yield 0.2
    record["holding"] = sorted({app.sm.get_screen(n).name for n in app.screen_table if app.sm.has_screen(n)
                                for w in app.sm.get_screen(n).walk(restrict=True)
                                if isinstance(w, NoticeLine) and w.text == app.banner})
    record["home_text"] = next(w.text for w in app.sm.current_screen.walk(restrict=True) if isinstance(w, NoticeLine))
    yield p.tap("service:consultation")
    record["next_screen"] = app.sm.current
    record["next_text"] = next(w.text for w in app.sm.current_screen.walk(restrict=True) if isinstance(w, NoticeLine))
    record["banner"] = app.banner
