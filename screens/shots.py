"""Scripts that bring the app to each screen the way a person would (by touches),
for ``kiosk screenshot``, the docs and the tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Generator, cast

from screens.pilot import Pilot, Script

if TYPE_CHECKING:
    from screens.app import KioskApp

Steps = Generator[float, None, None]


def _app(p: Pilot) -> KioskApp:
    """The app the pilot drives: these scripts only ever drive the kiosk's own."""
    return cast("KioskApp", p.app)


def _nothing(p: Pilot) -> Steps:
    """No step at all: the screen shown at start."""
    yield from ()


def _start(p: Pilot) -> Steps:
    yield p.tap("start")


def _home(p: Pilot) -> Steps:
    # The home screen as on a terminal joined to its centre (the loopback duty lawyer
    # stands in for it): the "here" tiles that need the centre are offered.
    t = _app(p).terminal
    if t.centre is None and t.video is not None:
        t.centre = t.video.demo_centre()
    yield from _start(p)


def _act(action: str) -> Callable[[Pilot], Steps]:
    # Straight to a screen whose home tile may not be offered here (no centre): the
    # screens are audited and shown all the same.
    def go(p: Pilot) -> Steps:
        _app(p).act(action)
        yield 0.2

    return go


def _chain(*parts: Callable[[Pilot], Steps]) -> Callable[[Pilot], Steps]:
    def go(p: Pilot) -> Steps:
        for part in parts:
            yield from part(p)

    return go


def _service(code: str) -> Callable[[Pilot], Steps]:
    def go(p: Pilot) -> Steps:
        yield from _start(p)
        yield p.tap(f"service:{code}")

    return go


def _then(first: Callable[[Pilot], Steps], *actions: str) -> Callable[[Pilot], Steps]:
    def go(p: Pilot) -> Steps:
        yield from first(p)
        for action in actions:
            yield p.tap(action)

    return go


def _technician(p: Pilot) -> Steps:
    _app(p).act("tech")  # five taps on the site name, in short
    yield 0.1
    for key in _app(p).terminal.config.technician.pin:
        yield p.tap(f"pin:{key}")
    yield p.tap("pin:ok")


def _pin(p: Pilot) -> Steps:
    _app(p).act("tech")
    yield 0.1
    yield p.tap("pin:1")
    yield p.tap("pin:2")


def _idle(p: Pilot) -> Steps:
    yield from _service("consultation")(p)
    _app(p)._on_idle(0)  # as if the idle time had passed
    yield 0.2


# --- video consultation: a duty lawyer on 127.0.0.1 answers when the terminal has no
# centre (terminal.video.demo_centre), so every call screen can be shown anywhere.
def _call(*actions: str, until: str | None = None) -> Callable[[Pilot], Steps]:
    def go(p: Pilot) -> Steps:
        t = _app(p).terminal
        if t.centre is None and t.video is not None:
            t.centre = t.video.demo_centre()
        yield from _start(p)
        _app(p).root_screen("home").refresh()  # the call tile appears
        yield 0.1
        yield p.tap("call:open")
        for action in actions:
            yield p.tap(action)
        waited = 0.0
        while until is not None and waited < 20:
            screen = _app(p).sm.current_screen
            if screen.name == until and (until != "call_active" or getattr(screen, "remote_texture", None) is not None):
                break
            yield 0.1
            waited += 0.1
        if until == "call_active":
            yield 1.0  # a few frames past the first key frame

    return go


def _call_ended(p: Pilot) -> Steps:
    yield from _call("call:agree", until="call_active")(p)
    yield 1.0
    yield p.tap("call:hangup")
    yield 0.5


def _rate(p: Pilot) -> Steps:
    # The video call's rating (rate:video): the faces, without a served ticket.
    yield from _start(p)
    _app(p).act("rate:video")
    yield 0.2
    yield p.tap("rating:score:2")


# --- 查法律: the law library's screens (they need the library installed: `make library`).
def _first(prefix: str) -> Callable[[Pilot], Steps]:
    # The first row of a list whose entries come from the library (a text, an article).
    def go(p: Pilot) -> Steps:
        yield p.tap(next(b.action for b in p.buttons() if b.action.startswith(prefix)))

    return go


def _typed(letters: str, *then: str) -> Callable[[Pilot], Steps]:
    def go(p: Pilot) -> Steps:
        yield from _then(_start, "law:open", "law:search")(p)
        for key in letters:
            yield p.tap(f"law:key:{key}")
        for action in then:
            yield p.tap(action)

    return go


def reach(screen: str, service: str | None = None) -> Script:
    """The script that shows ``screen`` (``service`` picks the service where it matters)."""
    svc = service or ("consultation" if screen in ("ticket", "done") else "legal_aid")
    scripts: dict[str, Callable[[Pilot], Steps]] = {
        "attract": _nothing,
        "home": _home,
        "service": _service(svc),
        "materials": _then(_service(svc), "materials"),
        "card": _then(_service(svc), "take"),
        "ticket": _then(_service(svc), "take"),
        "done": _then(_service(svc), "take", "finish"),
        "pin": _pin,
        "technician": _technician,
        "idle": _idle,
        "call_consent": _call(),
        "call_wait": _call("call:agree", until="call_wait"),
        "call_active": _call("call:agree", until="call_active"),
        "call_ended": _call_ended,
        # appointments and ratings: the screens that need no centre
        "appt_menu": _chain(_start, _act("appt:open")),
        "appt_slots": _chain(_start, _act("appt:open"), _act("appt:service:consultation")),
        "rate_ticket": _then(_start, "rate:ticket"),
        "rate": _rate,
        "law_topics": _then(_start, "law:open"),
        "law_texts": _then(_start, "law:open", "law:topic:劳动工资"),
        "law_articles": _chain(_then(_start, "law:open", "law:topic:劳动工资"), _first("law:text:")),
        "law_article": _chain(_then(_start, "law:open", "law:topic:劳动工资"), _first("law:text:"), _first("law:article:")),
        "law_search": _typed("gongzi"),
        "law_results": _typed("gongzi", "law:hanzi:工资", "law:query"),
        "law_guides": _then(_start, "law:open:guides"),
        "law_guide": _then(_start, "law:open:guides", "law:guide:unpaid-wages"),
        "law_calcs": _then(_start, "law:open:guides", "law:calcs"),
        "law_calc": _then(_start, "law:open:guides", "law:calcs", "law:calc:severance"),
        "law_calc_result": _then(_start, "law:open:guides", "law:calcs", "law:calc:unpaid-wages",
                                 "numpad:5", "numpad:0", "numpad:0", "numpad:0", "numpad:ok"),
    }
    if screen not in scripts:
        raise KeyError(screen)
    return scripts[screen]


SCREEN_NAMES = ("attract", "home", "service", "materials", "card", "ticket", "done", "pin", "technician", "idle",
                "call_consent", "call_wait", "call_active", "call_ended",  # video consultation
                "appt_menu", "appt_slots", "rate_ticket", "rate")  # appointments and ratings
# 查法律: reached like the others, but only on a terminal with the law library installed,
# so they are audited apart (tests/lookup: `kiosk audit a11y --matrix --screens …`).
LOOKUP_SCREEN_NAMES = ("law_topics", "law_texts", "law_articles", "law_article", "law_search", "law_results",
                       "law_guides", "law_guide", "law_calcs", "law_calc", "law_calc_result")
