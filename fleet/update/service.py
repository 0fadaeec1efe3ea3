"""The updater inside the running app: takes the centre's desired release, stages it
on a worker thread, switches at an idle moment inside the allowed hours, confirms the
new version's health, and reports each step (retained ``update/reported``; the gate's
verdicts also as outbox events). While no release is under way it also keeps the
content packages (the law library) current (``content.py``).

It talks to the agent only through callables and the agent's public methods, so it can
run (and be tested) with any agent that has ``subscribe``, ``send`` and ``is_idle``.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from tuf.api.exceptions import DownloadError

from fleet import topics
from fleet.agent.agent import Agent
from fleet.agent.commands import self_test
from fleet.update import gate
from fleet.update.client import TerminalUpdater, UpdateOptions, UpdateRefused
from fleet.update.content import ContentUpdater
from fleet.update.layout import Layout, version_key
from kiosk import __version__
from kiosk.config import UpdateSettings
from kiosk.lookup.library import default_library_path
from kiosk.outbox import add_event
from kiosk.publicity.package import default_publicity_dir
from kiosk.store import transaction

log = logging.getLogger(__name__)

RETRY_S = 300.0  # a cut link: try again (the download resumes)
IDLE_POLL_S = 5.0
CONTENT_CHECK_S = 3600.0  # how often the signed metadata is asked for newer content


class UpdateService:
    """One terminal's update loop (a daemon thread while work is pending)."""

    def __init__(
        self,
        updater: TerminalUpdater,
        *,
        running: str,
        is_idle: Callable[[], bool],
        report: Callable[[topics.UpdateReported], None],
        restart: Callable[[], None],
        checks: Callable[[], dict[str, bool]] | None = None,
        add_event: Callable[[str, dict[str, Any]], None] | None = None,
        retry_s: float = RETRY_S,
        idle_poll_s: float = IDLE_POLL_S,
        content: ContentUpdater | None = None,
        content_check_s: float = CONTENT_CHECK_S,
    ) -> None:
        self.updater = updater
        self.running = running
        self.is_idle = is_idle
        self.report = report
        self.restart = restart
        self.checks = checks
        self.add_event = add_event
        self.retry_s = retry_s
        self.idle_poll_s = idle_poll_s
        self.content = content
        self.content_check_s = content_check_s
        self._next_content = 0.0  # monotonic time of the next content check
        self._wanted: str | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last: topics.UpdateReported | None = None

    # ---- wiring ---------------------------------------------------------------------
    def attach(self, agent: Agent) -> "UpdateService":
        """Take desired releases from ``agent`` (its worker calls ``on_desired``)."""
        agent.subscribe(topics.UPDATE_DESIRED, self.on_desired)
        return self

    def start(self) -> "UpdateService":
        """Hand the gate's events to the outbox, and start the worker."""
        self._take_gate_events()
        self._thread = threading.Thread(target=self._run, name="updater", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop the worker (a download in progress resumes at the next start)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)

    def on_desired(self, payload: bytes) -> None:
        """The centre's retained ``update/desired`` (any thread; never blocks)."""
        if not payload:
            self._wanted = None
            return
        try:
            desired = topics.UpdateDesired.from_bytes(payload)
        except ValueError as exc:
            log.warning("malformed desired release ignored: %s", str(exc)[:200])
            return
        self._wanted = str(desired.version)
        self._wake.set()

    def confirm_if_healthy(self) -> bool:
        """Confirm the running version when it is the one awaiting confirmation and every
        health check passes (attract screen, self-test, centre reached)."""
        p = gate.pending(self.updater.layout)
        if p is None or p.get("version") != self.running or self.checks is None:
            return False
        if gate.confirm(self.updater.layout, self.running, self.checks()):
            # Final now, not only at the next start: the older versions go, the centre hears.
            gate.run(self.updater.layout)
            self._take_gate_events()
            self._say(self.running, "confirmed")
            return True
        return False

    def _take_gate_events(self) -> None:
        for path, event in gate.take_events(self.updater.layout):
            if self.add_event is not None:
                self.add_event(str(event.get("kind")), dict(event.get("payload") or {}))
            payload = event.get("payload") or {}
            if event.get("kind") == gate.ROLLED_BACK:
                self._say(str(payload.get("version")), "rolled_back", str(payload.get("reason")))
            path.unlink(missing_ok=True)

    # ---- the worker -------------------------------------------------------------------
    def _say(self, version: str, state: topics.UpdateState, error: str | None = None) -> None:
        rep = topics.UpdateReported(running=self.running, version=version, state=state,
                                    error=error[:2000] if error else None, at=datetime.now(timezone.utc))
        self.last = rep
        try:
            self.report(rep)
        except Exception:  # noqa: BLE001 — reporting must not stop the updater
            log.exception("could not report the update state")

    def _event(self, kind: str, payload: dict[str, Any]) -> None:
        if self.add_event is not None:
            self.add_event(kind, payload)

    def _content_step(self) -> None:
        """Content packages, while no software update is under way: look for a newer
        one now and then, and swap a verified one in at an idle moment (no restart, so
        not bound to the allowed hours)."""
        if self.content is None:
            return
        if time.monotonic() >= self._next_content:
            self._next_content = time.monotonic() + self.content_check_s
            try:
                self.content.stage_newest()
            except UpdateRefused as exc:
                log.warning("content package refused: %s", exc)
                self._event("content_refused", {"error": str(exc)[:500]})
            except (DownloadError, OSError) as exc:
                # A cut link: what arrived is kept; the next check resumes.
                log.info("content package not fetched yet: %s", exc)
                self._next_content = time.monotonic() + min(self.content_check_s, self.retry_s)
        if self.content.staged:
            try:
                swapped = self.content.swap_if_idle(self.is_idle)
            except UpdateRefused as exc:
                log.warning("content package refused: %s", exc)
                self._event("content_refused", {"error": str(exc)[:500]})
                return
            for st in swapped:
                self._event("content_installed", {"content": st.content, "serial": st.serial})

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self._step():
                    return
            except Exception as exc:  # noqa: BLE001 — the updater must outlive any surprise, and say so
                log.exception("updater step failed")
                if self._wanted:
                    self._say(self._wanted, "retrying", f"{type(exc).__name__}: {exc}")
                self._wake.wait(self.retry_s)
                self._wake.clear()

    def _step(self) -> bool:
        """One round of the worker; True when the app is restarting into a new version."""
        self.confirm_if_healthy()
        wanted = self._wanted
        if wanted is None or version_key(wanted) <= version_key(self.running):
            self._content_step()
            self._wake.wait(self.idle_poll_s)
            self._wake.clear()
            return False
        try:
            if not self.updater.layout.is_installed(wanted):
                self._say(wanted, "downloading")
                self.updater.stage(wanted)
                self._say(wanted, "staged")
        except UpdateRefused as exc:
            log.warning("update to %s refused: %s", wanted, exc)
            self._say(wanted, "refused", str(exc))
            if self._wanted == wanted:
                self._wanted = None
            return False
        except (DownloadError, OSError) as exc:
            # A cut link or a full disk: what arrived is kept, the next try resumes.
            self._say(wanted, "retrying", str(exc))
            self._wake.wait(self.retry_s)
            self._wake.clear()
            return False
        # Staged: wait for the idle moment inside the allowed hours.
        while not self._stop.is_set() and self._wanted == wanted:
            if self.updater.switch_if_idle(wanted, self.is_idle):
                self._say(wanted, "switched")
                self.restart()
                return True
            self._wake.wait(self.idle_poll_s)
            self._wake.clear()
        return False


def start_for_agent(agent: Agent, settings: UpdateSettings, restart: Callable[[], None], *, running: str | None = None) -> UpdateService | None:
    """Wire the updater into a running app's agent (``settings``: the ``[update]``
    section). None when updates are off. The health checks that confirm a new version:
    the kiosk is at its attract screen, the self-test passes, the centre is reached. The
    law library the app reads is kept current from the same signed repository."""
    if not settings.centre_url or not hasattr(agent, "subscribe"):
        return None
    layout = Layout(Path(settings.prefix))
    running = running or layout.current_version() or __version__
    options = UpdateOptions(centre_url=settings.centre_url, trusted_root=settings.trusted_root, rate_kbps=settings.rate_kbps,
                            allowed_hours=settings.allowed_hours, confirm_minutes=settings.confirm_minutes)

    def checks() -> dict[str, bool]:
        return {"attract": agent.is_idle(), "self_test": bool(self_test(agent, {}).result.get("ok")),
                "centre": bool(agent.connected_event.is_set())}

    def to_outbox(kind: str, payload: dict[str, Any]) -> None:
        with transaction(agent._conn) as c:  # the agent's own connection to the terminal's store
            add_event(c, kind, payload, agent.now())

    updater = TerminalUpdater(layout, options, running=running)
    library = default_library_path(agent.terminal.data_dir, agent.terminal.config.lookup.library)
    svc = UpdateService(updater, running=running, is_idle=agent.is_idle,
                        restart=restart, checks=checks, add_event=to_outbox,
                        report=lambda rep: agent.send(topics.UPDATE_REPORTED, rep.to_bytes(), retain=True),
                        content=ContentUpdater(updater, {"library": library,
                                                         "publicity": default_publicity_dir(agent.terminal.data_dir)}))
    return svc.attach(agent).start()
