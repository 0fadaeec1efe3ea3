"""Running the centre's Janus: start and stop our own process, or use one by URL.

``JanusServer`` writes the configuration under the centre's data dir
(``<data>/janus``, 0700), starts ``janus`` in the foreground as a child process with
its log in that directory, and waits until it answers on its WebSocket. Stopping sends
SIGTERM (Janus closes its sessions) and kills it if it does not exit in time.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from fleet.mediation.janus_config import JanusSecrets, JanusSettings, write_config
from remote_video.sfu.errors import SfuError, SfuUnreachable
from remote_video.sfu.janus import JanusConnection

log = logging.getLogger(__name__)

START_TIMEOUT_S = 15.0


def _die_with_parent() -> None:
    """In the child before exec: ask Linux to SIGTERM Janus when its parent dies, so a
    centre killed hard does not leave a Janus holding the port (the next start would
    refuse to run beside it)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the port check at the next start still says what is wrong


class JanusNotInstalled(SfuError):
    """The ``janus`` program is not on this machine."""


class JanusServer:
    """Our own Janus, configured for the centre. ``await start()``, ``await stop()``."""

    def __init__(self, data_dir: Path, settings: JanusSettings | None = None, keys: JanusSecrets | None = None) -> None:
        self.settings = settings or JanusSettings()
        self.keys = keys or JanusSecrets.generate()
        self.config_dir = data_dir / "janus"
        self.log_path = self.config_dir / "janus.log"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Where clients connect."""
        return self.settings.url

    @property
    def pid(self) -> int | None:
        """The process id while running."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    async def start(self, timeout: float = START_TIMEOUT_S) -> None:
        """Write the configuration, start Janus, return once it answers (or raise).

        Janus is stopped by Linux when the thread that started it ends (that is how a
        centre killed hard takes it along), so start it from the centre's main loop, not
        from a short-lived worker thread."""
        binary = shutil.which(self.settings.binary)
        if binary is None:
            raise JanusNotInstalled(f"the media server program '{self.settings.binary}' is not installed "
                                    "(Debian: apt-get install janus)")
        self._check_port_free()
        core = write_config(self.config_dir, self.settings, self.keys)
        fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            self._proc = subprocess.Popen(
                [binary, "--configs-folder", str(self.config_dir), "--config", str(core), "--disable-colors"],
                stdin=subprocess.DEVNULL, stdout=fd, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_die_with_parent)
        finally:
            os.close(fd)
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise SfuUnreachable(f"the media server exited at start (code {self._proc.returncode}); "
                                     f"see {self.log_path}: {self._log_tail()}")
            try:
                conn = await JanusConnection.open(self.url, None, timeout=1.0)
            except SfuUnreachable as exc:
                last = exc
                await asyncio.sleep(0.1)
                continue
            try:
                info = await conn.info()
            finally:
                await conn.close()
            if info.get("server-name") != self.keys.instance:
                await self.stop()
                raise SfuUnreachable(f"another media server answers on {self.url} (not the one just started); "
                                     "stop it or choose another port")
            log.info("media server: janus %s on %s", self._proc.pid, self.url)
            return
        await self.stop()
        raise SfuUnreachable(f"the media server did not answer on {self.url} within {timeout:.0f} s ({last}); see {self.log_path}")

    def _check_port_free(self) -> None:
        """Janus keeps running when its WebSocket port is taken (by Debian's own
        janus.service, typically): say so now rather than talk to the wrong server."""
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((self.settings.bind, self.settings.ws_port))
            except OSError as exc:
                raise SfuUnreachable(f"the media server's port {self.settings.bind}:{self.settings.ws_port} is in use ({exc.strerror}); "
                                     "is Debian's janus.service running? (systemctl disable --now janus)") from exc

    def _log_tail(self, lines: int = 5) -> str:
        try:
            return " | ".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    async def stop(self, timeout: float = 5.0) -> None:
        """Stop Janus (SIGTERM, then SIGKILL after ``timeout``)."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if proc.poll() is None:
            proc.kill()
            proc.wait(2)


__all__ = ["JanusNotInstalled", "JanusServer"]
