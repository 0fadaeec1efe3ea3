"""A signature pad: the person signs with a finger; the strokes become a PNG.

The strokes are kept as points (in the pad's own coordinates), drawn on the canvas as
they come, and rendered to a black-on-white PNG with Pillow on demand — the image that
travels, sealed, with the application. Nothing is written to disk.

``ink_length`` (in pad pixels) tells a real signature from a stray touch: ``is_empty``
is True below ``MIN_INK`` of ink, and the screen refuses to submit then.

In ``fingerprint`` mode (按手印, for a person who cannot write) a finger pressed on the
pad leaves a mark where it pressed: an oval print of ridges, the last press replacing
any earlier one. The mark is what the image then shows.
"""

from __future__ import annotations

from kivy.input.motionevent import MotionEvent

import io
import math

from kivy.graphics import Color, Ellipse, Line
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, OptionProperty
from kivy.uix.widget import Widget

from screens import theme

MIN_INK = 60.0  # dp of ink: less is a tap or a slip, not a signature
PNG_WIDTH = 600  # pixels of the stored image (enough to compare with a paper signature)


class SignaturePad(Widget):
    """Touch to draw; ``clear()``; ``png_bytes()``; ``is_empty``."""

    ink_length = NumericProperty(0.0)
    signed = BooleanProperty(False)  # enough ink for a signature, or a fingerprint mark
    mode = OptionProperty("signature", options=["signature", "fingerprint"])

    def __init__(self, **kwargs: object) -> None:
        self.strokes: list[list[tuple[float, float]]] = []
        self.mark: tuple[float, float] | None = None  # where the finger was pressed
        super().__init__(**kwargs)
        self.bind(size=self._redraw, pos=self._redraw)

    @property
    def is_empty(self) -> bool:
        """True while there is too little ink to count as a signature (no mark, in
        fingerprint mode)."""
        if self.mode == "fingerprint":
            return self.mark is None
        return self.ink_length < dp(MIN_INK)

    def clear(self) -> None:
        """Wipe the pad (清除重签)."""
        self.strokes = []
        self.mark = None
        self.ink_length = 0.0
        self.signed = False
        self._redraw()

    def press_mark(self, pos: tuple[float, float]) -> None:
        """A fingerprint mark at ``pos`` (pad coordinates), replacing any earlier one."""
        self.mark = (min(max(pos[0], 0.0), self.width), min(max(pos[1], 0.0), self.height))
        self.signed = True
        self._redraw()

    # --- touches ----------------------------------------------------------------------

    def on_touch_down(self, touch: MotionEvent) -> bool:
        """Start a stroke inside the pad."""
        if not self.collide_point(*touch.pos):
            return False
        if self.mode == "fingerprint":
            self.press_mark(self._local(touch.pos))
            return True
        touch.grab(self)
        self.strokes.append([self._local(touch.pos)])
        self._redraw()
        return True

    def on_touch_move(self, touch: MotionEvent) -> bool:
        """Extend the stroke (points outside the pad are clamped to its edge)."""
        if touch.grab_current is not self or not self.strokes:
            return False
        x, y = self._local(touch.pos)
        x, y = min(max(x, 0.0), self.width), min(max(y, 0.0), self.height)
        last = self.strokes[-1][-1]
        self.ink_length += math.dist(last, (x, y))
        self.signed = not self.is_empty
        self.strokes[-1].append((x, y))
        self._redraw()
        return True

    def on_touch_up(self, touch: MotionEvent) -> bool:
        """End the stroke."""
        if touch.grab_current is self:
            touch.ungrab(self)
            return True
        return False

    def add_stroke(self, points: list[tuple[float, float]]) -> None:
        """Add a stroke in pad coordinates (what a finger does, for scripted signing)."""
        if not points:
            return
        self.strokes.append(list(points))
        self.ink_length += sum(math.dist(a, b) for a, b in zip(points, points[1:]))
        self.signed = not self.is_empty
        self._redraw()

    # --- drawing and the image ----------------------------------------------------------

    def _local(self, pos: tuple[float, float]) -> tuple[float, float]:
        return (pos[0] - self.x, pos[1] - self.y)

    def _mark_rings(self, scale: float = 1.0) -> list[tuple[float, float, float, float]]:
        # The ridges of a print: concentric ovals (x, y, w, h around the mark's centre).
        if self.mark is None:
            return []
        cx, cy = self.mark
        r = dp(34) * scale
        return [(cx * scale - r * f * 0.8, cy * scale - r * f, r * f * 1.6, r * f * 2) for f in (1.0, 0.8, 0.6, 0.4, 0.2)]

    def _redraw(self, *_args: object) -> None:
        self.canvas.after.clear()
        with self.canvas.after:
            if self.mark is not None:
                # Red like the ink pad (印泥) a print is made with on paper.
                Color(*theme.ACCENT)
                for x, y, w, h in self._mark_rings():
                    Line(ellipse=(self.x + x, self.y + y, w, h), width=dp(2))
                Ellipse(pos=(self.x + self.mark[0] - dp(4), self.y + self.mark[1] - dp(4)), size=(dp(8), dp(8)))
            Color(*theme.TEXT)
            for stroke in self.strokes:
                pts = [c for x, y in stroke for c in (self.x + x, self.y + y)]
                if len(pts) >= 4:
                    Line(points=pts, width=dp(2.5), cap="round", joint="round")

    def png_bytes(self) -> bytes:
        """The signature as a PNG (black on white), or b"" when there is none."""
        if self.is_empty:
            return b""
        from PIL import Image, ImageDraw  # deferred: PIL is heavy, paid only when a signature is saved

        w, h = max(1.0, self.width), max(1.0, self.height)
        scale = PNG_WIDTH / w
        img = Image.new("L", (PNG_WIDTH, max(1, int(h * scale))), 255)
        draw = ImageDraw.Draw(img)
        for stroke in self.strokes:
            # Kivy's y grows upwards; an image's downwards.
            pts = [(x * scale, (h - y) * scale) for x, y in stroke]
            if len(pts) >= 2:
                draw.line(pts, fill=0, width=max(3, int(5 * scale / 2)), joint="curve")
        for x, y, rw, rh in self._mark_rings(scale):
            top = h * scale - (y + rh)
            draw.ellipse((x, top, x + rw, top + rh), outline=0, width=max(2, int(3 * scale)))
        out = io.BytesIO()
        img.save(out, format="PNG", optimize=True)
        return out.getvalue()
