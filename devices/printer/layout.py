"""Lay a receipt out in printed lines, once, for both renderers.

Every text line here already fits the paper at its magnification and carries its final
spacing (columns padded in printer columns), so the ESC/POS bytes and the PNG preview
put every character in the same cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from devices.printer.profiles import PrinterProfile
from devices.printer.textwidth import clean, pad, text_width, wrap
from kiosk.receipt import Align, Columns, Feed, QrCode, Receipt, Separator, Text

# Space between two cells of a table row, in columns.
CELL_GAP = 1


@dataclass(frozen=True)
class Line:
    """One printed text line: ``text`` fits ``columns // width`` columns."""

    text: str
    align: Align = Align.LEFT
    bold: bool = False
    width: int = 1
    height: int = 1


@dataclass(frozen=True)
class QrLine:
    """A QR code, centred, ``module`` dots per module."""

    data: str
    module: int


@dataclass(frozen=True)
class BlankLines:
    """Blank paper, ``count`` normal lines of it."""

    count: int


@dataclass(frozen=True)
class CutLine:
    """The end of the receipt: feed past the blade (or tear bar) and cut if possible."""


Laid = Union[Line, QrLine, BlankLines, CutLine]


def layout(receipt: Receipt, profile: PrinterProfile) -> list[Laid]:
    """The receipt as printed lines for ``profile``'s paper width."""
    out: list[Laid] = []
    for block in receipt.blocks:
        if isinstance(block, Text):
            room = max(2, profile.columns // block.width)
            parts = wrap(clean(block.text), room)
            if block.align is Align.CENTER and len(parts) > 1:
                parts = _balanced(clean(block.text), room, len(parts))
            for part in parts:
                out.append(Line(part, block.align, block.bold, block.width, block.height))
        elif isinstance(block, Columns):
            out.extend(_row(block, profile.columns))
        elif isinstance(block, Separator):
            out.append(Line(block.char * profile.columns))
        elif isinstance(block, QrCode):
            out.append(QrLine(block.data, block.module))
        elif isinstance(block, Feed):
            if block.lines:
                out.append(BlankLines(block.lines))
        else:  # pragma: no cover - the Block union is closed
            raise TypeError(f"unknown block {type(block).__name__}")
    if receipt.cut:
        out.append(CutLine())
    return out


def _balanced(text: str, room: int, count: int) -> list[str]:
    # A centred title that wraps reads best in lines of even length, not a full line
    # and one orphaned character: the narrowest width giving the same number of lines.
    best = wrap(text, room)
    for width in range(room - 1, max(2, room // 2) - 1, -1):
        trial = wrap(text, width)
        if len(trial) != count:
            break
        best = trial
    return best


def column_widths(weights: tuple[int, ...], columns: int, minimums: tuple[int, ...] = ()) -> list[int]:
    """Share ``columns`` (minus the gaps) by ``weights``; a cell never gets less than its
    minimum (its longest word, so a mark like "[必带]" is never split) nor less than 2
    columns (one Chinese character), and the widths add up exactly."""
    room = columns - CELL_GAP * (len(weights) - 1)
    total = sum(weights)
    floors = [max(2, m) for m in minimums] if minimums else [2] * len(weights)
    widths = [max(floor, room * w // total) for w, floor in zip(weights, floors)]
    # Leftovers (or the overdraft of raised minimums) go to the widest cell, which
    # usually holds the long text that can wrap.
    widest = widths.index(max(widths))
    widths[widest] = max(2, widths[widest] + room - sum(widths))
    return widths


def _min_width(cell: str, cap: int) -> int:
    # What must not break: a short label or mark ("前面等候", "[必带]") whole, else the
    # longest ASCII word (a number, a time); Chinese text can break anywhere. Capped so
    # one cell cannot starve the others.
    if text_width(cell) <= 8:
        return min(text_width(cell), cap)
    words = [w for w in cell.split(" ") if w.isascii()]
    return min(max((text_width(w) for w in words), default=2), cap)


def _row(row: Columns, columns: int) -> list[Line]:
    cap = columns // (2 * len(row.cells)) + 1
    minimums = tuple(_min_width(cell, cap) for cell in row.cells)
    widths = column_widths(row.cell_weights(), columns, minimums)
    wrapped = [wrap(clean(cell), w) for cell, w in zip(row.cells, widths)]
    aligns = row.cell_aligns()
    lines: list[Line] = []
    for i in range(max(len(w) for w in wrapped)):
        parts = [
            pad(cell_lines[i] if i < len(cell_lines) else "", w, align.value)
            for cell_lines, w, align in zip(wrapped, widths, aligns)
        ]
        # Trailing spaces are paper the printer would feed anyway: drop them.
        lines.append(Line((" " * CELL_GAP).join(parts).rstrip(" "), Align.LEFT, row.bold))
    return lines
