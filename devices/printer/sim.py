"""The simulated printer: a fake ESC/POS printer on a real TCP socket (127.0.0.1), driven
by the real ``escpos+tcp`` driver, so ``sim:`` runs the same code as the hardware.

:class:`FakeEscposPrinter` is the printer: it takes jobs, answers ``DLE EOT`` as an
Epson-style printer does for its current status, and can be switched to paper low,
paper out, cover open, offline, or powered off. :class:`SimReceiptPrinter` is the
adapter the registry opens for ``sim:``; after each job it writes the bytes and a PNG
preview to ``<data_dir>/printer/``.
"""

from __future__ import annotations

import logging
import socket
import threading
from pathlib import Path
from typing import Callable

from devices.printer.adapter import EscposReceiptPrinter, profile_of
from devices.printer.escpos_parse import EscPosReader
from devices.printer.escpos_render import render_escpos
from devices.printer.png_render import render_png
from devices.printer.profiles import PrinterProfile
from devices.printer.status import status_bytes
from devices.printer.transports import TcpTransport
from devices.registry import DeviceContext
from kiosk.files import write_private
from kiosk.ports import PrinterStatus, SimAction
from kiosk.receipt import Receipt

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"  # the simulator never listens beyond this machine


class FakeEscposPrinter:
    """An ESC/POS network printer in a thread. ``status`` decides its DLE EOT answers;
    ``silent`` makes it never answer (status replies switched off); ``power_off``
    closes the port (connections refused), ``power_on`` opens it again."""

    def __init__(self, status: PrinterStatus = PrinterStatus.READY, *, silent: bool = False) -> None:
        self.status = status
        self.silent = silent
        self.port = 0
        self._received = bytearray()
        self._lock = threading.Lock()
        self._server: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self.queries: list[int] = []

    # --- power -------------------------------------------------------------------

    def start(self) -> int:
        """Listen on 127.0.0.1 (the same port again after a power cycle); return it."""
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((LOOPBACK, self.port))
        server.listen(4)
        server.settimeout(0.2)  # so the accept loop notices stop()
        self.port = server.getsockname()[1]
        self._server = server
        self._stop.clear()
        thread = threading.Thread(target=self._accept_loop, name="fake-printer", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self.port

    def stop(self) -> None:
        """Close the port and every connection, and wait for the threads."""
        self._stop.set()
        server, self._server = self._server, None
        if server is not None:
            server.close()
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()
        threads, self._threads = self._threads, []
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(timeout=2)

    power_off = stop

    def power_on(self) -> None:
        """Start again on the same port."""
        if self._server is None:
            self.start()

    @property
    def running(self) -> bool:
        """True while the port is open."""
        return self._server is not None

    # --- what it received ----------------------------------------------------------

    @property
    def received(self) -> bytes:
        """Every byte received that was not a status query."""
        with self._lock:
            return bytes(self._received)

    def take_received(self) -> bytes:
        """The bytes received since the last call."""
        with self._lock:
            data = bytes(self._received)
            self._received.clear()
            return data

    # --- threads -------------------------------------------------------------------

    def _accept_loop(self) -> None:
        server = self._server
        while not self._stop.is_set() and server is not None:
            try:
                conn, _ = server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self._lock:
                self._conns.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), name="fake-printer-conn", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        reader = EscPosReader()
        with conn:
            while not self._stop.is_set():
                try:
                    data = conn.recv(4096)
                except OSError:
                    return
                if not data:
                    return
                for token in reader.feed(data):
                    if token.kind == "status_query":
                        n = token.data[2]
                        self.queries.append(n)
                        answer = status_bytes(self.status).get(n)
                        if answer is not None and not self.silent:
                            try:
                                conn.sendall(bytes((answer,)))
                            except OSError:
                                return
                    else:
                        with self._lock:
                            self._received += token.data


class SimReceiptPrinter(EscposReceiptPrinter):
    """``sim:`` — the real ESC/POS TCP driver talking to a :class:`FakeEscposPrinter`.
    Each printed job leaves ``printer/last.bin`` (the bytes the fake printer received)
    and ``printer/last.png`` (the preview) in the data dir."""

    def __init__(self, url: str, data_dir: Path, profile: PrinterProfile) -> None:
        self.fake = FakeEscposPrinter()
        self.out_dir = data_dir / "printer"
        # The port is known only once the fake printer listens (in open()).
        self._tcp = TcpTransport(LOOPBACK, 0, connect_timeout=1.0, write_timeout=5.0)
        super().__init__(url, self._tcp, profile, read_timeout=0.5)

    def open(self) -> None:
        """Power the fake printer on, then connect to it like to any network printer."""
        self.fake.power_on()
        self._tcp.port = self.fake.port
        self._tcp.description = f"sim tcp {LOOPBACK}:{self.fake.port}"
        super().open()

    def close(self) -> None:
        """Disconnect and power the fake printer off."""
        super().close()
        self.fake.stop()

    def print_receipt(self, receipt: Receipt) -> None:
        """Print through the TCP driver; then save the bytes and the preview."""
        data = render_escpos(receipt, self.profile)
        self.fake.take_received()
        self.print_bytes(data)
        write_private(self.out_dir / "last.bin", self.fake.take_received(), fsync=False)
        # Each file is replaced whole, so a viewer or a test never reads half of one, and
        # is owner-only like all the kiosk's data: a receipt may carry a name.
        write_private(self.out_dir / "last.png", render_png(receipt, self.profile), fsync=False)

    def set_sim_status(self, status: PrinterStatus) -> None:
        """Switch what the fake printer answers to DLE EOT (``ready`` also powers it on)."""
        self.fake.status = status
        if status is PrinterStatus.READY:
            self.fake.power_on()

    def sim_actions(self) -> list[SimAction]:
        """Paper low / paper out / cover open / offline / ready, for the technician screen.
        Each only flips a flag: nothing blocks the UI thread."""
        def setter(status: PrinterStatus) -> Callable[[], None]:
            return lambda: self.set_sim_status(status)

        return [
            SimAction(f"printer.{s.value}", f"sim.printer.{s.value}", setter(s))
            for s in (PrinterStatus.READY, PrinterStatus.PAPER_LOW, PrinterStatus.PAPER_OUT,
                      PrinterStatus.COVER_OPEN, PrinterStatus.OFFLINE)
        ]


def open_sim_printer(url: str, ctx: DeviceContext) -> SimReceiptPrinter:
    """Registry factory for ``sim:``: a simulated printer on a loopback socket. It lives
    here, beside the simulator, so the real driver's module never names its stand-in."""
    return SimReceiptPrinter(url, ctx.data_dir, profile_of(url))
