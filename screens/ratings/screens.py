"""The rating screens (服务评价): which served ticket (by the digits of its number), then
five large faces and optional reasons. Spoken in voice mode; the faces answer to their
names (非常满意…非常不满意) and to the numbers 1–5."""

from __future__ import annotations

import re

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import ColorProperty, NumericProperty

from kiosk.ratings import SCORES
from kiosk.ratings.flow import RatingFlow
from screens import theme
from screens.flow_screen import FlowScreen
from screens.widgets import KButton

# Spoken numbers for the scores (a recogniser may write 五 or 5).
_NUMERALS = {"一": 1, "幺": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
# Face colours from red (1) to green (5): the colour says it too, not only the mouth.
_COLOURS = {1: "#E57373", 2: "#FFB74D", 3: "#FFE082", 4: "#AED581", 5: "#66BB6A"}


def ratings_of(flow: Any) -> RatingFlow:
    """The rating feature registered with the visit flow."""
    feature = flow.features.get(RatingFlow.name)
    assert isinstance(feature, RatingFlow), "ratings are not registered"
    return feature


class RatingTicketScreen(FlowScreen):
    """At the kiosk: the digits of the served ticket, then the matching numbers."""

    screen_name = "rate_ticket"

    def refresh(self) -> None:
        """The keypad, or the numbers that match what was typed."""
        app = self.kiosk
        r = ratings_of(app.terminal.flow)
        self.title = app.tr("rating.ticket_title")
        self.subtitle = app.tr("rating.ticket_hint")
        self.message = app.tr("rating.no_ticket") if r.searched and not r.candidates else ""
        box = self.body()
        if len(r.candidates) > 1:
            self.subtitle = app.tr("rating.choose_ticket")
            grid = self.grid(4)
            for t in r.candidates:
                grid.add_widget(self.button(t.number, f"rating:ticket:{t.ticket_id}", font_size=app.fs(40)))
            box.add_widget(grid)
            return
        pad = self.keypad(mode="digits", max_length=3, min_length=1)
        pad.on_done = lambda digits: app.act(f"rating:digits:{digits}")
        box.add_widget(pad)


class RatingScreen(FlowScreen):
    """Five faces, then reasons that fit the score, then 提交."""

    screen_name = "rate"
    primary_action = "rating:submit"

    def refresh(self) -> None:
        """Faces (the chosen one marked), reasons, submit; thanks once given."""
        app = self.kiosk
        r = ratings_of(app.terminal.flow)
        video = r.service == "video"
        self.title = app.tr("rating.title_video" if video else "rating.title")
        name = "" if video or r.service is None else app.terminal.catalog.get(r.service).name.get(app.lang)
        number = r.ticket.number if r.ticket is not None and not video else ""
        self.subtitle = " · ".join(p for p in (number, name, app.tr("rating.anonymous")) if p)
        self.message = ""
        box = self.body()
        if r.given:
            # Thanks, and nothing more to press: the visit ends by itself (or 结束办理 below).
            box.add_widget(self.text(app.tr("rating.thanks"), code=True))
            return
        faces = self.grid(5 if not app.portrait else 3)
        for score in SCORES:
            label = app.tr(f"rating.s{score}")
            face = FaceButton(text=label, action=f"rating:score:{score}", selected=r.score == score,
                              smile=(score - 3) / 2, face_colour=theme.hex_rgba(_COLOURS[score]),
                              spoken=f"{label}，{app.tr('rating.score_spoken', n=score)}")
            faces.add_widget(face)
        box.add_widget(faces)
        offered = r.reasons_offered()
        if offered:
            box.add_widget(self.text(app.tr("rating.reasons_title")))
            grid = self.grid(2 if app.portrait else 4)
            for code in offered:
                grid.add_widget(self.button(app.tr(f"rating.reason.{code}"), f"rating:reason:{code}", selected=code in r.reasons,
                                            font_size=app.fs(24)))
            box.add_widget(grid)
            box.add_widget(self.button(app.tr("rating.submit"), "rating:submit", selected=True))

    def spoken_intro(self) -> str:
        """The question and how to answer it by voice."""
        return super().spoken_intro() + self.kiosk.guide.text("rating.voice_howto")

    def voice_grammar(self) -> list[str]:
        """The scores said as numbers."""
        return [f"{n}分" for n in "一二三四五"] + list("一二三四五")

    def take_speech(self, text: str) -> bool:
        """A score said as a number chooses that face; anything else goes to the buttons."""
        action = self.voice_action(text)
        if action is None:
            return False
        self.kiosk.act(action)
        return True

    def voice_action(self, text: str) -> str | None:
        """"5分" / "五" / "打三分": the score said as a number."""
        said = re.sub(r"[\s，。！？,.!?]", "", text)
        m = re.fullmatch(r"(?:打|给|评)?([1-5一幺二两三四五])(?:分|星|颗星)?", said)
        if m is None:
            return None
        n = _NUMERALS.get(m.group(1)) or int(m.group(1))
        return f"rating:score:{n}" if n in SCORES else None


class FaceButton(KButton):
    """One of the five faces: ``smile`` from -1 (very unhappy) to 1 (very happy)."""

    smile = NumericProperty(0.0)
    r = NumericProperty(40.0)
    face_colour = ColorProperty(theme.GOLD)

    def on_size(self, *_args: object) -> None:
        """The head fills most of the button above its label."""
        self.r = max(10.0, min(self.width * 0.32, (self.height - 60) * 0.42))


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
