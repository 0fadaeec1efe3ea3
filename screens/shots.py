"""Scripts that bring the app to each screen the way a person would (by touches),
for ``kiosk screenshot``, the docs and the tests."""

from __future__ import annotations

from typing import Callable, Generator

from screens.pilot import Pilot, Script

Steps = Generator[float, None, None]


def _start(p: Pilot) -> Steps:
    yield p.tap("start")


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
    p.app.act("tech")  # type: ignore[attr-defined] — five taps on the site name, in short
    yield 0.1
    for key in p.app.terminal.config.technician.pin:  # type: ignore[attr-defined]
        yield p.tap(f"pin:{key}")
    yield p.tap("pin:ok")


def _pin(p: Pilot) -> Steps:
    p.app.act("tech")  # type: ignore[attr-defined]
    yield 0.1
    yield p.tap("pin:1")
    yield p.tap("pin:2")


def _idle(p: Pilot) -> Steps:
    yield from _service("consultation")(p)
    p.app._on_idle(0)  # type: ignore[attr-defined] — as if the idle time had passed
    yield 0.2


def reach(screen: str, service: str | None = None) -> Script:
    """The script that shows ``screen`` (``service`` picks the service where it matters)."""
    svc = service or ("consultation" if screen in ("ticket", "done") else "legal_aid")
    scripts: dict[str, Callable[[Pilot], Steps]] = {
        "attract": lambda p: iter(()),
        "home": _start,
        "service": _service(svc),
        "materials": _then(_service(svc), "materials"),
        "card": _then(_service(svc), "take"),
        "ticket": _then(_service(svc), "take"),
        "done": _then(_service(svc), "take", "finish"),
        "pin": _pin,
        "technician": _technician,
        "idle": _idle,
    }
    if screen not in scripts:
        raise KeyError(screen)
    return scripts[screen]


SCREEN_NAMES = ("attract", "home", "service", "materials", "card", "ticket", "done", "pin", "technician", "idle")
