"""Draws the home screen's pictograms into screens/icons/*.png (white on transparent;
the app tints them). Run ``python -m screens.icons.draw`` after changing a drawing.

Drawn here, not downloaded: simple, thick shapes that stay legible at 48 px and differ
from each other in outline, so a person who reads little can tell the tiles apart.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Callable

from PIL import Image, ImageDraw

SIZE = 192  # pixels of the PNG
_S = 4  # drawn at four times the size, then reduced: smooth edges
W = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)
Draw = ImageDraw.ImageDraw


def _p(*xy: float) -> list[float]:
    """Coordinates on a 0–100 grid → canvas pixels."""
    return [v * SIZE * _S / 100 for v in xy]


def _w(width: float) -> int:
    return int(width * SIZE * _S / 100)


def consult(d: Draw) -> None:
    """Two speech bubbles: a conversation."""
    d.rounded_rectangle(_p(6, 10, 62, 50), radius=_w(10), outline=W, width=_w(7))
    d.polygon(_p(16, 48, 16, 64, 30, 48), fill=W)
    d.rounded_rectangle(_p(40, 42, 94, 80), radius=_w(10), fill=W)
    d.polygon(_p(80, 78, 84, 94, 66, 78), fill=W)
    for x in (54, 67, 80):
        d.ellipse(_p(x - 4, 57, x + 4, 65), fill=CLEAR)


def aid(d: Draw) -> None:
    """A heart held in an open hand: help that is given."""
    d.ellipse(_p(24, 6, 52, 34), fill=W)
    d.ellipse(_p(48, 6, 76, 34), fill=W)
    d.polygon(_p(25.5, 26, 50, 54, 74.5, 26, 50, 16), fill=W)
    d.line(_p(6, 62, 30, 62, 46, 72, 66, 72), fill=W, width=_w(7), joint="curve")
    d.line(_p(6, 90, 64, 90, 94, 66), fill=W, width=_w(7), joint="curve")
    d.line(_p(38, 80, 62, 80), fill=W, width=_w(6))


def mediate(d: Draw) -> None:
    """Two people with a bridge between them: a dispute settled by talking."""
    for cx in (17, 83):
        d.ellipse(_p(cx - 10, 12, cx + 10, 32), fill=W)
        d.pieslice(_p(cx - 16, 38, cx + 16, 90), 180, 360, fill=W)
        d.rectangle(_p(cx - 16, 63, cx + 16, 92), fill=W)
    d.line(_p(42, 60, 58, 60), fill=W, width=_w(7))
    d.polygon(_p(42, 49, 42, 71, 35, 60), fill=W)
    d.polygon(_p(58, 49, 58, 71, 65, 60), fill=W)


def stamp(d: Draw) -> None:
    """A seal: handle, base and the mark it leaves."""
    d.ellipse(_p(36, 4, 64, 30), fill=W)
    d.rectangle(_p(44, 26, 56, 50), fill=W)
    d.rounded_rectangle(_p(18, 48, 82, 70), radius=_w(6), fill=W)
    d.rounded_rectangle(_p(8, 80, 92, 94), radius=_w(4), outline=W, width=_w(5))


def magnifier(d: Draw) -> None:
    """A magnifying glass: a close, expert look."""
    d.ellipse(_p(8, 8, 66, 66), outline=W, width=_w(9))
    d.line(_p(58, 58, 90, 90), fill=W, width=_w(14))
    d.arc(_p(20, 20, 54, 54), 190, 260, fill=W, width=_w(5))


def scales(d: Draw) -> None:
    """The scales of justice: a neutral decision."""
    d.line(_p(50, 10, 50, 84), fill=W, width=_w(7))
    d.rectangle(_p(28, 84, 72, 94), fill=W)
    d.line(_p(12, 22, 88, 22), fill=W, width=_w(6))
    d.ellipse(_p(44, 4, 56, 16), fill=W)
    for cx in (20, 80):
        d.line(_p(cx, 22, cx - 14, 54), fill=W, width=_w(3))
        d.line(_p(cx, 22, cx + 14, 54), fill=W, width=_w(3))
        d.chord(_p(cx - 18, 40, cx + 18, 70), 0, 180, fill=W)


def video(d: Draw) -> None:
    """A video camera: a call with a face on screen."""
    d.rounded_rectangle(_p(4, 26, 66, 76), radius=_w(9), fill=W)
    d.polygon(_p(70, 44, 96, 28, 96, 74, 70, 58), fill=W)
    d.ellipse(_p(14, 36, 30, 52), fill=CLEAR)


def apply(d: Draw) -> None:
    """A form and a pen: fill in an application here."""
    d.rounded_rectangle(_p(10, 6, 64, 94), radius=_w(5), outline=W, width=_w(6))
    for y in (24, 40, 56):
        d.line(_p(20, y, 54, y), fill=W, width=_w(5))
    d.line(_p(52, 88, 90, 38), fill=W, width=_w(11))
    d.polygon(_p(46, 96, 48, 84, 56, 90), fill=W)


def progress(d: Draw) -> None:
    """A clock face with its hands: how far an application has got."""
    d.ellipse(_p(8, 8, 92, 92), outline=W, width=_w(8))
    d.line(_p(50, 50, 50, 24), fill=W, width=_w(8))
    d.line(_p(50, 50, 70, 62), fill=W, width=_w(8))
    d.ellipse(_p(44, 44, 56, 56), fill=W)


def calendar(d: Draw) -> None:
    """A calendar page: a day booked ahead."""
    d.rounded_rectangle(_p(6, 14, 94, 94), radius=_w(8), outline=W, width=_w(6))
    d.rectangle(_p(6, 14, 94, 34), fill=W)
    for x in (26, 74):
        d.rounded_rectangle(_p(x - 5, 4, x + 5, 24), radius=_w(3), fill=W)
    for row, y in enumerate((46, 62, 78)):
        for col, x in enumerate((22, 40, 58, 76)):
            if (row, col) == (1, 2):
                d.ellipse(_p(x - 8, y - 8, x + 8, y + 8), fill=W)
            else:
                d.rectangle(_p(x - 4, y - 4, x + 4, y + 4), fill=W)


def star(d: Draw) -> None:
    """A star: say how well you were served."""
    points = []
    for i in range(10):
        r = 46 if i % 2 == 0 else 19
        a = math.radians(-90 + i * 36)
        points += [50 + r * math.cos(a), 54 + r * math.sin(a)]
    d.polygon(_p(*points), fill=W)


def ticket(d: Draw) -> None:
    """A queue ticket with its number: wait to be called to a window."""
    d.rounded_rectangle(_p(4, 22, 96, 78), radius=_w(6), fill=W)
    for cx in (4, 96):
        d.ellipse(_p(cx - 9, 41, cx + 9, 59), fill=CLEAR)
    d.line(_p(68, 28, 68, 72), fill=CLEAR, width=_w(3))
    x, y = _p(16, 30)
    d.text((x, y), "A1", fill=CLEAR, font_size=_w(34))


def touch(d: Draw) -> None:
    """A finger on a screen: done here, by yourself."""
    d.rounded_rectangle(_p(6, 4, 70, 66), radius=_w(6), outline=W, width=_w(6))
    d.ellipse(_p(44, 30, 62, 48), outline=W, width=_w(4))
    d.rounded_rectangle(_p(47, 38, 59, 92), radius=_w(6), fill=W)
    d.rounded_rectangle(_p(47, 60, 90, 96), radius=_w(12), fill=W)


def signpost(d: Draw) -> None:
    """A signpost with two arrows: which way to go with a problem."""
    d.rectangle(_p(44, 8, 56, 94), fill=W)
    d.rectangle(_p(26, 86, 74, 94), fill=W)
    d.polygon(_p(14, 16, 78, 16, 92, 28, 78, 40, 14, 40), fill=W)
    d.polygon(_p(86, 50, 22, 50, 8, 62, 22, 74, 86, 74), outline=W, width=_w(6))


ICONS: dict[str, Callable[[Draw], None]] = {
    f.__name__: f
    for f in (consult, aid, mediate, stamp, magnifier, scales, video, apply, progress, calendar, star, ticket, touch,
              signpost)
}


def render(name: str) -> Image.Image:
    """The pictogram ``name`` as a SIZE×SIZE RGBA image."""
    big = Image.new("RGBA", (SIZE * _S, SIZE * _S), CLEAR)
    ICONS[name](ImageDraw.Draw(big))
    return big.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def main() -> None:
    """Write every pictogram next to this file."""
    here = Path(__file__).parent
    for name in ICONS:
        render(name).save(here / f"{name}.png", optimize=True)
        print(here / f"{name}.png")


if __name__ == "__main__":
    main()
