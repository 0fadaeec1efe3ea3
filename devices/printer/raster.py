"""Pixels shared by both renderers: text lines drawn on the printer's grid, QR images.

The PNG preview draws every line with these functions, and the ESC/POS renderer uses the
same ones for what the printer cannot print as text (rare characters) or as a native QR
code, so the preview and the paper agree.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from devices.printer.layout import Line
from devices.printer.profiles import PrinterProfile
from devices.printer.textwidth import char_width, text_width
from kiosk.receipt import Align

log = logging.getLogger(__name__)

# WenQuanYi Micro Hei's first face is Simplified Chinese (Noto CJK's first is Japanese).
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
# The printer's 12×24 Font A is monospaced: DejaVu Sans Mono at 20 px advances 12 px.
ASCII_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")

# A printer character cell is 24 dots high; the default line pitch (ESC 2, 1/6 inch at
# 203 dpi) leaves about this much paper between lines.
CELL_HEIGHT = 24
LINE_GAP = 8
# A QR code's quiet zone, in modules. The paper around it is white anyway; two modules
# keep phone scanners happy and the receipt short.
QR_BORDER = 2


@lru_cache(maxsize=32)
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(str(path), size)
    except OSError:
        # A terminal without the font still prints (and previews) its receipts, with
        # Pillow's own font; logged once per size because fonts are cached.
        log.warning("font %s not found; using Pillow's default font", path)
        return ImageFont.load_default(size)


def _fonts(scale: int) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, ImageFont.FreeTypeFont | ImageFont.ImageFont]:
    cjk = _font(CJK_FONT, 22 * scale)
    ascii_path = ASCII_FONT if ASCII_FONT.exists() else CJK_FONT
    return cjk, _font(ascii_path, 20 * scale)


def line_height(line: Line) -> int:
    """Dots of paper one text line takes, gap included."""
    return CELL_HEIGHT * line.height + LINE_GAP


@lru_cache(maxsize=8192)
def _glyph(ch: str, cell: int, scale: int, bold: bool) -> Image.Image:
    # One character cell, drawn once and reused: glyph rendering is most of a
    # preview's cost, and a receipt repeats few distinct characters.
    img = Image.new("L", (cell, CELL_HEIGHT * scale), 255)
    draw = ImageDraw.Draw(img)
    cjk, ascii_font = _fonts(scale)
    font = ascii_font if char_width(ch) == 1 else cjk
    for dx in ((0, max(1, scale // 2)) if bold else (0,)):  # bold = struck twice, as printers do
        draw.text((cell / 2 + dx, CELL_HEIGHT * scale / 2), ch, fill=0, font=font, anchor="mm")
    return img


def render_line(line: Line, profile: PrinterProfile) -> Image.Image:
    """One text line as a greyscale image, the paper's full width and one character
    cell high, aligned as the printer aligns it (black on white)."""
    col = profile.dots_per_column
    h = line.height
    # Draw at the line's height scale on a grid of square-ish cells, then stretch
    # horizontally when width and height scales differ (the printer does the same).
    cols = text_width(line.text)
    img = Image.new("L", (max(1, cols * col * h), CELL_HEIGHT * h), 255)
    x = 0
    for ch in line.text:
        w = char_width(ch)
        if w == 0:
            continue
        if ch != " ":
            img.paste(_glyph(ch, w * col * h, h, line.bold), (x, 0))
        x += w * col * h
    if line.width != line.height:
        img = img.resize((max(1, cols * col * line.width), img.height), Image.Resampling.BILINEAR)
    full = Image.new("L", (profile.dots, img.height), 255)
    room = profile.dots - img.width
    left = 0 if line.align is Align.LEFT else room if line.align is Align.RIGHT else room // 2
    full.paste(img, (max(0, left), 0))
    return full


@lru_cache(maxsize=64)
def _qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    # Error correction M survives the smudges and folds a receipt gets in a pocket.
    code = qrcode.QRCode(version=None, error_correction=qrcode.constants.ERROR_CORRECT_M,
                         box_size=1, border=QR_BORDER)
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())  # border included


def qr_module_for(data: str, module: int, profile: PrinterProfile) -> int:
    """The module size used for ``data`` on ``profile``'s paper: ``module`` dots, less
    if the code would not fit the width."""
    return max(1, min(module, profile.dots // len(_qr_matrix(data))))


def qr_image(data: str, module: int, profile: PrinterProfile) -> Image.Image:
    """A QR code (error correction M) centred on a 1-bit image the paper's full width."""
    matrix = _qr_matrix(data)
    size = len(matrix)
    module = qr_module_for(data, module, profile)
    small = Image.new("1", (size, size), 1)
    small.putdata([0 if dark else 1 for row in matrix for dark in row])
    big = small.resize((size * module, size * module), Image.Resampling.NEAREST)
    full = Image.new("1", (profile.dots, big.height), 1)
    full.paste(big, ((profile.dots - big.width) // 2, 0))
    return full


def to_bilevel(img: Image.Image) -> Image.Image:
    """Threshold (no dithering: dithered text prints as speckles) to a 1-bit image."""
    return img.point(lambda v: 255 if v >= 160 else 0, mode="1")
