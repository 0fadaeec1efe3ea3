"""``cups://QUEUE``: an A4 printer reached through CUPS's own commands, ``lp`` and ``lpstat``.

The commands rather than pycups: nothing to compile on the terminal, the same commands a
technician types to check the queue by hand, and the answers are few and stable with
``LC_ALL=C``. The queue's state is read with ``lpstat -p`` (absent, stopped, idle), a job
is sent with ``lp`` on stdin and followed until CUPS has printed or given it up,
and a job's outcome is asked over IPP (``devices/a4printer/ipp.py``): lpstat lists a
printed job and an aborted one alike.

URL: ``cups://QUEUE`` (the local scheduler), ``cups://QUEUE?server=/run/cups/cups.sock``
or ``?server=127.0.0.1:631`` (another scheduler), ``&timeout=120`` (seconds a job may
take before it counts as stuck).
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Callable, Sequence
from urllib.parse import parse_qs, unquote, urlsplit

from devices.a4printer.ipp import ABORTED, CANCELED, COMPLETED, PROCESSING, STOPPED, IppError, job_state
from devices.health import HealthTracker
from devices.registry import DeviceContext
from kiosk.errors import DeviceError, PrinterError
from kiosk.events import DeviceEvent
from kiosk.ports import DeviceHealth, DeviceKind, DeviceState

log = logging.getLogger(__name__)

POLL_INTERVAL = 5.0  # seconds between queue checks while idle
COMMAND_TIMEOUT = 20.0  # a command that takes longer means CUPS is not answering
_QUEUE_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,127}$")  # what lpadmin accepts, without '/' or '#'
_REQUEST_ID = re.compile(r"request id is (\S+)")


@dataclass(frozen=True)
class QueueState:
    """What ``lpstat -p`` says of the queue: ``state`` for the kiosk, ``message_key``
    for the person, ``detail`` for the technician (CUPS's own words)."""

    state: DeviceState
    message_key: str | None
    detail: str


def parse_lpstat_printer(queue: str, returncode: int, stdout: str, stderr: str) -> QueueState:
    """Turn ``lpstat -p QUEUE`` (run with ``LC_ALL=C``) into the queue's state."""
    if returncode != 0 or not stdout.strip():
        err = (stderr or stdout).strip()
        low = err.lower()
        if "scheduler is not running" in low or "unable to connect" in low or "connection refused" in low:
            return QueueState(DeviceState.ABSENT, "a4printer.no_cups", f"CUPS not running: {err}")
        return QueueState(DeviceState.ABSENT, "a4printer.absent", f"no queue {queue}: {err}")
    lines = stdout.splitlines()
    head = lines[0]
    reason = " ".join(line.strip() for line in lines[1:] if line.startswith(("\t", " ")) and line.strip())
    if " disabled" in head:
        return QueueState(DeviceState.FAULT, "a4printer.stopped", f"queue {queue} stopped: {reason or head}")
    return QueueState(DeviceState.READY, None, f"queue {queue}: {head.split('.')[0]}")


def job_pending(job_id: str, stdout: str) -> bool:
    """True while ``job_id`` is listed by ``lpstat -W not-completed -o``."""
    return any(line.split()[:1] == [job_id] for line in stdout.splitlines())


class CupsA4Printer:
    """The ``A4Printer`` port on a CUPS queue. ``lp`` and ``lpstat`` name the commands
    (a simulator hands its own, answering as CUPS does); health is polled while idle."""

    kind = DeviceKind.A4PRINTER

    def __init__(self, url: str, queue: str, *, server: str | None = None, timeout: float = 120.0,
                 lp: Sequence[str] = ("lp",), lpstat: Sequence[str] = ("lpstat",),
                 poll_interval: float = POLL_INTERVAL, env: dict[str, str] | None = None,
                 job_state_of: Callable[[int], int] | None = None) -> None:
        if not _QUEUE_NAME.match(queue):
            raise DeviceError(f"a4printer: bad CUPS queue name {queue!r} in {url!r}")
        self.url = url
        self.queue = queue
        self.server = server
        self.timeout = timeout
        self._lp = tuple(lp)
        self._lpstat = tuple(lpstat)
        self._poll_interval = poll_interval
        self._env = dict(env or {})  # added to the commands' environment
        # A job's IPP job-state (lpstat cannot tell printed from aborted).
        self._job_state = job_state_of or (lambda number: job_state(self.server, number))
        self._tracker = HealthTracker(DeviceKind.A4PRINTER, url)
        self._job_lock = threading.Lock()  # one job at a time; the poller skips a round meanwhile
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------
    def open(self) -> None:
        """Read the queue's state once, then keep it fresh on a worker. Never raises."""
        self.refresh()
        self._stop.clear()
        self._poller = threading.Thread(target=self._poll, name="a4printer-poll", daemon=True)
        self._poller.start()

    def close(self) -> None:
        """Stop polling."""
        self._stop.set()
        if self._poller is not None:
            self._poller.join(timeout=COMMAND_TIMEOUT + 1)
            self._poller = None

    def health(self) -> DeviceHealth:
        """The queue's state from the last check (no I/O)."""
        return self._tracker.health

    def subscribe(self, sink: Callable[[DeviceEvent], None]) -> None:
        """Faults and recoveries, as events."""
        self._tracker.subscribe(sink)

    def _poll(self) -> None:
        while not self._stop.wait(self._poll_interval):
            if self._job_lock.acquire(blocking=False):
                try:
                    self.refresh()
                finally:
                    self._job_lock.release()

    # --- the commands ----------------------------------------------------------------
    def _run(self, base: Sequence[str], args: Sequence[str], data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        server = ["-h", self.server] if self.server else []
        env = dict(os.environ, **self._env, LC_ALL="C", LANG="C")  # CUPS's answers are parsed in English
        return subprocess.run([*base, *server, *args], input=data, capture_output=True, env=env,
                              timeout=COMMAND_TIMEOUT, check=False)

    def queue_state(self) -> QueueState:
        """Ask CUPS for the queue's state now (``lpstat -p``)."""
        try:
            done = self._run(self._lpstat, ["-p", self.queue])
        except FileNotFoundError:
            return QueueState(DeviceState.ABSENT, "a4printer.no_cups", "lpstat not installed (cups-client)")
        except subprocess.TimeoutExpired:
            return QueueState(DeviceState.ABSENT, "a4printer.no_cups", "lpstat did not answer")
        state = parse_lpstat_printer(self.queue, done.returncode, done.stdout.decode(errors="replace"),
                                     done.stderr.decode(errors="replace"))
        if state.message_key == "a4printer.absent":
            # lpstat names the queue unknown also when no scheduler answers: ask which.
            running = self._run(self._lpstat, ["-r"]).stdout.decode(errors="replace")
            if "not running" in running:
                return QueueState(DeviceState.ABSENT, "a4printer.no_cups", f"CUPS not running ({self.server or 'local'})")
        return state

    def refresh(self) -> QueueState:
        """Check the queue and record its health (a change is logged once)."""
        state = self.queue_state()
        self._tracker.report(state.state, state.detail, state.message_key)
        return state

    def print_pdf(self, pdf: bytes, title: str) -> None:
        """Send the PDF to the queue and wait until CUPS has printed it (or says it
        failed). Raises ``PrinterError`` with the reason for the person."""
        if not pdf.startswith(b"%PDF-"):
            raise PrinterError("a4printer: not a PDF", message_key="a4printer.job_failed")
        with self._job_lock:
            before = self.refresh()
            if before.state is not DeviceState.READY:
                raise PrinterError(before.detail, message_key=before.message_key or "a4printer.absent")
            # The job's title shows in the queue (lpstat, the printer's panel): never a name.
            safe_title = re.sub(r"[^\w\- ]", "_", title)[:60] or "document"
            try:
                done = self._run(self._lp, ["-d", self.queue, "-t", safe_title, "-o", "media=A4", "-"], pdf)
            except (FileNotFoundError, subprocess.TimeoutExpired) as exc:
                self._tracker.report(DeviceState.ABSENT, f"lp failed: {exc}", "a4printer.no_cups")
                raise PrinterError(f"lp failed: {exc}", message_key="a4printer.no_cups") from exc
            found = _REQUEST_ID.search(done.stdout.decode(errors="replace"))
            if done.returncode != 0 or found is None:
                err = done.stderr.decode(errors="replace").strip()
                state = self.refresh()
                raise PrinterError(f"lp refused the job: {err}", message_key=state.message_key or "a4printer.job_failed")
            job_id = found.group(1)
            log.info("a4printer: job %s sent to %s (%d bytes)", job_id, self.queue, len(pdf))
            self._wait(job_id)

    def _wait(self, job_id: str) -> None:
        number = int(job_id.rpartition("-")[2]) if job_id.rpartition("-")[2].isdigit() else 0
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                state = self._job_state(number)
            except IppError as exc:
                # No IPP answer: whether it is still listed, and whether CUPS stopped the queue.
                log.debug("a4printer: job %s state not asked over IPP: %s", job_id, exc)
                done = self._run(self._lpstat, ["-W", "not-completed", "-o", self.queue])
                state = PROCESSING if job_pending(job_id, done.stdout.decode(errors="replace")) else COMPLETED
            queue = self.refresh()
            if state == COMPLETED:
                log.info("a4printer: job %s printed", job_id)
                return
            if state in (CANCELED, ABORTED, STOPPED) or queue.state is not DeviceState.READY:
                reason = {CANCELED: "cancelled", ABORTED: "aborted", STOPPED: "stopped"}.get(state, queue.detail)
                raise PrinterError(f"job {job_id} not printed: {reason}", message_key="a4printer.job_failed")
            if time.monotonic() > deadline:
                raise PrinterError(f"job {job_id} not printed after {self.timeout:.0f} s", message_key="a4printer.job_stuck")
            time.sleep(0.3)


def parse_cups_url(url: str) -> tuple[str, str | None, float]:
    """``cups://QUEUE?server=…&timeout=…`` → (queue, server, timeout)."""
    parts = urlsplit(url)
    queue = unquote(parts.netloc or parts.path.lstrip("/"))
    query = parse_qs(parts.query)
    server = query.get("server", [None])[0]
    try:
        timeout = float(query.get("timeout", ["120"])[0])
    except ValueError as exc:
        raise DeviceError(f"a4printer: timeout must be seconds in {url!r}") from exc
    if not queue:
        raise DeviceError(f"a4printer: no CUPS queue in {url!r} (e.g. cups://Office_A4)")
    return queue, server, timeout


def open_cups_printer(url: str, ctx: DeviceContext) -> CupsA4Printer:
    """Registry factory for ``cups://QUEUE``."""
    queue, server, timeout = parse_cups_url(url)
    return CupsA4Printer(url, queue, server=server, timeout=timeout)
