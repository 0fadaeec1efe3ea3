"""The kiosk app: screens, the visit flow, devices, the idle timer — wired once.

Every action a person can take goes through ``KioskApp.act(action)``: buttons name
their action (``"service:legal_aid"``, ``"take"``, ``"back"``), and so can the keypad,
voice commands and tests.
"""

from __future__ import annotations

import importlib
import logging

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk import events as ev
from kiosk.terminal import Terminal
from kiosk.ports import DeviceKind
from kiosk.tickets import Priority, spoken_number
from kiosk.visit import VisitState
from screens import theme
from screens import widgets as _widgets  # noqa: F401 — loads the shared kv rules first
from screens.base import KioskScreen
from screens.bridge import UiBridge
from screens.focus import KeypadNavigator, visible_buttons
from screens.receipts import ReceiptDesk

log = logging.getLogger(__name__)

# Screen name → "module:Class". Only the attract screen is built before the first frame;
# the others are imported and built one per frame right after it, or on first use.
SCREENS = {
    "attract": "screens.attract:AttractScreen",
    "home": "screens.home:HomeScreen",
    "service": "screens.service:ServiceScreen",
    "materials": "screens.materials:MaterialsScreen",
    "card": "screens.card:CardScreen",
    "ticket": "screens.ticket:TicketScreen",
    "done": "screens.done:DoneScreen",
    "pin": "screens.technician:PinScreen",
    "technician": "screens.technician:TechnicianScreen",
}
_TECH_SCREENS = ("pin", "technician")
_TECH_IDLE_S = 120.0  # the technician screen closes itself when left open
_DONE_S = 10.0  # the done screen goes back to the start by itself
_NOTICE_S = 6.0
def _normalise(text: str) -> str:
    # Compare what was said with labels without spaces, punctuation or case.
    return "".join(ch for ch in text.lower() if ch.isalnum())


# Buttons every screen has: not read out as the screen's offers (the help says them).
_NAV_ACTIONS = {"back", "home", "finish", "lang", "elder", "voice"}


class KioskApp(App):
    """The touch-screen app of one terminal."""

    lang = StringProperty("zh_CN")
    elder = BooleanProperty(False)
    voice = BooleanProperty(False)  # voice mode: every screen speaks (and listens)
    scale = NumericProperty(1.0)
    portrait = BooleanProperty(False)
    notice = StringProperty("")

    def __init__(self, terminal: Terminal, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.terminal = terminal
        self.lang = terminal.translator.language
        self._idle_event = None
        self._done_event = None
        self._notice_event = None
        self.overlay = None  # the idle question, built when first needed
        self.keypad = KeypadNavigator(self.act, self.speak, self.voice_command)
        self._keypad_in_use = False  # the last input was a key, not a touch

    # --- construction -------------------------------------------------------------------

    def build(self) -> FloatLayout:
        """Create the screens and wire events."""
        self.title = "公共法律服务 · Legal Kiosk"
        Window.clearcolor = theme.BACKGROUND
        self._on_resize(Window, *Window.size)
        self.sm = ScreenManager(transition=NoTransition())
        self.root_screen("attract")
        root = FloatLayout()
        root.add_widget(self.sm)
        self.notice_label = Label(
            text="",
            size_hint=(0.8, None),
            pos_hint={"center_x": 0.5, "y": 0.14},
            color=theme.ON_NAVY,
            bold=True,
            font_size=self.fs(28),
            opacity=0,
        )
        self.notice_label.bind(texture_size=self._fit_notice)
        root.add_widget(self.notice_label)
        self.bridge = UiBridge(self.on_device_event)
        self.receipts = ReceiptDesk(self)
        self.terminal.flow.add_listener(self._on_flow)
        Window.bind(on_resize=self._on_resize, on_key_down=self._on_key_down, on_touch_down=self._on_any_touch)
        return root

    def on_start(self) -> None:
        """Show the attract screen and keep its clock current."""
        self.receipts.queue.start()
        self.show_screen("attract")
        Clock.schedule_interval(self._tick, 20)
        # Devices start on a worker once the first frame is up; their events reach the
        # UI through the bridge. Then the other screens are built, one per frame.
        Clock.schedule_once(self._after_first_frame, 0.1)

    def _after_first_frame(self, _dt: float) -> None:
        self.terminal.start_devices(self.bridge.post)
        pending = [name for name in SCREENS if not self.sm.has_screen(name)]

        def build_next(_dt: float) -> None:
            if pending:
                self.root_screen(pending.pop(0))
                Clock.schedule_once(build_next, 0)

        Clock.schedule_once(build_next, 0)

    def on_stop(self) -> None:
        """Let the print job in hand finish."""
        self.receipts.queue.close()

    # --- helpers for kv: text, sizes -------------------------------------------------------

    def tr(self, key: str, *_deps: object, **values: object) -> str:
        """A UI text; kv passes ``app.lang`` in ``_deps`` so the text follows the language."""
        return self.terminal.translator.t(key, **values)

    def fs(self, base: float, *_deps: object) -> float:
        """A font size in pixels for ``base`` (at 1280×800), scaled for the window and elder mode."""
        return base * self.scale * (theme.ELDER_FACTOR if self.elder else 1.0)

    def target(self, *_deps: object) -> float:
        """The height of a touch target: at least 60 dp in elder mode (MIIT 适老化 rules)."""
        return (84 if self.elder else 64) * self.scale

    def tile_columns(self) -> int:
        """Service tiles per row: fewer, larger tiles in portrait and in elder mode."""
        if self.portrait:
            return 1 if self.elder else 2
        return 3 if self.elder else 4

    def site_name(self, *_deps: object) -> str:
        """The site's name in the current language."""
        cfg = self.terminal.config
        return cfg.site_name_en if self.lang == "en" else cfg.site_name

    def now_text(self) -> str:
        """Today's date and the time, the way people read them."""
        now = self.terminal.clock.now()
        if self.lang == "en":
            return now.strftime("%a %d %b %Y  %H:%M")
        weekday = "一二三四五六日"[now.weekday()]
        return f"{now.year}年{now.month}月{now.day}日  星期{weekday}  {now:%H:%M}"

    def hours_text(self) -> str:
        """Today's opening hours, or that the windows are closed now."""
        hours = self.terminal.config.hours
        now = self.terminal.clock.now()
        if hours.is_open(now.isoweekday(), now.time()):
            return self.tr("attract.hours_open", open=f"{hours.open:%H:%M}", close=f"{hours.close:%H:%M}")
        return self.tr("attract.hours_closed")

    def root_screen(self, name: str) -> KioskScreen:
        """The screen called ``name`` (built on first use)."""
        if not self.sm.has_screen(name):
            module, _, cls = SCREENS[name].partition(":")
            self.sm.add_widget(getattr(importlib.import_module(module), cls)())
        return self.sm.get_screen(name)  # type: ignore[return-value]

    def check_pin(self, pin: str) -> bool:
        """True when ``pin`` is the technician PIN."""
        return pin == self.terminal.config.technician.pin

    # --- actions ---------------------------------------------------------------------------

    def act(self, action: str) -> None:
        """Do what a button (or key, or voice command) names. Never raises: a public
        terminal shows a plain message instead of crashing."""
        if not action:
            return
        try:
            self._act(action)
        except Exception:  # noqa: BLE001
            log.exception("action %s failed", action)
            self.show_notice("error.generic")
        self._reset_idle()

    def _act(self, action: str) -> None:
        flow = self.terminal.flow
        name, _, arg = action.partition(":")
        if name == "start":
            flow.handle(ev.Started())
        elif name == "service":
            flow.handle(ev.ServiceChosen(arg))
        elif name == "materials":
            flow.handle(ev.MaterialsOpened())
        elif name == "take":
            flow.handle(ev.TicketRequested())
        elif name == "back":
            flow.handle(ev.BackPressed())
        elif name == "home":
            flow.handle(ev.HomePressed())
        elif name == "finish":
            flow.handle(ev.Finished())
        elif name == "elder":
            flow.handle(ev.ElderModeToggled(not flow.visit.elder_mode))
        elif name == "voice":
            flow.handle(ev.VoiceModeToggled(not flow.visit.voice_mode))
            self.speak(self.tr("voice.on" if flow.visit.voice_mode else "voice.off"), interrupt=False)
            if flow.visit.voice_mode:
                self.speak_screen(interrupt=False)
        elif name in ("help", "repeat"):
            self.voice_command(name)
        elif name == "lang":
            flow.handle(ev.LanguageChanged("en" if flow.visit.language == "zh_CN" else "zh_CN"))
        elif name == "priority":
            chosen = Priority(arg)
            if flow.visit.declared_priority is chosen:
                chosen = Priority.NORMAL  # pressing it again takes it back
            flow.handle(ev.PriorityDeclared(chosen))
        elif name == "reprint":
            self.receipts.print_ticket()
        elif name == "print_materials":
            self.receipts.print_materials()
        elif name == "still_here":
            flow.handle(ev.StillHere())
        elif name == "tech":
            self.show_screen("pin")
        elif name == "tech_exit":
            self.show_screen(flow.state.value)
        elif name == "pin":
            self.root_screen("pin").press(arg)  # type: ignore[attr-defined]
        elif name == "sim":
            self._run_sim_action(arg)
        else:
            log.warning("unknown action %s", action)

    def _run_sim_action(self, action_id: str) -> None:
        for device in self.terminal.sim_devices():
            for sim_action in device.sim_actions():  # type: ignore[attr-defined]
                if sim_action.action_id == action_id:
                    log.info("technician: simulator action %s", action_id)
                    sim_action.run()
                    return
        log.warning("no simulator action %s", action_id)

    # --- events from the flow and from devices ------------------------------------------------

    def on_device_event(self, event: ev.Event) -> None:
        """A device event, on the UI thread (through the bridge)."""
        if isinstance(event, ev.PrintFinished):
            self.receipts.on_print_finished(event)
            return
        self.terminal.flow.handle(event)
        if self.sm.current == "technician":
            self.root_screen("technician").refresh_states()  # type: ignore[attr-defined]

    def _on_flow(self, old: VisitState, new: VisitState, event: ev.Event) -> None:
        flow = self.terminal.flow
        visit = flow.visit
        self.terminal.translator.language = visit.language
        self.lang = visit.language
        self.elder = visit.elder_mode
        self.voice = visit.voice_mode
        if new is VisitState.TICKET and old is not VisitState.TICKET:
            self.receipts.ticket_issued()
        if self._done_event is not None:
            self._done_event.cancel()
            self._done_event = None
        if new is VisitState.DONE:
            self._done_event = Clock.schedule_once(lambda _dt: self.act("finish"), _DONE_S)
        if self.sm.current not in _TECH_SCREENS:
            self.show_screen(new.value)
        if visit.notice_key and new is not VisitState.CARD:
            self.show_notice(visit.notice_key)
            flow.clear_notice()
        if visit.idle_warning:
            if self.overlay is None:
                from screens.idle import IdleOverlay

                self.overlay = IdleOverlay()
            self.overlay.start(flow.idle_timeout() or 0)
            if self.voice or self.elder or self._keypad_in_use:
                # Asked aloud too: nobody's visit ends because they could not see the question.
                self.speak(f"{self.tr('idle.question')}{self.tr('voice.idle_answer')}")
        elif self.overlay is not None:
            self.overlay.stop()
        self._reset_idle()

    def show_screen(self, name: str) -> None:
        """Switch to screen ``name`` and refresh it; in voice mode (or for a keypad
        user) say what it is and what it offers."""
        screen = self.root_screen(name)
        changed = self.sm.current != name
        self.sm.current = name
        screen.refresh()
        if changed:
            self.keypad.reset()
            if self.voice or self._keypad_in_use:
                self.speak_screen()
            if self._keypad_in_use:
                self.keypad.move(+1, interrupt=False)  # after the screen's own prompt

    # --- speech out ------------------------------------------------------------------------

    def speak(self, text: str, interrupt: bool = True) -> None:
        """Say ``text`` on the speaker (if there is one); ``interrupt`` cuts what is being said."""
        speaker = self.terminal.devices.get(DeviceKind.SPEAKER)
        say = getattr(speaker, "say", None)
        if say is not None and text:
            say(text, interrupt=interrupt)

    def spoken_number(self, number: str) -> str:
        """A ticket number as it is said aloud in the current language."""
        return spoken_number(number, self.lang)

    def screen_prompt(self) -> str:
        """What the current screen says of itself: what it is, what it offers, how to answer."""
        screen = self.sm.current_screen
        offers = [b.spoken_label() for b in visible_buttons(list(Window.children)) if b.action not in _NAV_ACTIONS]
        parts = [screen.spoken_intro()]
        if offers:
            parts.append(self.tr("voice.offers", items="、".join(offers)))
        parts.append(self.tr("voice.howto"))
        return "".join(p for p in parts if p)

    def speak_screen(self, interrupt: bool = True) -> None:
        """Say the current screen's prompt."""
        self.speak(self.screen_prompt(), interrupt=interrupt)

    def action_for_speech(self, text: str) -> str | None:
        """The action that saying ``text`` does on the screen shown now, or None."""
        said = _normalise(text)
        if not said:
            return None
        buttons = visible_buttons(list(Window.children))
        for button in buttons:  # the whole label first: "法律咨询，等候 3 人"
            if _normalise(button.spoken_label()) == said:
                return button.action
        for button in buttons:  # then its name alone: "法律咨询"
            name = _normalise(button.spoken_label().split("，")[0])
            if name and name in said:
                return button.action
        return None

    def on_heard(self, text: str) -> None:
        """Recognised speech: do what it asks, or say it was not understood."""
        action = self.action_for_speech(text)
        if action is None:
            self.speak(self.tr("voice.not_understood"))
            return
        self.act(action)

    def voice_command(self, name: str) -> None:
        """Commands that work everywhere: back, home, help, repeat."""
        if name in ("back", "home"):
            self.act(name)
        elif name == "help":
            self.speak(self.tr("voice.help"))
        elif name == "repeat":
            self.speak_screen()
        self._reset_idle()

    def show_notice(self, key: str) -> None:
        """A short message over the screen for a few seconds (a card rejected, a printer
        fault), said aloud in voice mode."""
        self.notice = self.tr(key)
        if self.voice or self._keypad_in_use:
            self.speak(self.notice, interrupt=False)
        self.notice_label.text = self.notice
        self.notice_label.opacity = 1
        if self._notice_event is not None:
            self._notice_event.cancel()
        self._notice_event = Clock.schedule_once(self._hide_notice, _NOTICE_S)

    def _hide_notice(self, _dt: float) -> None:
        self.notice_label.opacity = 0
        self.notice = ""

    def _fit_notice(self, label: Label, size: tuple[int, int]) -> None:
        label.height = size[1] + 40
        label.text_size = (label.width - 40, None)
        label.canvas.before.clear()
        from kivy.graphics import Color, RoundedRectangle

        with label.canvas.before:
            Color(*theme.NAVY_DARK)
            RoundedRectangle(pos=label.pos, size=label.size, radius=[16])

    # --- idle timer ------------------------------------------------------------------------

    def _on_any_touch(self, _window: object, _touch: object) -> bool:
        self._keypad_in_use = False
        self.keypad.reset()
        self._reset_idle()
        return False  # let the touch reach the widgets

    def _reset_idle(self) -> None:
        if self._idle_event is not None:
            self._idle_event.cancel()
            self._idle_event = None
        if self.sm.current in _TECH_SCREENS:
            self._idle_event = Clock.schedule_once(lambda _dt: self.act("tech_exit"), _TECH_IDLE_S)
            return
        timeout = self.terminal.flow.idle_timeout()
        if timeout is not None:
            self._idle_event = Clock.schedule_once(self._on_idle, timeout)

    def _on_idle(self, _dt: float) -> None:
        self.terminal.flow.handle(ev.IdleTimedOut())

    # --- window ----------------------------------------------------------------------------

    def _on_resize(self, _window: object, width: int, height: int) -> None:
        self.scale = theme.scale_for(width, height)
        self.portrait = height > width
        if getattr(self, "sm", None) is not None:
            self.sm.current_screen.refresh()

    def _on_key_down(self, _window: object, key: int, *_args: object) -> bool:
        # Escape is "back" on a kiosk, never "quit" (Kivy's exit_on_escape is off).
        self._keypad_in_use = True
        handled = self.keypad.on_key(key)
        self._reset_idle()
        return handled

    def _tick(self, _dt: float) -> None:
        if self.sm.current == "attract":
            self.sm.current_screen.refresh()
