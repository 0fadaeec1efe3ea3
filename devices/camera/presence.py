"""The presence detector: motion plus frontal-face detection on a small grey copy of a
frame (docs/presence.md says why this detector).

Faces are found with the LBP frontal-face cascade that scikit-image ships inside its
wheel (``skimage/data/lbpcascade_frontalface_opencv.xml``, trained by OpenCV) and its
``skimage.feature.Cascade``: OpenCV 5 has no cascade classifier and ships no face model,
and nothing is ever downloaded at run time. A frontal cascade answers "is someone facing
the screen", which is the question, and nothing about who they are.

The frame is scaled down to ``width`` pixels wide and turned grey; the copy and the
previous one (for motion) are all that is kept, in memory, and replaced at each look.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kiosk.ports import Frame
from kiosk.presence.tracker import FaceBox, Sighting

_MOTION_LEVEL = 25  # grey levels: a pixel that changed less is sensor noise


class LbpFaceFinder:
    """``look(frame)`` → motion and frontal faces, at ``width``×(``width``·3/4) pixels."""

    def __init__(self, width: int = 160, min_face: int = 18) -> None:
        import cv2  # deferred: heavy; only a terminal that looks for people loads it
        from skimage import data, feature  # deferred: heavy (SciPy); loaded on the watcher's worker

        self._cv2 = cv2
        self._cascade = feature.Cascade(data.lbp_frontal_face_cascade_filename())  # type: ignore[no-untyped-call]
        self._width = width
        self._min_face = min_face
        self._previous: np.ndarray | None = None

    def grey(self, frame: Frame) -> np.ndarray:
        """The frame as a small grey picture (the only form the detector looks at)."""
        rgb = np.frombuffer(frame.rgb, np.uint8).reshape(frame.height, frame.width, 3)
        height = max(1, round(self._width * frame.height / frame.width))
        small = self._cv2.resize(rgb, (self._width, height), interpolation=self._cv2.INTER_AREA)
        return self._cv2.cvtColor(small, self._cv2.COLOR_RGB2GRAY)

    def look(self, frame: Frame) -> Sighting:
        """Motion since the last look and the frontal faces in this frame."""
        grey = self.grey(frame)
        h, w = grey.shape
        motion = 0.0
        if self._previous is not None and self._previous.shape == grey.shape:
            diff = self._cv2.absdiff(grey, self._previous)
            motion = float(np.count_nonzero(diff > _MOTION_LEVEL)) / diff.size
        self._previous = grey
        found: list[dict[str, Any]] = self._cascade.detect_multi_scale(
            img=grey, scale_factor=1.2, step_ratio=1, min_size=(self._min_face, self._min_face), max_size=(h, h),
            min_neighbor_number=2,
        )
        faces = tuple(
            FaceBox(x=(f["c"] + f["width"] / 2) / w, y=(f["r"] + f["height"] / 2) / h, size=f["height"] / h)
            for f in _merge(found)
        )
        return Sighting(motion, faces)


def _merge(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # The cascade reports a face at neighbouring scales as overlapping boxes: one face.
    kept: list[dict[str, Any]] = []
    for f in sorted(found, key=lambda f: -f["width"]):
        cx, cy = f["c"] + f["width"] / 2, f["r"] + f["height"] / 2
        if not any(k["c"] <= cx <= k["c"] + k["width"] and k["r"] <= cy <= k["r"] + k["height"] for k in kept):
            kept.append(f)
    return kept


def open_face_finder() -> LbpFaceFinder:
    """The detector the presence feature uses (kiosk.toml [presence] ``detector``)."""
    return LbpFaceFinder()
