"""One worker that asks the centre for every flow of the visit.

Legal-aid progress look-ups, appointment bookings and the check-in list all wait on the
network; none may block the UI thread. Each flow hands ``run`` a job that does its asking
and returns the event that carries the answer; the one worker runs the jobs in order and
``deliver`` (given at construction: the terminal's event inbox) takes each answer to the
visit's thread. One worker also keeps each flow's own SQLite connection on one thread.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from kiosk.events import Event
from kiosk.ports import CentreChannel, CentreUnavailable

log = logging.getLogger(__name__)

Job = Callable[[], Event | None]


class CentreAsker:
    """Runs asks to the centre on one worker; answers go to ``deliver``."""

    def __init__(self, centre: Callable[[], CentreChannel | None], deliver: Callable[[Event], None]) -> None:
        self._centre = centre
        self._deliver = deliver
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="centre-asks")

    def online(self) -> bool:
        """True while the link to the centre is up (any thread)."""
        centre = self._centre()
        return centre is not None and centre.connected()

    def ask(self, name: str, args: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        """Ask the centre and wait for its answer (only on the worker, inside a job).
        Raises ``CentreUnavailable`` with no link, and what the link raises."""
        centre = self._centre()
        if centre is None:
            raise CentreUnavailable("no centre link")
        return centre.ask(name, args, timeout=timeout)

    def run(self, job: Job, what: str = "ask") -> None:
        """Run ``job`` on the worker; the event it returns is delivered (None: nothing
        to deliver). A job that raises is logged: it must turn its own failures into
        the event that tells the person."""

        def work() -> None:
            try:
                answer = job()
            except Exception:  # noqa: BLE001 — one failed ask must not stop the worker
                log.exception("centre ask %s failed", what)
                return
            if answer is not None:
                self._deliver(answer)

        self._pool.submit(work)

    def close(self) -> None:
        """Stop the worker (asks not yet started are dropped)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
