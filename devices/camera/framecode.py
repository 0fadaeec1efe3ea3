"""A frame counter drawn into a picture as big black/white blocks, and read back.

Sixteen blocks along the bottom edge, one bit each (most significant first). Blocks are
large (1/16 of the width, 1/20 of the height) so the code survives VP8 at low bitrates
and scaling down the resolution; the reader samples the middle of each block.
"""

from __future__ import annotations

import numpy as np

BITS = 16


def _band(height: int) -> tuple[int, int]:
    h = max(4, height // 20)
    return height - h, height


def draw_code(img: np.ndarray, value: int) -> None:
    """Write ``value`` (mod 2**16) into the bottom band of ``img`` (H×W×3, in place)."""
    height, width = img.shape[:2]
    top, bottom = _band(height)
    bw = width // BITS
    for i in range(BITS):
        bit = (value >> (BITS - 1 - i)) & 1
        img[top:bottom, i * bw : (i + 1) * bw] = 255 if bit else 0


def read_code(img: np.ndarray) -> int:
    """The value written by ``draw_code`` into ``img`` (any RGB or grey H×W[×3] array)."""
    height, width = img.shape[:2]
    top, bottom = _band(height)
    y = (top + bottom) // 2
    bw = width // BITS
    row = img[y]
    if row.ndim == 2:
        row = row.mean(axis=1)
    value = 0
    for i in range(BITS):
        value = (value << 1) | int(row[i * bw + bw // 2] > 128)
    return value
