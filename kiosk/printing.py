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
from kiosk.ports import Device, PrinterStatus, ReceiptPrinter
from kiosk.receipt import Receipt
from kiosk.terminal import AbsentDevice

log = logging.getLogger(__name__)

_START_WAIT_S = 15.0  # how long a job waits for the devices to finish starting


class PrintQueue:
    """Runs print jobs on its own worker thread and reports each as ``PrintFinished``."""

    def __init__(
        self,
        printer: Callable[[], Device | None],
        report: Callable[[PrintFinished], None],
        devices_ready: threading.Event | None = None,
    ) -> None:
        # The printer is looked up per job: devices start after the first frame, and a
        # technician may swap one at run time.
        self._printer = printer
        self._report = report
        self._devices_ready = devices_ready
        self._jobs: queue.Queue[tuple[str, Receipt] | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    @property
    def available(self) -> bool:
        """True when there is a printer to print on (or one still starting)."""
        printer = self._printer()
        return printer is not None and not isinstance(printer, AbsentDevice)

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
        if self._devices_ready is not None:
            self._devices_ready.wait(_START_WAIT_S)  # a job right after start-up
        printer = self._printer()
        if not isinstance(printer, ReceiptPrinter):  # absent, or still starting
            return PrintFinished(job_id, ok=False, message_key="printer.offline", status=PrinterStatus.OFFLINE.value)
        try:
            printer.print_receipt(receipt)
        except PrinterError as exc:
            status = exc.status.value if isinstance(exc.status, PrinterStatus) else "unknown"
            log.warning("print job %s failed: %s (%s)", job_id, exc.detail, status)
            return PrintFinished(job_id, ok=False, message_key=exc.message_key, status=status)
        except Exception as exc:  # noqa: BLE001 — a driver bug must not kill the worker
            log.exception("print job %s failed unexpectedly", job_id)
            return PrintFinished(job_id, ok=False, message_key="printer.error", status=f"error: {exc}")
        return PrintFinished(job_id, ok=True, message_key=None, status="ready")
