"""The slideshow: the due publicity slides, full screen over the attract screen, one
after another, each for its own seconds; then the due list is asked for again (the hour
may have moved on). A touch anywhere but "朗读" stops it at once and starts a visit.

A video item shows its poster (its first frame, chosen at the centre): this Kivy has no
video provider that can decode here (docs/publicity.md says why).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from kivy.clock import Clock
from kivy.input.motionevent import MotionEvent
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout

from kiosk.publicity.feature import Slide

if TYPE_CHECKING:
    from kivy.clock import ClockEvent


class Slideshow(FloatLayout):
    """Plays ``slides()`` in turn, calling ``played(slide)`` as each one shows."""

    title = StringProperty("")
    body = StringProperty("")  # a text slide's text
    picture = StringProperty("")  # an image file (or a video's poster)
    is_text = BooleanProperty(False)
    is_video = BooleanProperty(False)
    playing = BooleanProperty(False)

    def __init__(self, slides: Callable[[], list[Slide]], played: Callable[[Slide], None],
                 touched: Callable[[], None], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._slides = slides
        self._played = played
        self._touched = touched
        self._queue: list[Slide] = []
        self._next: "ClockEvent | None" = None
        self.current: Slide | None = None
        self.shown = 0  # slides shown since the app started (tests read it)

    def play(self) -> bool:
        """Start with the first due slide; False (and nothing shown) when none is due."""
        self._queue = self._slides()
        if not self._queue:
            return False
        self.playing = True
        self._advance(0)
        return True

    def stop(self) -> None:
        """Stop at once and take the slideshow off the screen."""
        if self._next is not None:
            self._next.cancel()
            self._next = None
        self.playing = False
        self.current = None
        if self.parent is not None:
            self.parent.remove_widget(self)

    def _advance(self, _dt: float) -> None:
        if not self.playing:
            return
        if not self._queue:
            self._queue = self._slides()  # the next round: what is due may have changed
            if not self._queue:
                self.stop()
                return
        slide = self._queue.pop(0)
        self._show(slide)
        self._next = Clock.schedule_once(self._advance, slide.item.seconds)

    def _show(self, slide: Slide) -> None:
        item = slide.item
        self.current = slide
        self.title = item.title
        self.is_text = item.kind == "text"
        self.is_video = item.kind == "video"
        self.body = item.text
        self.picture = str(slide.picture) if isinstance(slide.picture, Path) else ""
        self.shown += 1
        self._played(slide)

    def on_touch_down(self, touch: MotionEvent) -> bool:
        """"朗读" reads the text slide aloud; any other touch stops the show and starts."""
        if not self.playing:
            return False
        read = self.ids.read
        if self.is_text and read.collide_point(*read.to_widget(*touch.pos)):
            return bool(super().on_touch_down(touch))
        self.stop()
        self._touched()
        return True

    def on_touch_up(self, touch: MotionEvent) -> bool:
        """Every touch over the playing show is its own (the screen below starts no visit)."""
        super().on_touch_up(touch)
        return self.playing


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
