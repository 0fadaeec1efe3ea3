"""Printer status: the ``DLE EOT`` real-time queries and what their answers mean.

Pure functions over bytes (table-tested); the adapter does the I/O. Epson semantics,
which Xprinter/GP/Epson-China clones share: every answer byte has bits 1 and 4 set and
bits 0 and 7 clear, which tells a status byte from stray data.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.ports import PrinterStatus

DLE_EOT = b"\x10\x04"
QUERY_PRINTER = DLE_EOT + b"\x01"  # bit 3: offline
QUERY_OFFLINE_CAUSE = DLE_EOT + b"\x02"  # bit 2 cover open, bit 5 stopped by paper end, bit 6 error
QUERY_ERROR_CAUSE = DLE_EOT + b"\x03"
QUERY_PAPER = DLE_EOT + b"\x04"  # bits 2-3 paper near end, bits 5-6 paper end

_FIXED_MASK, _FIXED_VALUE = 0x93, 0x12

OFFLINE = 0x08
COVER_OPEN = 0x04
STOPPED_BY_PAPER_END = 0x20
ERROR = 0x40
PAPER_NEAR_END = 0x0C
PAPER_END = 0x60

# The statuses in which a job cannot print: the person must be told, not given a blank.
NOT_READY = frozenset({PrinterStatus.PAPER_OUT, PrinterStatus.COVER_OPEN, PrinterStatus.OFFLINE})

# Message keys (translation catalogue) for the person at the kiosk.
MESSAGE_KEYS: dict[PrinterStatus, str] = {
    PrinterStatus.READY: "printer.ready",
    PrinterStatus.PAPER_LOW: "printer.paper_low",
    PrinterStatus.PAPER_OUT: "printer.paper_out",
    PrinterStatus.COVER_OPEN: "printer.cover_open",
    PrinterStatus.OFFLINE: "printer.offline",
    PrinterStatus.UNKNOWN: "printer.unknown",
}

# Short reasons for the command line's stderr, Chinese / English.
REASONS: dict[PrinterStatus, str] = {
    PrinterStatus.READY: "打印机就绪 / printer ready",
    PrinterStatus.PAPER_LOW: "打印纸将用完 / printer paper low",
    PrinterStatus.PAPER_OUT: "打印机缺纸 / printer out of paper",
    PrinterStatus.COVER_OPEN: "打印机纸仓盖未关 / printer cover open",
    PrinterStatus.OFFLINE: "打印机未连接或离线 / printer offline",
    PrinterStatus.UNKNOWN: "打印机状态未知 / printer status unknown",
}


def is_status_byte(value: int) -> bool:
    """True if ``value`` has the fixed bits every DLE EOT answer has."""
    return value & _FIXED_MASK == _FIXED_VALUE


@dataclass(frozen=True)
class StatusReply:
    """The answers to one round of queries; None where the printer said nothing."""

    printer: int | None
    offline_cause: int | None = None
    paper: int | None = None


def interpret(reply: StatusReply) -> PrinterStatus:
    """What the answers mean for the person at the kiosk.

    The order matters: an open cover also stops the paper sensor, and closing the cover
    is what fixes it, so it is named first.
    """
    if reply.printer is None:
        return PrinterStatus.UNKNOWN
    answers = [b for b in (reply.printer, reply.offline_cause, reply.paper) if b is not None]
    if not all(is_status_byte(b) for b in answers):
        return PrinterStatus.UNKNOWN
    cause = reply.offline_cause or 0
    paper = reply.paper or 0
    if reply.printer & OFFLINE:
        if cause & COVER_OPEN:
            return PrinterStatus.COVER_OPEN
        if cause & STOPPED_BY_PAPER_END or paper & PAPER_END:
            return PrinterStatus.PAPER_OUT
        return PrinterStatus.OFFLINE
    if paper & PAPER_END:
        # Some clones stay "online" with an empty roll: the roll sensor is the truth.
        return PrinterStatus.PAPER_OUT
    if paper & PAPER_NEAR_END:
        return PrinterStatus.PAPER_LOW
    return PrinterStatus.READY


def status_bytes(status: PrinterStatus) -> dict[int, int]:
    """The answers a printer in ``status`` gives to DLE EOT 1–4 (for the simulator and
    tests: the inverse of :func:`interpret`)."""
    base = _FIXED_VALUE
    answers = {1: base, 2: base, 3: base, 4: base}
    if status is PrinterStatus.PAPER_LOW:
        answers[4] |= PAPER_NEAR_END
    elif status is PrinterStatus.PAPER_OUT:
        answers[1] |= OFFLINE
        answers[2] |= STOPPED_BY_PAPER_END
        answers[4] |= PAPER_NEAR_END | PAPER_END
    elif status is PrinterStatus.COVER_OPEN:
        answers[1] |= OFFLINE
        answers[2] |= COVER_OPEN
    elif status is PrinterStatus.OFFLINE:
        answers[1] |= OFFLINE
        answers[2] |= ERROR
    return answers
