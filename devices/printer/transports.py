"""Byte transports to a printer: TCP, serial and USB through python-escpos's printer
classes, and a plain file. Each adds what the adapter needs on top: bounded timeouts,
and one-byte answers to status queries on the transports that can read.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from devices.printer.escpos_lib import escpos
from kiosk.errors import DeviceError

log = logging.getLogger(__name__)


class Transport(Protocol):
    """How bytes reach a printer. ``open`` raises OSError/DeviceError when it cannot."""

    can_read: bool
    description: str

    def open(self) -> None:
        """Connect (or open the port)."""

    def close(self) -> None:
        """Disconnect; safe to call twice."""

    def write(self, data: bytes) -> None:
        """Send ``data``; raises OSError when the printer is gone."""

    def ask(self, query: bytes, timeout: float) -> int | None:
        """Send a real-time query and return the one-byte answer, or None when nothing
        came within ``timeout`` seconds."""


class TcpTransport:
    """A network printer (port 9100, "raw"/JetDirect) over a plain socket.

    Not python-escpos's ``Network``: its ``open``/``close`` call ``logging.info`` on the
    root logger, which configures logging for the whole process as a side effect.
    """

    can_read = True

    def __init__(self, host: str, port: int = 9100, *, connect_timeout: float = 3.0,
                 write_timeout: float = 15.0) -> None:
        self.host, self.port = host, port
        self.connect_timeout, self.write_timeout = connect_timeout, write_timeout
        self.description = f"tcp {host}:{port}"
        self._sock: socket.socket | None = None

    def open(self) -> None:
        """Connect within ``connect_timeout``."""
        sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # status queries are 3 bytes
        sock.settimeout(self.write_timeout)
        self._sock = sock

    def close(self) -> None:
        """Close the socket."""
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _connected(self) -> socket.socket:
        if self._sock is None:
            raise ConnectionError("not connected")
        return self._sock

    def write(self, data: bytes) -> None:
        """Send the whole job within ``write_timeout``."""
        self._connected().sendall(data)

    def ask(self, query: bytes, timeout: float) -> int | None:
        """One query, one byte back."""
        sock = self._connected()
        _drain_socket(sock)
        sock.sendall(query)
        sock.settimeout(timeout)
        try:
            data = sock.recv(16)
        except (socket.timeout, TimeoutError):
            return None
        finally:
            sock.settimeout(self.write_timeout)
        if not data:
            raise ConnectionResetError("printer closed the connection")
        return data[-1]


def _drain_socket(sock: socket.socket) -> None:
    # Stale answers (a late reply to an earlier query) would be taken for this one.
    sock.setblocking(False)
    try:
        while True:
            if not sock.recv(64):
                raise ConnectionResetError("printer closed the connection")
    except (BlockingIOError, InterruptedError):
        pass
    finally:
        sock.setblocking(True)


class _SerialPort(Protocol):
    """What this module uses of ``serial.Serial``."""

    timeout: float | None

    def write(self, data: bytes) -> int | None: ...

    def flush(self) -> None: ...

    def reset_input_buffer(self) -> None: ...

    def read(self, size: int = 1) -> bytes: ...

    def close(self) -> None: ...


class SerialTransport:
    """A serial printer through pyserial (python-escpos's ``Serial`` would configure
    root logging, see :class:`TcpTransport`, and read 16 bytes per answer)."""

    can_read = True

    def __init__(self, device: str, baudrate: int = 9600, *, write_timeout: float = 30.0) -> None:
        self.device, self.baudrate, self.write_timeout = device, baudrate, write_timeout
        self.description = f"serial {device} {baudrate}"
        self._port: _SerialPort | None = None

    def open(self) -> None:
        """Open the port."""
        import serial  # deferred: only serial printers need pyserial

        try:
            # No DSR/DTR flow control: many cheap printers leave DSR unwired, and
            # waiting on it would hold every write until the timeout.
            self._port = serial.Serial(self.device, baudrate=self.baudrate, timeout=1,
                                       write_timeout=self.write_timeout, dsrdtr=False)
        except (serial.SerialException, ValueError) as exc:
            raise OSError(f"cannot open {self.device}: {exc}") from exc

    def close(self) -> None:
        """Close the port."""
        port, self._port = self._port, None
        if port is not None:
            port.close()

    def _open_port(self) -> _SerialPort:
        if self._port is None:
            raise OSError(f"{self.description}: not open")
        return self._port

    def write(self, data: bytes) -> None:
        """Send the whole job (a 9600-baud line takes ~1 s per KB)."""
        port = self._open_port()
        try:
            port.write(data)
            port.flush()
        except OSError as exc:  # pyserial's SerialException (and write timeouts) are OSErrors
            raise OSError(str(exc)) from exc

    def ask(self, query: bytes, timeout: float) -> int | None:
        """One query, one byte back."""
        port = self._open_port()
        try:
            port.reset_input_buffer()
            port.timeout = timeout
            port.write(query)
            data = port.read(1)
        except OSError as exc:
            raise OSError(str(exc)) from exc
        return data[0] if data else None


class _EscposUsb(Protocol):
    """What this module uses of ``escpos.printer.Usb`` (``device`` is pyusb's)."""

    device: Any
    in_ep: int

    def _raw(self, msg: bytes) -> None: ...

    def close(self) -> None: ...


class UsbTransport:
    """A USB printer through ``escpos.printer.Usb`` (needs pyusb and access rights)."""

    can_read = True

    def __init__(self, vendor: int, product: int, *, timeout_ms: int = 5000) -> None:
        self.vendor, self.product, self.timeout_ms = vendor, product, timeout_ms
        self.description = f"usb {vendor:04x}:{product:04x}"
        self._printer: _EscposUsb | None = None

    def open(self) -> None:
        """Claim the device."""
        try:
            escpos()  # python-escpos without its logging side effect
            from escpos.printer import Usb  # deferred: heavy, and needs pyusb; only USB printers

            printer = Usb(self.vendor, self.product, timeout=self.timeout_ms)
            printer.open()
        except Exception as exc:  # no pyusb, no device, no permission
            raise OSError(f"cannot open USB printer {self.vendor:04x}:{self.product:04x}: {exc}") from exc
        self._printer = printer

    def close(self) -> None:
        """Release the device."""
        printer, self._printer = self._printer, None
        if printer is not None:
            printer.close()

    def _claimed(self) -> _EscposUsb:
        if self._printer is None:
            raise OSError(f"{self.description}: not open")
        return self._printer

    def write(self, data: bytes) -> None:
        """Send the whole job."""
        self._claimed()._raw(data)

    def ask(self, query: bytes, timeout: float) -> int | None:
        """One query, one byte back (many USB clones never answer: None)."""
        printer = self._claimed()
        printer._raw(query)
        try:
            data = printer.device.read(printer.in_ep, 16, int(timeout * 1000))
        except Exception:  # pyusb raises USBTimeoutError/USBError
            return None
        return data[-1] if len(data) else None


class FileTransport:
    """Raw bytes appended to a file (or a device node such as ``/dev/usb/lp0``).
    It cannot answer status queries."""

    can_read = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = f"file {path}"
        self._file: BinaryIO | None = None

    def open(self) -> None:
        """Open for appending."""
        self._file = open(self.path, "ab")  # noqa: SIM115 - closed in close()

    def close(self) -> None:
        """Close the file."""
        f, self._file = self._file, None
        if f is not None:
            f.close()

    def write(self, data: bytes) -> None:
        """Append one job."""
        if self._file is None:
            raise OSError("file not open")
        self._file.write(data)
        self._file.flush()

    def ask(self, query: bytes, timeout: float) -> int | None:
        """A file never answers."""
        return None


def query_of(url: str) -> dict[str, str]:
    """The URL's query parameters, last value wins."""
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def transport_for(url: str) -> Transport:
    """The transport a printer URL names (``escpos+tcp``, ``escpos+serial``,
    ``escpos+usb``, ``file``). DeviceError for a malformed URL."""
    parts = urlsplit(url)
    params = query_of(url)
    scheme = parts.scheme
    try:
        if scheme == "escpos+tcp":
            if not parts.hostname:
                raise ValueError("no host")
            return TcpTransport(parts.hostname, parts.port or 9100,
                                connect_timeout=float(params.get("timeout", 3.0)))
        if scheme == "escpos+serial":
            if not parts.path:
                raise ValueError("no device path")
            return SerialTransport(unquote(parts.path), int(params.get("baudrate", 9600)))
        if scheme == "escpos+usb":
            vid, _, pid = parts.netloc.partition(":")
            return UsbTransport(int(vid, 16), int(pid, 16))
        if scheme == "file":
            if not parts.path:
                raise ValueError("no path")
            return FileTransport(Path(unquote(parts.path)))
    except ValueError as exc:
        raise DeviceError(f"printer: bad URL {url!r}: {exc}") from exc
    raise DeviceError(f"printer: unsupported URL {url!r}")
