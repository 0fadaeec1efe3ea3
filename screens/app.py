"""The kiosk app: screens, the visit flow, devices, the idle timer — wired once.

Every action a person can take goes through ``KioskApp.act(action)``: buttons name
their action (``"service:legal_aid"``, ``"take"``, ``"back"``), and so can the keypad,
voice commands and tests.
"""

from __future__ import annotations

import importlib
import logging
import time
from typing import TYPE_CHECKING

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager
from kivy.uix.scrollview import ScrollView

from kiosk import events as ev
from kiosk.announce import Announcer, CallAnnouncements
from kiosk.feature import State
from kiosk.memory import release_free_memory, resident_bytes
from kiosk.terminal import Terminal
from kiosk.schedule import open_now
from kiosk.tickets import Priority
from kiosk.visit import VisitState
from screens import theme
from screens import widgets as _widgets  # noqa: F401 — loads the shared kv rules first
from screens.base import KioskScreen
from screens.bridge import UiBridge
from screens.features import FeatureUi, build_uis
from screens.focus import KeypadNavigator, visible_buttons
from screens.receipts import ReceiptDesk
from screens.strip import VisitStrip
from screens.voice import VoiceGuide
from screens.widgets import KButton, NoticeLine

if TYPE_CHECKING:
    from screens.elder_offer import ElderOffer
    from screens.idle import IdleOverlay

log = logging.getLogger(__name__)

# The core's screen name → "module:Class" (the visit's skeleton and the technician's);
# each feature brings its own (``Feature.screens``). Only the attract screen is built
# before the first frame; the others are imported and built one per frame right after
# it, or on first use.
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
_TRIM_AFTER_S = 3.0  # after a visit, once the attract screen is drawn: the heap's free pages go back
_NOTICE_S = 6.0


def _release_memory(_dt: float) -> None:
    # A visit's screens leave free pages inside the C heap (texts, pictures, the
    # renderer's buffers) that glibc keeps until asked: nobody is at the screen now.
    began = time.perf_counter()
    given = release_free_memory()
    if given is not None:
        log.info("memory: %.0f MB given back after the visit (%.0f ms); resident %.0f MB", given / 2**20,
                 1000 * (time.perf_counter() - began), resident_bytes() / 2**20)


class KioskApp(App):
    """The touch-screen app of one terminal."""

    lang = StringProperty("zh_CN")
    elder = BooleanProperty(False)
    voice = BooleanProperty(False)  # voice mode: every screen speaks (and listens)
    scale = NumericProperty(1.0)
    portrait = BooleanProperty(False)
    notice = StringProperty("")
    banner = StringProperty("")  # what every screen's message line (NoticeLine) shows now

    def __init__(self, terminal: Terminal, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.terminal = terminal
        self.lang = terminal.translator.language
        self._idle_event = None
        self._done_event = None
        self._offer_waiting = False  # a 60+ card was read while the technician screen was shown
        self._notice_event = None
        self.overlay: "IdleOverlay | None" = None  # the idle question, built when first needed
        self.guide = VoiceGuide(self)
        self.announcements: CallAnnouncements | None = None  # calls said by the kiosk itself (calling.announce_in_app)
        self.keypad = KeypadNavigator(self.buttons_on_screen, self.act, self.speak, self.guide.command,
                                      main_action=self._keypad_main_action, ask_before_back=self._keypad_ask_before_back)
        self._keypad_in_use = False  # the last input was a key, not a touch
        self.activity_hooks: list = []  # called on every device event (screens/session.py wakes the screen)
        # Every screen: the core's and the registered features' (name → "module:Class").
        self.screen_table: dict[str, str] = {**SCREENS, **terminal.flow.features.screens()}
        self.uis: dict[str, FeatureUi] = {}  # each feature's side in the app, by feature name
        self._actions: dict[str, FeatureUi] = {}  # action name → the feature UI that answers it

    # --- construction -------------------------------------------------------------------

    def build(self) -> FloatLayout:
        """Create the screens and wire events."""
        self.title = "公共法律服务 · Legal Kiosk"
        Window.clearcolor = theme.BACKGROUND
        self._on_resize(Window, *Window.size)
        self.sm = ScreenManager(transition=NoTransition())
        self.root_screen("attract")
        root = FloatLayout()
        # The visit band sits above the screen in the layout, so it never covers an action.
        self.strip = VisitStrip()
        column = BoxLayout(orientation="vertical")
        column.add_widget(self.strip)
        column.add_widget(self.sm)
        root.add_widget(column)
        # Workers' answers (devices, the centre asker) reach the UI thread from the inbox.
        self.bridge = UiBridge(self.on_device_event, self.terminal.flow.inbox)
        self.receipts = ReceiptDesk(self)
        if self.terminal.pending_features is None:
            self._attach_features()
        Window.bind(on_resize=self._on_resize, on_key_down=self._on_key_down, on_touch_down=self._on_any_touch)
        return root

    def _attach_features(self) -> None:
        # The features' sides, before the app's own listener: their figures are current
        # when the screen refreshes.
        self.screen_table.update(self.terminal.flow.features.screens())
        self.uis = build_uis(self)
        self._actions = {name: ui for ui in self.uis.values() for name in ui.actions}
        self.terminal.flow.add_listener(self._on_flow)

    def ensure_features(self) -> None:
        """Load and attach the features if the terminal put that off (``kiosk run``
        draws the attract screen first): right after the first frame, or at once when a
        touch comes before that."""
        if self.terminal.pending_features is not None:
            self.terminal.complete_features()
            self._attach_features()

    def on_start(self) -> None:
        """Show the attract screen and keep its clock current."""
        self.receipts.queue.start()
        self.show_screen("attract")
        self.strip.start()
        Clock.schedule_interval(self._tick, 20)
        # Devices start on a worker once the first frame is up; their events reach the
        # UI through the bridge. Then the other screens are built, one per frame.
        Clock.schedule_once(self._after_first_frame, 0.1)

    def _after_first_frame(self, _dt: float) -> None:
        if Clock.frames_displayed < 1:  # a slow start: not drawn yet, the features wait for it
            Clock.schedule_once(self._after_first_frame, 0)
            return
        self.ensure_features()
        self.terminal.start_devices(self.bridge.post, done=self._devices_started)
        pending = [name for name in self.screen_table if not self.sm.has_screen(name)]

        def build_next(_dt: float) -> None:
            # A slow board may still be building when systemd stops the app, and closing
            # the window ticks the clock once more: a stopped app has no `app` for the
            # screens' kv rules, so it builds nothing.
            if pending and App.get_running_app() is self:
                self.root_screen(pending.pop(0))
                Clock.schedule_once(build_next, 0)

        Clock.schedule_once(build_next, 0)

    def _devices_started(self) -> None:
        # On the device worker: load the speech model (seconds; never on the UI thread).
        if self.terminal.open_voice_input() is not None:
            # The matcher's pinyin tables (≈ 55 MB) only where speech can be heard.
            self.guide.warm_up()
            Clock.schedule_once(lambda _dt: self.guide.sync(), 0)
        # A site without a calling display has the kiosk say the
        # calls the windows make, on its own speaker (one queue with everything it says).
        t = self.terminal
        speaker = t.speaker()
        if t.config.calling.announce_in_app and speaker is not None:
            template = t.translator.t("calling.announce")
            announcements = CallAnnouncements(t.open_queue, Announcer(speaker, t.config.language, template))
            announcements.start()
            self.announcements = announcements

    def on_stop(self) -> None:
        """Let the print job in hand finish."""
        self.receipts.queue.close()
        if self.announcements is not None:
            self.announcements.stop()

    # --- helpers for kv: text, sizes -------------------------------------------------------

    def tr(self, key: str, *_deps: object, **values: object) -> str:
        """A UI text; kv passes ``app.lang`` in ``_deps`` so the text follows the language."""
        return self.terminal.translator.t(key, None, **values)

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
        # Elder type in three columns wraps words mid-way ("当面问律\n师") and makes tall
        # tiles: two wide ones keep each line whole and more rows in view.
        return 2 if self.elder else 3

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
        if open_now(hours, now):  # closed dates (holidays) count too
            return self.tr("attract.hours_open", open=f"{hours.open:%H:%M}", close=f"{hours.close:%H:%M}")
        return self.tr("attract.hours_closed")

    def root_screen(self, name: str) -> KioskScreen:
        """The screen called ``name`` (built on first use)."""
        if not self.sm.has_screen(name):
            module, _, cls = self.screen_table[name].partition(":")
            self.sm.add_widget(getattr(importlib.import_module(module), cls)())
        return self.sm.get_screen(name)

    def buttons_on_screen(self) -> list[KButton]:
        """What a person can press now: an open overlay's buttons, else the current
        screen's (never the screen being left, which lingers for a frame)."""
        overlays = [w for w in Window.children if w is not self.root]
        return visible_buttons(overlays + [self.sm.current_screen, self.strip])

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
            self.ensure_features()
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
        elif name == "window_ticket":  # the way on when a device this step needs is missing
            flow.handle(ev.WindowTicketRequested())
        elif name == "back":
            flow.handle(ev.BackPressed())
        elif name == "home":
            flow.handle(ev.HomePressed())
        elif name == "finish":
            flow.handle(ev.Finished())
        elif name == "elder":
            flow.handle(ev.ElderModeToggled(not flow.visit.elder_mode))
        elif name == "voice":
            turning_on = not flow.visit.voice_mode
            before = flow.state
            # Said before the screen's own prompt (switching on from attract opens home).
            self.guide.preface = self.guide.text("voice.on") if turning_on else ""
            flow.handle(ev.VoiceModeToggled(turning_on))
            if flow.state is before:  # same screen: nothing spoke yet
                if turning_on:
                    self.guide.speak_screen()
                else:
                    self.speak(self.tr("voice.off"))
        elif name in ("help", "repeat"):
            self.guide.command(name)
        elif name == "goto":  # a service named by voice from another screen
            if flow.state is VisitState.ATTRACT:
                flow.handle(ev.Started())
            if flow.state is not VisitState.HOME:
                flow.handle(ev.HomePressed())
            flow.handle(ev.ServiceChosen(arg))
        elif name == "lang":
            flow.handle(ev.LanguageChanged("en" if flow.visit.language == "zh_CN" else "zh_CN"))
        elif name == "priority":
            chosen = Priority(arg)
            if flow.visit.declared_priority is chosen:
                chosen = Priority.NORMAL  # pressing it again takes it back
            flow.handle(ev.PriorityDeclared(chosen))
        elif name == "reprint":
            self.receipts.print_ticket()
            if self.sm.current == "ticket":
                self.root_screen("ticket").refresh()  # "正在重新打印号票……" at once
            if self.voice or self._keypad_in_use:
                self.speak(self.receipts.ticket_state_text())
        elif name == "reprint_ticket":  # a ticket an earlier visit could not print (technician screen)
            if not self.receipts.reprint_number(arg):
                self.show_notice("printer_state.reprint_none")
        elif name == "home_note":  # a home note (a tile not offered now) was tapped: say it
            say = getattr(self.sm.current_screen, "say_notes", None)
            if say is not None:
                say()
        elif name == "print_materials":
            self.receipts.print_materials()
        elif name == "still_here":
            flow.handle(ev.StillHere())
        elif name == "tech":
            self.show_screen("pin")
        elif name == "tech_exit":
            self.show_screen(flow.state.value)
            if self._offer_waiting and flow.state is not VisitState.ATTRACT:
                # The 60+ card was read while the technician had the screen: offered now.
                self._elder_offer().ask(self)
            self._offer_waiting = False
        elif name == "pin":
            self.root_screen("pin").press(arg)
        elif name == "numpad":  # the big numeric keypad of the screen shown now (screens/numpad.py)
            from screens.numpad import press_on  # deferred: the keypad's kv rules are not paid before the first frame

            press_on(self.sm.current_screen, arg)
        elif name in self._actions:  # a feature's own action ("la:…", "appt:…", "call:…")
            self._actions[name].act(name, arg)
        elif name == "elder_offer":
            self._elder_offer().answer(self, arg)
        elif name == "sim":
            self._run_sim_action(arg)
        else:
            log.warning("unknown action %s", action)

    def _elder_offer(self) -> "ElderOffer":
        from screens.elder_offer import ElderOffer  # deferred: built on first use, when a 60+ card is read

        if getattr(self, "_offer", None) is None:
            self._offer = ElderOffer()
        return self._offer

    def _run_sim_action(self, action_id: str) -> None:
        for device in self.terminal.sim_devices():
            for sim_action in device.sim_actions():
                if sim_action.action_id == action_id:
                    log.info("technician: simulator action %s", action_id)
                    sim_action.run()
                    return
        log.warning("no simulator action %s", action_id)

    # --- events from the flow and from devices ------------------------------------------------

    def on_device_event(self, event: ev.Event) -> None:
        """A device event, on the UI thread (through the bridge)."""
        for hook in self.activity_hooks:
            hook()
        if isinstance(event, ev.PrintFinished):
            on_printed = getattr(self.sm.current_screen, "on_print_finished", None)
            if on_printed is not None:  # a screen that printed its own receipt (legal aid)
                on_printed(event)
            self.receipts.on_print_finished(event)
            return
        if isinstance(event, ev.SpeechHeard):
            self.guide.heard(event.text)
            return
        if isinstance(event, ev.SpeechPartial):
            self.guide.partial(event.text)
            return
        self.terminal.flow.handle(event)
        if self.sm.current == "technician":
            self.root_screen("technician").refresh_states()

    def _on_flow(self, old: State, new: State, event: ev.Event) -> None:
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
        if new is VisitState.ATTRACT and old is not VisitState.ATTRACT:
            Clock.schedule_once(_release_memory, _TRIM_AFTER_S)
        if self.sm.current not in _TECH_SCREENS:
            self.show_screen(new.value)
        self.guide.sync()
        self._remind_card(old, new, event)
        if visit.notice_key and new is not VisitState.CARD:
            self.show_notice(visit.notice_key)
            flow.clear_notice()
        if visit.elder_offer:  # a 60+ card: offer elder mode, once (screens/elder_offer.py)
            flow.elder_offer_shown()
            if self.sm.current in _TECH_SCREENS:
                # Not over the technician's screen (the offer is the visitor's): it waits
                # until the technician leaves.
                self._offer_waiting = True
            else:
                self._elder_offer().ask(self)
        elif new is VisitState.ATTRACT and getattr(self, "_offer", None) is not None:
            self._offer.dismiss(animation=False)  # the visit ended with the offer unanswered
        if new is VisitState.ATTRACT:
            self._offer_waiting = False
        if visit.idle_warning:
            if self.overlay is None:
                from screens.idle import IdleOverlay  # deferred: built on first use, not before the first frame

                self.overlay = IdleOverlay()
            assert self.overlay is not None
            if not self.overlay.counting:  # asked once; its countdown is the deadline
                self.overlay.start(flow.idle_timeout() or 0, on_zero=lambda: self._on_idle(0))
                if self.voice or self.elder or self._keypad_in_use:
                    # Asked aloud too: nobody's visit ends because they could not see the question.
                    self.speak(f"{self.tr('idle.question')}{self.guide.text('voice.idle_answer')}")
        elif self.overlay is not None:
            self.overlay.stop()
        self._reset_idle()

    def _remind_card(self, old: State, new: State, event: ev.Event) -> None:
        # Said to everyone, not only in voice mode: a card left on the reader is the
        # next visitor's to take.
        flow = self.terminal.flow
        if new is VisitState.ATTRACT and old is not VisitState.ATTRACT and flow.card_left_by_last_visit:
            self.strip.visit_ended_with_card()
        if flow.card_reminder_due(old, new, event):
            # A refused card: why, at once, wherever it was put down.
            why = flow.visit.card_refused if isinstance(event, (ev.CardRead, ev.CardRejected)) else None
            self.speak((f"{self.tr(why)}。" if why else "") + self.tr("reminder.take_card_spoken"), interrupt=False)
        self.strip.update()

    @staticmethod
    def _scroll_to_top(screen: KioskScreen) -> None:
        """Every scrolling part of ``screen`` back at its start."""
        for view in screen.walk(restrict=True):
            if isinstance(view, ScrollView):
                # A screen may start elsewhere (the signing pad before its instructions).
                view.scroll_y = float(getattr(view, "start_scroll_y", 1.0))
                if view.effect_y is not None:
                    # As Kivy ties the two (ScrollView._update_effect_y_bounds).
                    view.effect_y.velocity = 0
                    view.effect_y.value = view.effect_y.max * view.scroll_y

    def show_screen(self, name: str) -> None:
        """Switch to screen ``name`` and refresh it; in voice mode (or for a keypad
        user) say what it is and what it offers."""
        screen = self.root_screen(name)
        changed = self.sm.current != name
        self.sm.current = name
        for line in screen.walk(restrict=True):
            if isinstance(line, NoticeLine):
                line.show_banner(self.banner)
        screen.refresh()
        if changed:
            # A screen opens at its top: where the last person scrolled it says nothing
            # to the next one.
            self._scroll_to_top(screen)
            self.keypad.reset()
            if self.voice or self._keypad_in_use:
                self.guide.speak_screen()
            if self._keypad_in_use:
                self.keypad.move(+1, interrupt=False)  # after the screen's own prompt

    def speak(self, text: str, interrupt: bool = True) -> None:
        """Say ``text`` (see VoiceGuide.speak)."""
        self.guide.speak(text, interrupt)

    def show_notice(self, key: str) -> None:
        """A short message in the screen's message line for a few seconds (a card rejected, a printer
        fault), said aloud in voice mode."""
        card = self.terminal.flow.visit.card
        # "已读取身份证：{name}" names the card holder, masked (张*), never in full.
        self.notice = self.tr(key, name=card.masked_name) if card is not None else self.tr(key)
        if self.voice or self._keypad_in_use:
            self.speak(self.notice, interrupt=False)
        self._banner(self.notice)

    def show_heard(self, text: str) -> None:
        """What the recogniser heard, shown so the person can see they were understood."""
        self._banner(self.tr("voice.heard", text=text))

    def _banner(self, text: str) -> None:
        # Shown in the screen's own message line, which is always in its layout.
        self.banner = text
        if self._notice_event is not None:
            self._notice_event.cancel()
        self._notice_event = Clock.schedule_once(self._hide_notice, _NOTICE_S)

    def _hide_notice(self, _dt: float) -> None:
        self.banner = ""
        self.notice = ""

    # --- idle timer ------------------------------------------------------------------------

    def _on_any_touch(self, _window: object, _touch: object) -> bool:
        self._keypad_in_use = False
        self.keypad.reset()
        self._reset_idle()
        return False  # let the touch reach the widgets

    def _keypad_main_action(self) -> str | None:
        """Where the keypad's ring starts: 我还在 while the idle question is asked, else
        the screen's main action."""
        if self.overlay is not None and self.overlay.counting:
            return "still_here"
        return getattr(self.sm.current_screen, "primary_action", None)

    def _keypad_ask_before_back(self) -> tuple[str, str] | None:
        """On the home screen Escape would end the visit: ask first (结束办理 gets the ring)."""
        if self.sm.current == "home" and not (self.overlay is not None and self.overlay.counting):
            return "finish", self.tr("keypad_walk.end_ask")
        return None

    def _reset_idle(self) -> None:
        if self._idle_event is not None:
            self._idle_event.cancel()
            self._idle_event = None
        if self.sm.current in _TECH_SCREENS:
            self._idle_event = Clock.schedule_once(lambda _dt: self.act("tech_exit"), _TECH_IDLE_S)
            return
        if self.overlay is not None and self.overlay.counting:
            return  # the question's countdown ends the visit, at zero, whatever happens meanwhile
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
