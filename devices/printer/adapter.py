"""The receipt printer adapter (:class:`kiosk.ports.ReceiptPrinter`) and its factories.

One owner of the printer's I/O: a lock serialises jobs and status queries, every wait
is bounded, and the status is asked before and after each job on transports that can
answer. Faults are logged and reported once per transition, "recovered" once.

To print a ticket (from a worker thread, never the UI thread)::

    printer = open_device(DeviceKind.PRINTER, url, ctx); printer.open()
    print_with_status(printer, ticket_receipt(ticket, service, config))
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from devices.printer.escpos_render import render_escpos
from devices.printer.profiles import PrinterProfile, get_profile
from devices.printer.status import (
    MESSAGE_KEYS,
    NOT_READY,
    QUERY_OFFLINE_CAUSE,
    QUERY_PAPER,
    QUERY_PRINTER,
    OFFLINE,
    StatusReply,
    interpret,
)
from devices.printer.transports import Transport, query_of, transport_for
from devices.registry import DeviceContext
from kiosk.errors import PrinterError
from kiosk.events import DeviceEvent, DeviceRecovered, PrinterFaulted
from kiosk.ports import DeviceHealth, DeviceKind, DeviceState, PrinterStatus
from kiosk.receipt import Receipt

log = logging.getLogger(__name__)

# Waits, in seconds. A status answer comes within milliseconds from a working printer;
# one that takes longer than READ_TIMEOUT is treated as not answering.
READ_TIMEOUT = 1.0
# How long a caller waits for another job on the same printer to finish.
BUSY_TIMEOUT = 20.0
# How often the status is asked between jobs, so paper out, an open cover or a printer
# gone offline show on the technician screen and in telemetry before a ticket fails.
POLL_INTERVAL = 1.0


class EscposReceiptPrinter:
    """An ESC/POS printer on any :class:`Transport`. ``print_receipt`` and ``status``
    block up to their timeouts: call them from a worker thread."""

    kind = DeviceKind.PRINTER

    def __init__(self, url: str, transport: Transport, profile: PrinterProfile, *,
                 read_timeout: float = READ_TIMEOUT, busy_timeout: float = BUSY_TIMEOUT,
                 poll_interval: float | None = POLL_INTERVAL) -> None:
        self.url = url
        self.transport = transport
        self.profile = profile
        self.read_timeout = read_timeout
        self.busy_timeout = busy_timeout
        self._lock = threading.Lock()
        self._connected = False
        self._status = PrinterStatus.UNKNOWN
        self._detail = "not opened"
        self._faulted = False
        self._sinks: list[Callable[[DeviceEvent], None]] = []
        self.last_job: bytes = b""
        self.poll_interval = poll_interval  # None: status only around jobs and on request
        self._stop_poll = threading.Event()
        self._poller: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------

    def open(self) -> None:
        """Connect and ask the status once; a missing printer is a health, not an error."""
        try:
            with self._busy():
                self._update(self._connected_query())
        except PrinterError:
            pass  # already recorded in the health
        if self.poll_interval and self.transport.can_read and self._poller is None:
            self._stop_poll.clear()
            self._poller = threading.Thread(target=self._poll, name="printer-status", daemon=True)
            self._poller.start()

    def _poll(self) -> None:
        """Ask the status every ``poll_interval`` while no job holds the printer (a job
        asks it itself, before and after)."""
        assert self.poll_interval is not None
        while not self._stop_poll.wait(self.poll_interval):
            if not self._lock.acquire(blocking=False):
                continue
            try:
                self._update(self._connected_query())
            except PrinterError:
                pass  # recorded in the health, reported once on the transition
            except Exception:  # noqa: BLE001 — the poller must outlive a broken transport
                log.exception("printer %s: status poll failed", self.transport.description)
            finally:
                self._lock.release()

    def close(self) -> None:
        """Stop polling and disconnect."""
        self._stop_poll.set()
        poller, self._poller = self._poller, None
        if poller is not None and poller is not threading.current_thread():
            poller.join(timeout=self.read_timeout * 4 + 1)
        with self._lock:
            self._disconnect()
            self._detail = "closed"

    def subscribe(self, sink: Callable[[DeviceEvent], None]) -> None:
        """Deliver PrinterFaulted / DeviceRecovered to ``sink`` (on the caller's worker)."""
        self._sinks.append(sink)

    @property
    def polling(self) -> bool:
        """True while the status is asked in the background (``last_status`` is live)."""
        return self._poller is not None and self._poller.is_alive()

    @property
    def last_status(self) -> PrinterStatus:
        """The status from the last query (no I/O)."""
        return self._status

    # --- the port ----------------------------------------------------------------

    def health(self) -> DeviceHealth:
        """The last known state; never does I/O."""
        status = self._status
        if status in NOT_READY:
            state = DeviceState.FAULT
        elif status in (PrinterStatus.READY, PrinterStatus.PAPER_LOW):
            state = DeviceState.READY
        elif self._connected and not self.transport.can_read:
            state = DeviceState.READY  # a file or one-way port: nothing to ask
        else:
            state = DeviceState.UNKNOWN
        key = None if status is PrinterStatus.READY else MESSAGE_KEYS[status]
        return DeviceHealth(self.kind, self.url, state, self._detail, key)

    def status(self) -> PrinterStatus:
        """Ask the printer now (up to a few read timeouts)."""
        with self._busy():
            try:
                return self._update(self._connected_query())
            except PrinterError as exc:
                return exc.status if isinstance(exc.status, PrinterStatus) else PrinterStatus.UNKNOWN

    def print_receipt(self, receipt: Receipt) -> None:
        """Print ``receipt`` or raise PrinterError (with the status and a message key)."""
        data = render_escpos(receipt, self.profile)  # CPU work outside the lock
        self.print_bytes(data)

    def print_bytes(self, data: bytes) -> None:
        """Send one rendered job, checking the status before and after."""
        with self._busy():
            before = self._update(self._connected_query())
            if before in NOT_READY:
                raise _error(before, "printer not ready before the job")
            try:
                self.transport.write(data)
            except OSError as exc:
                self._lost(exc)
            self.last_job = data
            try:
                after = self._update(self._query())
            except OSError as exc:
                self._lost(exc)
            if after in NOT_READY:
                # The paper ran out or the cover opened during the job: the receipt is
                # probably cut short, so the person must be told.
                raise _error(after, "printer stopped during the job")
        log.info("printer %s: printed %d bytes (status %s)", self.transport.description, len(data), after.value)

    # --- internals ---------------------------------------------------------------

    def _busy(self) -> "_Held":
        if not self._lock.acquire(timeout=self.busy_timeout):
            raise PrinterError("printer busy with another job", status=PrinterStatus.UNKNOWN,
                               message_key="printer.busy")
        return _Held(self._lock)

    def _ensure_connected(self) -> None:
        if self._connected:
            return
        try:
            self.transport.open()
        except (OSError, ValueError) as exc:
            self._update(PrinterStatus.OFFLINE, f"cannot open: {exc}")
            raise _error(PrinterStatus.OFFLINE, f"cannot open {self.transport.description}: {exc}") from exc
        self._connected = True

    def _connected_query(self) -> PrinterStatus:
        # A connection left open since the last job may have died with the printer's
        # power; one fresh connection tells "gone" from "was restarted".
        retry = self._connected
        self._ensure_connected()
        try:
            return self._query()
        except OSError as exc:
            self._disconnect()
            if not retry:
                self._lost(exc)
        self._ensure_connected()
        try:
            return self._query()
        except OSError as exc:
            self._disconnect()
            self._lost(exc)
            raise  # not reached: _lost raises

    def _disconnect(self) -> None:
        if self._connected:
            self._connected = False
            try:
                self.transport.close()
            except OSError:
                pass

    def _lost(self, exc: Exception) -> None:
        self._disconnect()
        self._update(PrinterStatus.OFFLINE, f"connection lost: {exc}")
        raise _error(PrinterStatus.OFFLINE, f"{self.transport.description}: connection lost: {exc}") from exc

    def _query(self) -> PrinterStatus:
        """One round of DLE EOT queries; OSError when the connection is gone."""
        if not self.transport.can_read:
            return PrinterStatus.UNKNOWN
        first = self.transport.ask(QUERY_PRINTER, self.read_timeout)
        if first is None:
            return PrinterStatus.UNKNOWN  # a printer with status replies switched off
        cause = self.transport.ask(QUERY_OFFLINE_CAUSE, self.read_timeout) if first & OFFLINE else None
        paper = self.transport.ask(QUERY_PAPER, self.read_timeout)
        return interpret(StatusReply(first, cause, paper))

    def _update(self, status: PrinterStatus, detail: str | None = None) -> PrinterStatus:
        """Record ``status``; log and report only when the fault state changes."""
        previous = self._status
        self._status = status
        self._detail = detail or f"status {status.value}"
        faulted = status in NOT_READY
        if faulted and not self._faulted:
            log.warning("printer %s faulted: %s", self.transport.description, self._detail)
            self._emit(PrinterFaulted(self.kind, detail=self._detail, message_key=MESSAGE_KEYS[status],
                                      status=status.value))
        elif self._faulted and not faulted:
            log.info("printer %s recovered (%s)", self.transport.description, status.value)
            self._emit(DeviceRecovered(self.kind))
        elif status is PrinterStatus.PAPER_LOW and previous is not PrinterStatus.PAPER_LOW:
            log.warning("printer %s: paper low", self.transport.description)
        self._faulted = faulted
        return status

    def _emit(self, event: DeviceEvent) -> None:
        for sink in list(self._sinks):
            try:
                sink(event)
            except Exception:  # a broken sink must not break printing
                log.exception("printer event sink failed")


class _Held:
    """Releases the adapter lock at the end of a ``with`` block."""

    def __init__(self, lock: threading.Lock) -> None:
        self._lock = lock

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def _error(status: PrinterStatus, detail: str) -> PrinterError:
    return PrinterError(detail, status=status, message_key=MESSAGE_KEYS[status])


def print_with_status(printer: EscposReceiptPrinter, receipt: Receipt) -> PrinterStatus:
    """Print ``receipt``; return the printer's status after the job (``ready`` or
    ``paper_low`` or ``unknown``), or raise PrinterError. For the app's worker and
    ``kiosk queue take --print``."""
    printer.print_receipt(receipt)
    return printer.last_status


def profile_of(url: str) -> PrinterProfile:
    """The profile a printer URL asks for (``?profile=``), else the default."""
    return get_profile(query_of(url).get("profile"))


def open_escpos_printer(url: str, ctx: DeviceContext) -> EscposReceiptPrinter:
    """Factory for ``escpos+tcp://``, ``escpos+serial://`` and ``escpos+usb://`` URLs."""
    return EscposReceiptPrinter(url, transport_for(url), profile_of(url))


def open_file_printer(url: str, ctx: DeviceContext) -> EscposReceiptPrinter:
    """Factory for ``file:///path/out.bin``: the raw bytes of each job, appended."""
    return EscposReceiptPrinter(url, transport_for(url), profile_of(url))

