"""The visit band: a strip above every screen, in the layout (it never covers an action).

It says what the person must know whatever screen they are on:

- "请取回身份证" once the card on the reader is of no more use to the visit (a refused
  card at once, with why it was refused; a read card from the ticket or the last screen
  on), and on the attract screen after the visit until a card is known to have left or
  a while has passed. The reader cannot tell when a read card is taken away (the SAM
  answers "no card" until a card enters the field anew), so the reminder cannot wait for it.
- a device the screen shown needs that is missing or faulty (the card reader on the
  card screen, the camera and microphone for a video call…), within a poll of the
  device's health, with the way on (a ticket for the window, the screen's own way round).
- voice mode on a terminal that cannot hear speech: what works and what does not.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import ColorProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.ports import DeviceKind, DeviceState
from kiosk.terminal import Terminal
from screens import theme
from screens.widgets import KButton, discard_children

if TYPE_CHECKING:
    from screens.app import KioskApp

POLL_S = 0.5  # device health is read this often (no I/O: adapters keep their last state)
# The attract screen keeps reminding after a visit with a card until a card is known to
# have left the reader, or for this long (the reader cannot tell that a read card is gone).
REMIND_AFTER_VISIT_S = 120.0
_UNUSABLE = (DeviceState.ABSENT, DeviceState.FAULT)
# The way on when a screen names none of its own: a ticket, to be served at the window.
WINDOW_TICKET = ("device_absent.window_ticket", "window_ticket")
CARD_REFUSED = "card_refused"  # the band's problem when the card (not the reader) is the trouble


def unusable(terminal: Terminal, kinds: tuple[DeviceKind, ...]) -> DeviceKind | None:
    """The first of ``kinds`` that is missing or faulty on ``terminal``, or None."""
    for kind in kinds:
        device = terminal.devices.get(kind)
        if device is None or device.health().state in _UNUSABLE:
            return kind
    return None


class StripLine(Label):
    """One line of the band; ``surface`` is the colour it paints behind its text (and what
    the accessibility audit checks the text's contrast against)."""

    surface = ColorProperty((0, 0, 0, 0))


class VisitStrip(BoxLayout):
    """The band's three lines; each is empty (and takes no room) when there is nothing to say."""

    reminder = StringProperty("")  # 请取回身份证
    problem = StringProperty("")  # a device this screen needs cannot be used
    voice_note = StringProperty("")  # voice mode without speech recognition

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._remind_until = 0.0
        self._problem_kind: DeviceKind | str | None = None
        self._way_on: tuple[tuple[str, str], ...] = ()
        # The screen last told of the problem, and the language it was said in: a screen
        # keeps what it was told (the card screen hides its own ways meanwhile), so the
        # band must tell it again when the problem ends elsewhere (on the technician
        # screen, on the home screen) and when the language changes.
        self._told: Any = None
        self._told_lang = ""
        self._poll = None

    @property
    def app(self) -> "KioskApp":
        """The running KioskApp."""
        return cast("KioskApp", App.get_running_app())

    @property
    def reader_unusable(self) -> bool:
        """True when the band's problem is the card reader itself (not a refused card)."""
        return self._problem_kind is DeviceKind.IDCARD

    def shows(self, kind: DeviceKind) -> bool:
        """True while the band says that device ``kind`` cannot be used."""
        return self._problem_kind is kind and bool(self.problem)

    def start(self) -> None:
        """Poll device health while the app runs."""
        self._poll = Clock.schedule_interval(lambda _dt: self.update(), POLL_S)

    def visit_ended_with_card(self) -> None:
        """The visit just ended and its card may still lie on the reader."""
        self._remind_until = time.monotonic() + REMIND_AFTER_VISIT_S

    def update(self) -> None:
        """Work out the three lines for the screen shown now (cheap: no device I/O)."""
        if App.get_running_app() is None:
            return  # the app is closing (a last clock tick while the window is torn down)
        app = self.app
        t = app.terminal
        flow = t.flow
        screen = app.sm.current_screen
        tech = app.sm.current in ("pin", "technician")
        remind = flow.card_reminder_shown() or (
            flow.state.value == "attract" and flow.card_may_be_left and time.monotonic() < self._remind_until)
        self.reminder = app.tr("reminder.take_card") if remind and not tech else ""
        refused = flow.visit.card_refused if flow.visit.card is None else None
        if self.reminder and refused and DeviceKind.IDCARD not in getattr(screen, "needs_devices", ()):
            # Why the card cannot be used, wherever it was put down: not only once a step
            # that needs it is reached (the card step's own line says it there).
            self.reminder = app.tr("card_left.refused", why=app.tr(refused))
        on_reminder = getattr(screen, "card_reminder_changed", None)
        if on_reminder is not None:
            on_reminder(self.reminder)  # the attract screen says it large, not only in the band
        needs = tuple(getattr(screen, "needs_devices", ()))
        kind: DeviceKind | str | None = None if tech else unusable(t, needs)
        if kind is None and not tech and DeviceKind.IDCARD in needs and flow.visit.card_refused and flow.visit.card is None:
            # The reader works; the card on it was refused, and it will not be read again
            # while it lies there: say why the card cannot be used, not that the reader cannot.
            kind = CARD_REFUSED
        if kind is None and not tech and getattr(screen, "needs_speech", False) and not app.guide.hears:
            kind = "speech"  # the microphone works, but no speech model understands it
        if (kind != self._problem_kind or screen is not self._told or app.lang != self._told_lang
                or (kind is not None and self._way_on != self._screen_way_on(screen))):
            self._show_problem(kind, screen)
        self.voice_note = app.tr("voice_limits.note") if app.voice and not app.guide.hears and not tech else ""

    @staticmethod
    def _screen_way_on(screen: Any) -> tuple[tuple[str, str], ...]:
        return tuple(getattr(screen, "way_on", (WINDOW_TICKET,)))

    def _show_problem(self, kind: DeviceKind | str | None, screen: Any) -> None:
        app = self.app
        appeared = kind is not None and self._problem_kind is None
        self._problem_kind = kind
        self._way_on = self._screen_way_on(screen) if kind is not None else ()
        name = kind.value if isinstance(kind, DeviceKind) else kind
        if name == CARD_REFUSED:
            self.problem = app.tr(app.terminal.flow.visit.card_refused or "card.unreadable")
        else:
            self.problem = app.tr(f"device_absent.{name}") if name is not None else ""
        box = self.ids.way_on
        discard_children(box)
        for label_key, action in self._way_on:
            # A full-size target, as large as the screens' own, beside what it answers.
            label = app.tr(label_key)
            width = min(max(app.fs(28) * (len(label) + 2), dp(400) * app.scale), self.width * 0.45)
            box.add_widget(KButton(text=label, action=action, bg=theme.GOLD, fg=theme.TEXT, size_hint_x=None, width=width,
                                   font_size=app.fs(28), bold=True))
        if self._told is not None and self._told is not screen:
            # The screen left behind forgets the problem: it is worked out anew for
            # whichever screen is shown next, from the devices as they are then.
            forget = getattr(self._told, "device_problem_changed", None)
            if forget is not None:
                forget("")
        self._told = screen
        self._told_lang = app.lang
        refresh = getattr(screen, "device_problem_changed", None)
        if refresh is not None:
            refresh(self.problem)
        if appeared and (app.voice or app._keypad_in_use):
            # Said once when it appears (not at every poll), cutting the screen's own prompt:
            # what that prompt asks for ("把身份证放在读卡区") cannot be done now.
            app.speak(self.problem)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
