"""The one IPP request the A4 driver makes itself: a job's state (Get-Job-Attributes).

``lpstat`` cannot tell a job that printed from one CUPS aborted (both are "completed"
to it), so the driver asks the scheduler for ``job-state`` over IPP (RFC 8011): a few
bytes over HTTP on CUPS's Unix socket or its TCP port, standard library only.
"""

from __future__ import annotations

import http.client
import socket
import struct

GET_JOB_ATTRIBUTES = 0x0009
# job-state values (RFC 8011 5.3.7)
PENDING, HELD, PROCESSING, STOPPED, CANCELED, ABORTED, COMPLETED = 3, 4, 5, 6, 7, 8, 9
DEFAULT_SOCKET = "/run/cups/cups.sock"


class IppError(Exception):
    """The scheduler could not be asked, or its answer could not be read."""


class _UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over CUPS's Unix socket."""

    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        """Connect to the socket file instead of a TCP port."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._path)
        self.sock = sock


def _attr(tag: int, name: str, value: bytes) -> bytes:
    raw = name.encode()
    return struct.pack(">BH", tag, len(raw)) + raw + struct.pack(">H", len(value)) + value


def job_request(job_id: int, request_id: int = 1) -> bytes:
    """The Get-Job-Attributes request for ``job-state`` of job ``job_id``."""
    body = struct.pack(">BBHI", 2, 0, GET_JOB_ATTRIBUTES, request_id) + b"\x01"
    body += _attr(0x47, "attributes-charset", b"utf-8")
    body += _attr(0x48, "attributes-natural-language", b"en")
    body += _attr(0x45, "job-uri", f"ipp://localhost/jobs/{job_id}".encode())
    body += _attr(0x44, "requested-attributes", b"job-state")
    return body + b"\x03"


def parse_job_state(answer: bytes) -> int:
    """``job-state`` from a Get-Job-Attributes response; IppError when absent."""
    if len(answer) < 8:
        raise IppError("short IPP answer")
    status = struct.unpack(">H", answer[2:4])[0]
    if status >= 0x0400:
        raise IppError(f"IPP status 0x{status:04x}")
    pos, name = 8, ""
    while pos < len(answer):
        tag = answer[pos]
        pos += 1
        if tag == 0x03:
            break
        if tag < 0x10:  # a new attribute group
            continue
        (nlen,) = struct.unpack(">H", answer[pos:pos + 2])
        pos += 2
        if nlen:
            name = answer[pos:pos + nlen].decode(errors="replace")
        pos += nlen
        (vlen,) = struct.unpack(">H", answer[pos:pos + 2])
        pos += 2
        value = answer[pos:pos + vlen]
        pos += vlen
        if name == "job-state" and tag == 0x23 and vlen == 4:
            return int(struct.unpack(">i", value)[0])
    raise IppError("no job-state in the answer")


def job_state(server: str | None, job_id: int, timeout: float = 10.0) -> int:
    """Ask the scheduler at ``server`` (a socket path, ``host:port``, or None for the
    local one) for job ``job_id``'s state."""
    target = server or DEFAULT_SOCKET
    if target.startswith("/"):
        conn: http.client.HTTPConnection = _UnixHTTPConnection(target, timeout)
    else:
        host, _, port = target.partition(":")
        conn = http.client.HTTPConnection(host, int(port or 631), timeout=timeout)
    try:
        conn.request("POST", "/jobs", body=job_request(job_id), headers={"Content-Type": "application/ipp"})
        reply = conn.getresponse()
        data = reply.read()
        if reply.status != 200:
            raise IppError(f"HTTP {reply.status}")
        return parse_job_state(data)
    except (OSError, http.client.HTTPException) as exc:
        raise IppError(str(exc)) from exc
    finally:
        conn.close()
