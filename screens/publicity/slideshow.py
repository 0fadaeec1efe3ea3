"""The slideshow: the due publicity slides, full screen over the attract screen, one
after another, each for its own seconds; then the due list is asked for again (the hour
may have moved on). A touch anywhere but "朗读" stops it at once and starts a visit.

A video item shows its poster (its first frame, made at the centre), then its picture
played by ``VideoFrames``: this Kivy has no video provider (no ffpyplayer nor GStreamer
in the venv; docs/publicity.md), so OpenCV, which the terminal has for its camera,
decodes the frames. Without sound: nothing here decodes a video's audio track.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from kivy.clock import Clock
from kivy.input.motionevent import MotionEvent
from kivy.lang import Builder
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label

from kiosk.publicity.feature import Slide

if TYPE_CHECKING:
    from kivy.clock import ClockEvent

MAX_FPS = 15.0  # frames a second decoded on the UI thread: a slide, not a cinema
MAX_WIDTH = 1280  # frames wider than this are scaled down before they become a texture


class VideoFrames:
    """A video file's picture, frame by frame, as a Kivy texture handed to ``show``;
    it loops until ``close``. Decoded on the UI thread at a low rate (a frame of a short
    publicity clip takes a few milliseconds)."""

    def __init__(self, path: Path, show: Callable[[Texture], None]) -> None:
        import cv2  # deferred: heavy, and only needed once a video slide shows

        self._cv2 = cv2
        self._cap = cv2.VideoCapture(str(path))
        self._show = show
        self.texture: Texture | None = None
        self.frames = 0  # frames shown (tests read it)
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self._event: "ClockEvent | None" = Clock.schedule_interval(self._next, 1.0 / min(max(fps, 1.0), MAX_FPS))

    def _next(self, _dt: float) -> None:
        cv2 = self._cv2
        ok, frame = self._cap.read()
        if not ok:  # the end: from the start again
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._cap.read()
        if not ok or frame is None:
            self.close()
            return
        h, w = frame.shape[:2]
        if w > MAX_WIDTH:
            frame = cv2.resize(frame, (MAX_WIDTH, max(1, h * MAX_WIDTH // w)), interpolation=cv2.INTER_AREA)
            h, w = frame.shape[:2]
        if self.texture is None or tuple(self.texture.size) != (w, h):
            self.texture = Texture.create(size=(w, h), colorfmt="rgb")
        # OpenCV's rows run top-down and in BGR; a Kivy texture's bottom-up in RGB.
        rgb = cv2.cvtColor(cv2.flip(frame, 0), cv2.COLOR_BGR2RGB)
        self.texture.blit_buffer(rgb.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
        self.frames += 1
        self._show(self.texture)

    def close(self) -> None:
        """Stop and let the file go."""
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self._cap.release()


class FitLabel(Label):
    """A label set at ``base_size`` whose type shrinks until the text fits its height:
    a text slide may hold 600 characters, in elder type, on a portrait screen."""

    base_size = NumericProperty(40.0)
    MIN_SIZE = 14.0

    def on_base_size(self, *_args: object) -> None:
        """Start again from the full size."""
        self._restart()

    def on_text(self, *_args: object) -> None:
        """A new text: from the full size."""
        self._restart()

    def on_size(self, *_args: object) -> None:
        """A new room (the window turned, elder mode): from the full size."""
        self._restart()

    def on_texture_size(self, *_args: object) -> None:
        """Each new layout of the text: smaller again if it still does not fit."""
        self._fit()

    def _size(self) -> float:
        return float(self.property("font_size").get(self))

    def _restart(self) -> None:
        if self._size() != self.base_size:
            self.font_size = self.base_size  # the text is laid out again: on_texture_size follows
        else:
            self._fit()  # same size, no new layout: judge the one there is against the new room

    def _fit(self) -> None:
        size = self._size()
        if self.height > 1 and self.texture_size[1] > self.height and size > self.MIN_SIZE:
            self.font_size = max(self.MIN_SIZE, size * 0.9)


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
        self.video: VideoFrames | None = None  # the video slide's picture while one plays

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
        self._end_video()
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

    def _end_video(self) -> None:
        if self.video is not None:
            self.video.close()
            self.video = None

    def _show_frame(self, texture: Texture) -> None:
        picture = self.ids.picture
        picture.texture = texture
        picture.canvas.ask_update()

    def _show(self, slide: Slide) -> None:
        self._end_video()
        item = slide.item
        self.current = slide
        self.title = item.title
        self.is_text = item.kind == "text"
        self.is_video = item.kind == "video"
        self.body = item.text
        self.picture = str(slide.picture) if isinstance(slide.picture, Path) else ""
        self.shown += 1
        if slide.video is not None:
            self.video = VideoFrames(slide.video, self._show_frame)
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
