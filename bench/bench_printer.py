"""Benchmark: a ticket → ESC/POS bytes and → PNG preview, beside python-escpos emitting
the same text plainly (Dummy printer, its own Chinese path, QR as an image) in the same
run. Goal: under 20 ms per ticket for each of ours.

Run: ``.venv/bin/python bench/bench_printer.py``
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.printer.escpos_lib import escpos  # noqa: E402 - python-escpos, quietly

Dummy = escpos().Dummy
from devices.printer.escpos_render import render_escpos  # noqa: E402
from devices.printer.layout import Line, QrLine, layout  # noqa: E402
from devices.printer.png_render import render_png  # noqa: E402
from devices.printer.profiles import PrinterProfile, get_profile  # noqa: E402
from kiosk.catalog import load_catalog  # noqa: E402
from kiosk.config import KioskConfig  # noqa: E402
from kiosk.receipt import Receipt, ticket_receipt  # noqa: E402
from kiosk.tickets import Priority, Ticket, TicketState  # noqa: E402

RUNS = 50


def sample() -> Receipt:
    """The ticket the docs show."""
    ticket = Ticket(7, date(2025, 5, 6), "legal_aid", "B007", Priority.ELDERLY, TicketState.WAITING,
                    datetime(2025, 5, 6, 9, 12), ahead=3, eta_minutes=75)
    return ticket_receipt(ticket, load_catalog().get("legal_aid"), KioskConfig(), holder_name="张*")


def plain_escpos(receipt: Receipt, profile: PrinterProfile) -> bytes:
    """The same lines through python-escpos alone: ``set`` + ``textln`` + ``qr`` + ``cut``."""
    p = Dummy(profile=profile.escpos_profile)
    for item in layout(receipt, profile):
        if isinstance(item, Line):
            p.set(align=item.align.value, bold=item.bold, custom_size=True, width=item.width, height=item.height)
            p.textln(item.text)
        elif isinstance(item, QrLine):
            p.qr(item.data, size=item.module, native=profile.native_qr, center=not profile.native_qr)
    p.cut()
    return p.output


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(median, best) milliseconds over RUNS calls, after one warm-up call."""
    fn()
    samples = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), min(samples)


def main() -> None:
    """Print one line per measurement and the ratios."""
    receipt = sample()
    print(f"ticket receipt, {RUNS} runs each, median / best ms (goal < 20 ms)")
    for name in ("58mm", "80mm"):
        profile = get_profile(name)
        ours_bytes = timed(lambda: render_escpos(receipt, profile))
        ours_png = timed(lambda: render_png(receipt, profile))
        plain = timed(lambda: plain_escpos(receipt, profile))
        size_ours, size_plain = len(render_escpos(receipt, profile)), len(plain_escpos(receipt, profile))
        qr = "native QR" if profile.native_qr else "raster QR"
        print(f"{name} ({qr}):")
        print(f"  ours   document -> ESC/POS bytes  {ours_bytes[0]:7.2f} / {ours_bytes[1]:6.2f}  ({size_ours} bytes)")
        print(f"  ours   document -> PNG preview    {ours_png[0]:7.2f} / {ours_png[1]:6.2f}")
        print(f"  python-escpos plain (Dummy)       {plain[0]:7.2f} / {plain[1]:6.2f}  ({size_plain} bytes)")
        print(f"  ratio bytes ours/plain {ours_bytes[0] / plain[0]:.2f}x, png ours/plain {ours_png[0] / plain[0]:.2f}x")


if __name__ == "__main__":
    main()
