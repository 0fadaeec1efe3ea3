"""The card screen: place the ID card on the reader (the service needs it)."""

from __future__ import annotations

from pathlib import Path

from kivy.animation import Animation
from kivy.lang import Builder
from kivy.properties import NumericProperty, StringProperty

from kiosk.ports import DeviceKind
from screens.base import KioskScreen


class CardScreen(KioskScreen):
    """Asks for the ID card, with a card gliding onto the reader again and again."""

    why = StringProperty("")
    notice = StringProperty("")
    drop = NumericProperty(1.0)  # 1: card above the reader, 0: on it
    # Without a working reader this screen would wait forever: the visit band says so
    # and offers a ticket for the window instead.
    needs_devices = (DeviceKind.IDCARD,)
    device_problem = StringProperty("")
    # The band's way on, in words that agree with this screen's heading (no "不用身份证"
    # under "请把身份证放在读卡区"); the screen's own smaller button steps aside meanwhile.
    way_on = (("visit_walk.way_on_window", "window_ticket"),)
    title = StringProperty("")
    # A card an earlier visit put on the reader was never seen to leave: the person here
    # may find someone else's card where they are asked to put theirs.
    others_card = StringProperty("")

    def device_problem_changed(self, problem: str) -> None:
        """The reader became unusable (or usable again): say it here too, in big type."""
        self.device_problem = problem
        self.refresh()

    def refresh(self) -> None:
        """Say why the card is needed, and any problem with the last read."""
        app = self.kiosk
        visit = app.terminal.flow.visit
        purpose = app.terminal.flow.card_purpose  # another flow asked for the card (ask_for_card)
        if purpose:
            self.why = app.tr(purpose)
        elif visit.service:
            self.why = app.tr("card.why", service=app.terminal.catalog.get(visit.service).name.get(app.lang))
        self.notice = app.tr(visit.notice_key) if visit.notice_key and visit.notice_key.startswith(("card.", "idcard.")) else ""
        self.title = app.tr("card.title")
        flow = app.terminal.flow
        self.others_card = app.tr("card_left.others_card") if flow.card_may_be_left and not visit.card_placed else ""
        if self.device_problem:
            # The heading says what is wrong, as the band does: the card, or the reader.
            refused = visit.card_refused is not None and visit.card is None and not app.strip.reader_unusable
            self.title = app.tr("visit_walk.card_title_refused" if refused else "visit_walk.card_title_no_reader")
            self.notice = self.device_problem

    def spoken_intro(self) -> str:
        """Where to put the card and why."""
        app = self.kiosk
        notice = f"{self.notice}。" if self.notice else ""
        others = f"{self.others_card}。" if self.others_card else ""
        return f"{notice}{self.title or app.tr('card.title')}。{self.why}。{app.tr('card.hint')}。{others}"

    def on_enter(self, *args: object) -> None:
        """Start the animation."""
        self._anim = Animation(drop=0.0, duration=1.2, t="out_quad") + Animation(drop=0.0, duration=0.6) + Animation(
            drop=1.0, duration=0.01
        )
        self._anim.repeat = True
        self._anim.start(self)

    def on_leave(self, *args: object) -> None:
        """Stop the animation."""
        Animation.cancel_all(self)
        self.drop = 1.0


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
