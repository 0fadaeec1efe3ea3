"""Receipt → PNG preview at the printer's real width (384 dots on 58 mm, 576 on 80 mm).

Drawn from the same laid-out lines as the ESC/POS bytes, with the same cell grid (12
dots per column), so what the screen and the docs show is what the paper shows.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from devices.printer.layout import BlankLines, CutLine, Laid, Line, QrLine, layout
from devices.printer.profiles import PrinterProfile
from devices.printer.raster import CELL_HEIGHT, LINE_GAP, line_height, qr_image, render_line
from kiosk.receipt import Receipt

# Paper above the first line and below the last, in dots (a printed receipt has it too).
MARGIN = 24
# A dashed line marks where the printer cuts or where the paper is torn off.
_CUT_DASH = 8


def render_image(receipt: Receipt, profile: PrinterProfile) -> Image.Image:
    """The receipt as a greyscale image ``profile.dots`` wide."""
    return render_laid_image(layout(receipt, profile), profile)


def render_laid_image(lines: list[Laid], profile: PrinterProfile) -> Image.Image:
    """The preview of already laid-out lines."""
    pieces: list[tuple[Image.Image | None, int]] = []  # (image, height) — None is blank
    for item in lines:
        if isinstance(item, Line):
            img = render_line(item, profile)
            pieces.append((img, line_height(item)))
        elif isinstance(item, QrLine):
            img = qr_image(item.data, item.module, profile).convert("L")
            pieces.append((img, img.height + LINE_GAP))
        elif isinstance(item, BlankLines):
            pieces.append((None, item.count * (CELL_HEIGHT + LINE_GAP)))
        elif isinstance(item, CutLine):
            pieces.append((None, profile.feed_before_cut * 4))
    height = MARGIN * 2 + sum(h for _, h in pieces)
    canvas = Image.new("L", (profile.dots, height), 255)
    y = MARGIN
    for piece, h in pieces:
        if piece is not None:
            canvas.paste(piece, (0, y))
        y += h
    if lines and isinstance(lines[-1], CutLine):
        # The cut line, so a preview reads as one ticket and not an endless roll.
        for x in range(0, profile.dots, _CUT_DASH * 2):
            canvas.paste(160, (x, height - 2, min(x + _CUT_DASH, profile.dots), height))
    return canvas


def render_png(receipt: Receipt, profile: PrinterProfile) -> bytes:
    """The preview as PNG bytes."""
    buf = io.BytesIO()
    render_image(receipt, profile).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def write_png(receipt: Receipt, profile: PrinterProfile, path: Path) -> Path:
    """Write the preview to ``path`` (parents created) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_png(receipt, profile))
    return path
