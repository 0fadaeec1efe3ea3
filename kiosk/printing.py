"""Print jobs off the UI thread: one worker, one job at a time, results as events.

The person never waits for paper: the ticket is on screen (with its QR code) before the
job starts, and a failed job can be sent again once the printer recovers.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Callable

from kiosk.errors import PrinterError
from kiosk.events import PrintFinished
from kiosk.ports import PrinterStatus, ReceiptPrinter
from kiosk.receipt import Receipt

log = logging.getLogger(__name__)


class PrintQueue:
    """Runs print jobs on its own worker thread and reports each as ``PrintFinished``."""

    def __init__(self, printer: ReceiptPrinter | None, report: Callable[[PrintFinished], None]) -> None:
        self._printer = printer
        self._report = report
        self._jobs: queue.Queue[tuple[str, Receipt] | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    @property
    def available(self) -> bool:
        """True when there is a printer to print on."""
        return self._printer is not None and hasattr(self._printer, "print_receipt")

    def start(self) -> None:
        """Start the worker."""
        self._thread = threading.Thread(target=self._run, name="print-queue", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Finish the job in hand, drop the rest, stop the worker."""
        self._jobs.put(None)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def submit(self, job_id: str, receipt: Receipt) -> None:
        """Queue ``receipt``; its result arrives later as ``PrintFinished(job_id, …)``."""
        self._jobs.put((job_id, receipt))

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            job_id, receipt = job
            self._report(self._print(job_id, receipt))

    def _print(self, job_id: str, receipt: Receipt) -> PrintFinished:
        if not self.available:
            return PrintFinished(job_id, ok=False, message_key="printer.offline", status=PrinterStatus.OFFLINE.value)
        try:
            self._printer.print_receipt(receipt)  # type: ignore[union-attr]
        except PrinterError as exc:
            status = exc.status.value if isinstance(exc.status, PrinterStatus) else "unknown"
            log.warning("print job %s failed: %s (%s)", job_id, exc.detail, status)
            return PrintFinished(job_id, ok=False, message_key=exc.message_key, status=status)
        except Exception as exc:  # noqa: BLE001 — a driver bug must not kill the worker
            log.exception("print job %s failed unexpectedly", job_id)
            return PrintFinished(job_id, ok=False, message_key="printer.error", status=f"error: {exc}")
        return PrintFinished(job_id, ok=True, message_key=None, status="ready")
