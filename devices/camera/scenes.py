"""People for the simulated camera: real face photographs composited into its frames,
so the real presence detector runs on them (tests, demos, the technician's controls).

The faces are photographs that scikit-image ships inside its wheel (``astronaut``: Eileen
Collins, NASA, public domain; ``camera``: the classic cameraman, shipped by scikit-image
under its licence), cut around the head. A scenario is a script of where each person is
(horizontal centre and face height as fractions of the frame) over time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

# Head crops (rows, cols) in the bundled photographs, and the detected face's height
# over the crop's (measured with the detector).
_CROPS = {"astronaut": ((20, 220), (130, 320)), "camera": ((80, 230), (170, 310))}
_FACE_OF_CROP = {"astronaut": 0.48, "camera": 0.32}


@dataclass(frozen=True)
class Placed:
    """One person in a frame: which photograph, where, how close (face height of frame)."""

    who: str
    x: float
    size: float


Script = Callable[[float], list[Placed]]


def _nobody(t: float) -> list[Placed]:
    return []


def _passing(t: float) -> list[Placed]:
    # Walks across in front, not close, in about two seconds, then the room is empty.
    cycle = t % 6.0
    if cycle > 2.2:
        return []
    return [Placed("astronaut", -0.1 + cycle * 0.55, 0.17)]


def _approach_size(t: float) -> float:
    return min(0.4, 0.12 + 0.14 * t)


def _approaching(t: float) -> list[Placed]:
    # Walks up over two seconds, then stays, shifting slowly from side to side.
    return [Placed("astronaut", 0.5 + 0.2 * math.sin(t / 2.0), _approach_size(t))]


def _two(t: float) -> list[Placed]:
    return [Placed("astronaut", 0.3, _approach_size(t)), Placed("camera", 0.72, min(0.26, _approach_size(t)))]


def _leaving(t: float) -> list[Placed]:
    # Stays for six seconds (long enough to start a visit), then walks off to the side.
    if t < 6.0:
        return [Placed("astronaut", 0.5, _approach_size(t))]
    x = 0.5 + (t - 6.0) * 0.6
    return [Placed("astronaut", x, 0.36)] if x < 1.2 else []


SCENARIOS: dict[str, Script] = {
    "nobody": _nobody,
    "passing": _passing,
    "approaching": _approaching,
    "two": _two,
    "leaving": _leaving,
}


class Faces:
    """The head crops, loaded once (scikit-image's bundled files, no network)."""

    def __init__(self) -> None:
        from skimage import data  # deferred: heavy; only when a scenario shows people

        # scikit-image's data loaders carry no type hints.
        photos = {"astronaut": data.astronaut(),  # type: ignore[no-untyped-call]
                  "camera": np.stack([data.camera()] * 3, axis=-1)}  # type: ignore[no-untyped-call]
        self._crops = {k: photos[k][r0:r1, c0:c1].copy() for k, ((r0, r1), (c0, c1)) in _CROPS.items()}

    def paint(self, img: np.ndarray, people: list[Placed]) -> None:
        """Paste each person into ``img`` (H×W×3 RGB, in place), nearest last."""
        import cv2  # deferred: heavy; the simulator's drawing thread only

        height, width = img.shape[:2]
        for p in sorted(people, key=lambda p: p.size):
            crop = self._crops[p.who]
            ch = max(8, int(p.size * height / _FACE_OF_CROP[p.who]))
            cw = max(8, int(ch * crop.shape[1] / crop.shape[0]))
            head = cv2.resize(crop, (cw, ch), interpolation=cv2.INTER_AREA)
            left, top = int(p.x * width - cw / 2), int(height * 0.45 - ch / 2)
            # Clip to the frame: a person walking in or out is partly outside it.
            x0, y0 = max(0, left), max(0, top)
            x1, y1 = min(width, left + cw), min(height, top + ch)
            if x1 <= x0 or y1 <= y0:
                continue
            img[y0:y1, x0:x1] = head[y0 - top : y1 - top, x0 - left : x1 - left]
