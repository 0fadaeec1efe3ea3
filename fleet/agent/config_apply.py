"""The centre's desired configuration on the terminal: refused at once if start-up could
not read it, else kept (durably) until the kiosk is idle, then installed and made live —
and rolled back if making it live fails."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from fleet import topics
from fleet.agent.configfile import ConfigRejected, check, install, merged, restore
from fleet.agent.state import AgentState
from kiosk.config import KioskConfig
from kiosk.logs import mask_text

log = logging.getLogger(__name__)


class ConfigApplier:
    """Desired → pending → applied (or rejected), with the reported document kept in
    ``state`` so it survives restarts.

    ``apply_config`` makes a new configuration live (None: it takes effect at the next
    start); ``is_idle`` says whether nobody is using the kiosk; ``reported_changed`` is
    told (from any thread) when the reported document changed outside ``apply_if_idle``.
    """

    def __init__(
        self,
        state: AgentState,
        config_path: Path,
        config: KioskConfig,
        *,
        now: Callable[[], datetime],
        is_idle: Callable[[], bool],
        apply_config: Callable[[KioskConfig], None] | None = None,
        reported_changed: Callable[[], None] = lambda: None,
    ) -> None:
        self._state = state
        self.config_path = config_path
        self._config = config
        self._now = now
        self._is_idle = is_idle
        self._apply_config = apply_config
        self._reported_changed = reported_changed
        self._lock = threading.Lock()
        self._has_pending = bool(state.get("pending_desired"))

    @property
    def config(self) -> KioskConfig:
        """The configuration in force (the last one applied, else the start-up one)."""
        return self._config

    @property
    def has_pending(self) -> bool:
        """Whether a desired configuration waits for the idle moment."""
        return self._has_pending

    def version(self) -> int:
        """The centre's configuration version applied here (0: none yet)."""
        return int(self._state.get("config_version", 0))

    def reported(self) -> topics.Reported:
        """The reported document: what is applied, pending or was rejected last."""
        doc = self._state.get("reported")
        if doc:
            return topics.Reported.model_validate(doc)
        return topics.Reported(version=self.version(), state="applied", at=self._now())

    def offer(self, version: int, config: dict[str, Any]) -> topics.Reported:
        """Take a desired configuration: reject it now if invalid, else keep it (durably)
        until the kiosk is idle. Any thread."""
        with self._lock:
            applied = self.version()
            if version <= applied:
                rep = self.reported()
                return rep if rep.state != "rejected" else topics.Reported(version=applied, state="applied", desired_version=version)
            try:
                # The whole check now, as start-up would read the file: a push the
                # terminal could not start with is refused here, with the reason.
                check(self.config_path, merged(self._config, config))
            except ConfigRejected as exc:
                rep = topics.Reported(version=applied, state="rejected", desired_version=version, error=mask_text(str(exc))[:2000], at=self._now())
                self._keep(rep, pending=None)
                log.warning("desired configuration v%d rejected: %s", version, exc)
            else:
                rep = topics.Reported(version=applied, state="pending", desired_version=version, at=self._now())
                self._keep(rep, pending={"version": version, "config": config})
        self._reported_changed()
        return rep

    def apply_if_idle(self) -> bool:
        """Install the pending configuration if the kiosk is idle (never in the middle
        of a visit), rolling the file back if it cannot be made live. True when the
        reported document changed (applied or rolled back)."""
        pending = self._state.get("pending_desired")
        if not pending:
            self._has_pending = False
            return False
        if not self._is_idle():
            return False
        with self._lock:
            version, config = int(pending["version"]), pending["config"]
            installed = False
            old: bytes | None = None
            try:
                old = self.config_path.read_bytes() if self.config_path.is_file() else None
                # Read back and checked as start-up reads it before it replaces the file;
                # what the app gets is what a restart would get.
                new = install(self.config_path, merged(self._config, config))
                installed = True
                if self._apply_config is not None:
                    self._apply_config(new)
            except Exception as exc:  # noqa: BLE001 — roll back whatever went wrong
                if installed:
                    restore(self.config_path, old)
                rep = topics.Reported(version=self.version(), state="rejected", desired_version=version, error=mask_text(str(exc))[:2000], at=self._now())
                log.warning("configuration v%d rolled back: %s", version, exc)
            else:
                self._config = new
                self._state.put("config_version", version)
                rep = topics.Reported(version=version, state="applied", desired_version=version,
                                      restart_required=self._apply_config is None, at=self._now())
                log.info("configuration v%d applied", version)
            self._keep(rep, pending=None)
        return True

    def _keep(self, rep: topics.Reported, *, pending: dict[str, Any] | None) -> None:
        self._state.put("pending_desired", pending)
        self._has_pending = pending is not None
        self._state.put("reported", rep.model_dump(mode="json", exclude_none=True))
