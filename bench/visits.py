"""Whole visits driven through the real app by touch (offscreen), for the soak and touch
benches, and the bare Kivy app they are measured against.

Each visit is one of ``KINDS``, played by the Pilot the way a person plays it: a ticket
without the ID card, a ticket that needs the card (the real driver over a pty), a
legal-aid application (card, keypad, signature, sealed to the centre's key), an
appointment looked up by code (the keypad screen that redraws), a rating of a ticket a
window has served, and a visit abandoned half way that the idle timer wipes.

    python bench/visits.py bare OUT.json WxH SCREENS SWITCHES   # the bare baseline

This module is imported by the bench scripts after ``prepare_kivy``; it is not a test.
It plays the app with the tests' own driver (tests/support/ui.py: the strokes of a
signature, the app run until the script ends), so a bench visit and a UI test touch the
app the same way.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.ui import Steps, draw_strokes, play_app  # noqa: E402

KINDS = ("ticket", "ticket_card", "legal_aid", "appointment", "rating", "idle")
SETTLE_S = 0.03  # a frame or two: the screen after a tap is laid out before the next one


def rss_mb() -> float:
    """This process's resident memory (MB), from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def heap_mb() -> tuple[float, float]:
    """The C heap (glibc ``mallinfo2``): MB in use and MB free but kept by the allocator
    (what fragmentation costs in RSS); (0, 0) where it cannot be read."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in
                    ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = MallInfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):
        return 0.0, 0.0
    return round((info.uordblks + info.hblkhd) / 2**20, 1), round(info.fordblks / 2**20, 1)


def process_counts() -> dict[str, float]:
    """What a leak would grow: RSS, Python objects (after a full collection), Kivy
    textures and widgets (counted among the objects the collector tracks), textures in
    Kivy's cache, listeners of the window's key event, threads and open descriptors."""
    from kivy.cache import Cache
    from kivy.core.window import Window
    from kivy.graphics.texture import Texture
    from kivy.uix.widget import Widget

    gc.collect()
    objects = gc.get_objects()
    textures = sum(1 for o in objects if issubclass(type(o), Texture))
    widgets = sum(1 for o in objects if issubclass(type(o), Widget))
    cached = sum(len(v) for v in getattr(Cache, "_objects", {}).values())
    # What the textures hold in pixels (regions share their atlas' pixels: not counted).
    pixels = sum(o.width * o.height * 4 for o in objects if type(o) is Texture)
    used, free = heap_mb()
    return {
        "rss_mb": round(rss_mb(), 1),
        "heap_used_mb": used,
        "heap_free_mb": free,
        "objects": len(objects),
        "textures": textures,
        "texture_mb": round(pixels / 2**20, 1),
        "widgets": widgets,
        "cached": cached,
        "key_listeners": len(Window.get_property_observers("on_key_down")),
        "threads": len(os.listdir("/proc/self/task")),
        "fds": len(os.listdir("/proc/self/fd")),
    }


class ScreenChangeTimer:
    """Touch → the first frame drawn after the screen it switched to: the time from the
    finger's down/up to the window's next flip showing another screen."""

    def __init__(self, sm: Any) -> None:
        from kivy.core.window import Window

        self.sm = sm
        self.samples: list[tuple[str, str, float]] = []  # (from, to, seconds)
        self._pending: tuple[float, str] | None = None
        Window.bind(on_flip=self._on_flip)

    def touched(self) -> None:
        """A finger is about to land (call right before dispatching it)."""
        self._pending = (time.perf_counter(), self.sm.current)

    def _on_flip(self, *_args: object) -> None:
        if self._pending is None:
            return
        t0, before = self._pending
        if self.sm.current != before:
            self.samples.append((before, self.sm.current, time.perf_counter() - t0))
            self._pending = None


class Driver:
    """Plays visits on the running app through a Pilot; counts them."""

    def __init__(self, p: Any, timer: ScreenChangeTimer | None = None) -> None:
        self.p = p
        self.app = p.app
        self.timer = timer
        self.done = 0
        self.retaps = 0
        self._card_on_reader = False  # a demo card placed on the simulated reader

    # --- touches ------------------------------------------------------------------------
    def tap(self, action: str) -> float:
        """Tap the button that does ``action`` (timed when a timer is given)."""
        if self.timer is not None:
            self.timer.touched()
        # A button below the fold is scrolled to first (at once, not animated), as a
        # person scrolls to it: the home screen's tiles do not all fit at 1280x800.
        self.p.tap(action)
        return SETTLE_S

    def wait(self, pred: Callable[[], bool], seconds: float = 10.0) -> Steps:
        """Let the app run until ``pred()``; RuntimeError when it never comes."""
        deadline = time.monotonic() + seconds
        while not pred():
            if time.monotonic() > deadline:
                raise RuntimeError(f"waited {seconds:.0f} s on screen {self.app.sm.current!r}")
            yield 0.02

    def go(self, action: str, screen: str, seconds: float = 6.0) -> Steps:
        """Tap ``action`` and wait for ``screen``; a tap that landed while the layout was
        still settling is tried again once, as a person would tap again."""
        for attempt in range(2):
            yield self.tap(action)
            try:
                yield from self.wait(lambda: self.app.sm.current == screen, seconds / 2)
                yield SETTLE_S
                return
            except RuntimeError:
                if attempt:
                    raise
                self.retaps += 1

    def keys(self, digits: str) -> Steps:
        """Type ``digits`` on the big keypad."""
        for d in digits:
            yield self.tap(f"numpad:{d}")

    def decline_elder_offer(self) -> Steps:
        """An elderly person's card brings the offer of elder mode over the screen: no,
        thank you (a bench visit keeps the standard layout)."""
        if any(b.action == "elder_offer:no" for b in self.p.buttons()):
            yield self.tap("elder_offer:no")
            yield from self.wait(lambda: not any(b.action == "elder_offer:no" for b in self.p.buttons()), 5)

    def to_attract(self) -> Steps:
        """End the visit (结束办理) and take any card off the reader."""
        for _ in range(4):
            if self.app.sm.current == "attract":
                break
            yield from self.decline_elder_offer()
            if any(b.action == "finish" for b in self.p.buttons()):
                yield self.tap("finish")
            else:
                self.app.act("finish")  # no 结束 on screen (a waiting line): the kiosk's own timer would
            yield 0.05
        yield from self.wait(lambda: self.app.sm.current == "attract", 5)
        if self.app.terminal.flow.visit.card is not None or self._card_on_reader:
            self.app._run_sim_action("idcard.remove")
            self._card_on_reader = False
        yield 0.05

    def place_card(self, card: str, leaves: str) -> Steps:
        """The simulated reader gets a demo card (the real driver polls it over a pty)."""
        self.app._run_sim_action(f"idcard.insert_{card}")
        self._card_on_reader = True
        yield from self.wait(lambda: self.app.sm.current != leaves, 10)
        yield SETTLE_S
        yield from self.decline_elder_offer()

    # --- visits -------------------------------------------------------------------------
    def visit(self, kind: str) -> Steps:
        """One whole visit of ``kind``, from the attract screen back to it."""
        yield from getattr(self, f"_{kind}")()
        yield from self.to_attract()
        self.done += 1

    def _ticket(self) -> Steps:
        yield from self.go("start", "home")
        yield from self.go("service:consultation", "service")
        yield from self.go("materials", "materials")
        yield from self.go("take", "ticket")
        yield from self.go("finish", "done")

    def _ticket_card(self) -> Steps:
        yield from self.go("start", "home")
        yield from self.go("service:legal_aid", "service")
        yield from self.go("take", "card")
        yield from self.place_card("elderly", "card")
        yield from self.wait(lambda: self.app.sm.current == "ticket")

    def _legal_aid(self) -> Steps:
        yield from self.go("start", "home")
        yield from self.go("la:open", "la_matter")
        yield from self.go("la:matter:wages", "card")
        yield from self.place_card("elderly", "card")
        yield self.tap("la:group:migrant_worker")
        yield from self._group_done()
        if self.app.sm.current == "la_hardship":
            yield from self.go("la:hardship:yes", "la_phone")
        yield from self.keys("13812345678")
        yield from self.go("numpad:ok", "la_story")
        yield from self.go("la:story:skip", "la_letter")
        yield from self.go("la:letter:agree", "la_sign")
        yield from self._sign()
        yield from self.go("la:sign:submit", "la_done")

    def _group_done(self) -> Steps:
        yield self.tap("la:group:done")
        yield from self.wait(lambda: self.app.sm.current in ("la_phone", "la_hardship"))
        yield SETTLE_S

    def _sign(self) -> Steps:
        yield 0.05
        draw_strokes(self.app.sm.current_screen.ids.pad,
                     ([(0.2, 0.5), (0.3, 0.7), (0.4, 0.4), (0.5, 0.6)], [(0.55, 0.4), (0.65, 0.65), (0.75, 0.45)]))
        yield SETTLE_S

    def _appointment(self) -> Steps:
        # My appointment by the code on the slip: the keypad screen redraws at every step
        # (code, then the phone's last four); the centre answers that no such booking exists.
        yield from self.go("start", "home")
        yield from self.go("appt:open", "appt_menu")
        yield from self.go("appt:by_code", "appt_mine")
        yield from self.keys("123456")
        yield self.tap("numpad:ok")
        yield from self.wait(lambda: self.app.terminal.flow.features.get("appointments").code is not None)
        yield SETTLE_S
        yield from self.keys("8000")
        yield self.tap("numpad:ok")
        yield from self.wait(lambda: self.app.terminal.flow.features.get("appointments").asking is None)
        yield SETTLE_S

    def _rating(self) -> Steps:
        # A window serves the oldest waiting ticket (staff, as `kiosk queue call`/`done`
        # would), then its holder rates it by the ticket's digits.
        queue = self.app.terminal.queue
        ticket = queue.call_next(1)
        if ticket is None:
            yield from self._ticket()
            yield from self.to_attract()
            ticket = queue.call_next(1)
        queue.done(1)
        digits = "".join(ch for ch in ticket.number if ch.isdigit()).lstrip("0") or "0"
        yield from self.go("start", "home")
        yield from self.go("rate:ticket", "rate_ticket")
        yield from self.keys(digits)
        yield from self.go("numpad:ok", "rate")
        yield self.tap("rating:score:4")
        yield self.tap("rating:submit")
        yield 0.05

    def _idle(self) -> Steps:
        yield from self.go("start", "home")
        yield from self.go("service:mediation", "service")
        # The idle timer fires (its delay is configuration; the bench does not wait it out):
        # the question first, then, unanswered, the visit is wiped.
        self.app._on_idle(0)
        yield SETTLE_S
        self.app._on_idle(0)
        yield from self.wait(lambda: self.app.sm.current == "attract", 5)


BENCH_SITE = "下陆区团城山公共法律服务工作室"
BENCH_TERMINAL = "T0001"


class BenchCentre:
    """The centre a terminal in service talks to: a real Mosquitto on 127.0.0.1 and the
    centre's link answering appointment asks from its book (slots published for the
    next two weeks). It runs in the bench's own process, so the app's figures are the
    app's alone; ``settings`` is what the app's process needs to join it."""

    def __init__(self, tmp: Path) -> None:
        import secrets
        from datetime import date, timedelta
        from datetime import time as day_time

        from fleet.appointments.answers import Answers
        from fleet.appointments.store import AppointmentBook, SlotSpec
        from fleet.broker import Broker, hash_password, new_password
        from fleet.center.service import CenterLink
        from fleet.center.store import Store

        tmp.mkdir(parents=True, exist_ok=True)
        self.store = Store(f"sqlite:///{tmp / 'center.sqlite3'}")
        centre_pw, terminal_pw = new_password(), new_password()
        self.store.add_terminal(BENCH_TERMINAL, BENCH_SITE, hash_password(terminal_pw))
        self.broker = Broker()
        self.broker.start({"center": hash_password(centre_pw), **self.store.password_hashes()})
        self.center = CenterLink(self.broker.center_url, centre_pw, self.store, ingest=True).start()
        book = AppointmentBook(self.store.engine, secrets.token_bytes(32))
        Answers(book, lambda tid: BENCH_SITE if tid == BENCH_TERMINAL else None).register(self.center)
        today = date.today()
        book.publish(SlotSpec(BENCH_SITE, "consultation", today, today + timedelta(days=14),
                              day_time(8, 0), day_time(18, 0), 30, 4))
        self.settings = {"broker": self.broker.url, "password": terminal_pw}

    def close(self) -> None:
        """Stop the link, the broker and the store."""
        self.center.close()
        self.broker.stop()
        self.store.close()


def build_app(data_dir: Path, centre: dict[str, str] | None = None) -> tuple[Any, Any]:
    """The terminal (simulated devices, taking legal-aid applications sealed to a fresh
    intake key, joined to ``centre``'s broker when given) and its app, not yet running.
    Call ``prepare_kivy`` first."""
    from fleet.intake.keys import IntakeKeys
    from kiosk.bootstrap import build_terminal
    from kiosk.config import parse_config
    from screens.app import KioskApp

    keys = IntakeKeys(data_dir.parent / "intake")
    fleet = (f'\n[fleet]\nbroker = "{centre["broker"]}"\npassword = "{centre["password"]}"\n' if centre else "")
    config = parse_config(
        f'terminal_id = "{BENCH_TERMINAL}"\n'
        f'[legal_aid]\npublic_key = "{keys.public_text}"\ncentre_address = "黄石市黄石港区湖滨大道2号"\n'
        'centre_address_en = "2 Hubin Avenue, Huangshigang, Huangshi"\ncentre_phone = "0714-12348"\n' + fleet
    )
    terminal = build_terminal(config, data_dir, simulate=True, defer_features=True)  # as `kiosk run` builds it
    return terminal, KioskApp(terminal)


def wait_ready(p: Any) -> Steps:
    """Until the devices are open, every screen is built (both happen after the first
    frame) and the centre, if any, is reachable: the bench measures visits, not start-up."""
    t = p.app.terminal
    deadline = time.monotonic() + 120  # a loaded machine is slow to start; never forever
    while not t.devices_ready.is_set() or len(p.app.sm.screens) < len(p.app.screen_table) or (
            t.config.fleet.enabled and not (t.centre is not None and t.centre.connected())):
        if time.monotonic() > deadline:
            raise RuntimeError("the app was not ready (devices, screens, centre) within 120 s")
        yield 0.05
    yield 0.3


# --- the bare baseline ------------------------------------------------------------------------
def run_bare(out: Path, size: tuple[int, int], screens: int, switches: int) -> None:
    """A bare Kivy app: a ScreenManager (no transition) of ``screens`` screens, each a
    title and six buttons in the CJK font; ``switches`` touches each switching to the next
    screen. Writes its RSS at start and the touch → drawn times to ``out``."""
    from screens.env import prepare_kivy

    prepare_kivy(*size, offscreen=True)
    from kivy.app import App
    from kivy.base import EventLoop
    from kivy.clock import Clock
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.button import Button
    from kivy.uix.label import Label
    from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

    from screens.pilot import PilotTouch

    record: dict[str, Any] = {}

    class Bare(App):
        def build(self) -> ScreenManager:
            self.sm = ScreenManager(transition=NoTransition())
            for i in range(screens):
                s = Screen(name=f"s{i}")
                box = BoxLayout(orientation="vertical", padding=20, spacing=10)
                box.add_widget(Label(text=f"公共法律服务 第{i}页", font_size=40))
                for j in range(6):
                    b = Button(text=f"选项 {j} · 法律援助", font_size=28)
                    b.bind(on_release=lambda *_a, k=i: setattr(self.sm, "current", f"s{(k + 1) % screens}"))
                    box.add_widget(b)
                s.add_widget(box)
                self.sm.add_widget(s)
            return self.sm

        def on_start(self) -> None:
            self.timer = ScreenChangeTimer(self.sm)
            self.left = switches
            Clock.schedule_once(self.first, 1.0)

        def first(self, _dt: float) -> None:
            record["rss_start_mb"] = round(rss_mb(), 1)
            record["counts_start"] = process_counts()
            Clock.schedule_once(self.touch, 0.1)

        def touch(self, _dt: float) -> None:
            if self.left <= 0:
                record["touch_s"] = [s for _a, _b, s in self.timer.samples]
                self.stop()
                return
            self.left -= 1
            button = [w for w in self.sm.current_screen.walk() if isinstance(w, Button)][0]
            x, y = button.to_window(*button.center)
            t = PilotTouch(x, y)
            self.timer.touched()
            EventLoop.post_dispatch_input("begin", t)
            EventLoop.post_dispatch_input("end", t)
            Clock.schedule_once(self.touch, SETTLE_S + 0.02)

    Bare().run()
    out.write_text(json.dumps(record), encoding="utf-8")


def spawn(args: list[str], timeout: float) -> None:
    """Run ``python bench/…`` offscreen with this checkout on the path; raise on failure."""
    import subprocess

    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", PYTHONPATH=str(ROOT), KIVY_NO_ARGS="1")
    proc = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args[:2])} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")


def bare_baseline(tmp: Path, size: str, screens: int, switches: int) -> dict[str, Any]:
    """The bare app's figures, from a process of its own (one Kivy window per process)."""
    out = tmp / "bare.json"
    spawn([str(Path(__file__)), "bare", str(out), size, str(screens), str(switches)], timeout=300)
    return json.loads(out.read_text(encoding="utf-8"))


def loadavg() -> str:
    """The 1-minute load average now (other people's work on a shared machine)."""
    return f"{os.getloadavg()[0]:.1f}"


def run_app(data_dir: Path, size: tuple[int, int], script: Callable[[Any], Steps],
            centre: dict[str, str] | None = None) -> None:
    """Build the terminal (joined to ``centre``, see :class:`BenchCentre`) and app and
    play ``script`` (a Pilot script) until it ends."""
    from kiosk.memory import tune_allocator
    from screens.env import prepare_kivy

    tune_allocator()  # as `kiosk run` does, before Kivy loads: the bench measures the product
    prepare_kivy(*size, offscreen=True)
    terminal, app = build_app(data_dir, centre)
    agent = None
    if centre:
        from fleet.agent import start_agent

        agent = start_agent(terminal)  # the real agent, as `kiosk run` starts it
    def drawn(p: Any) -> Steps:
        # The tests' driver leaves drawing out (they read widgets, not pixels); a bench
        # measures the product, which draws every frame: the time to a drawn screen and
        # the renderer's memory are what it is about.
        p.draw_frames(True)
        yield from script(p)

    try:
        play_app(terminal, app, drawn)
    finally:
        if agent is not None:
            agent.close()
        terminal.close()


def thread_names() -> list[str]:
    """The names of this process's Python threads (what a leaked thread would be)."""
    return sorted(t.name for t in threading.enumerate())


if __name__ == "__main__":
    if len(sys.argv) >= 6 and sys.argv[1] == "bare":
        w, h = (int(v) for v in sys.argv[3].split("x"))
        run_bare(Path(sys.argv[2]), (w, h), int(sys.argv[4]), int(sys.argv[5]))
    else:
        raise SystemExit(__doc__)
