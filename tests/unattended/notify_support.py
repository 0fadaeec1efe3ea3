"""A fake systemd for tests: a datagram socket bound where ``$NOTIFY_SOCKET`` points,
collecting what the kiosk process sends, with the time each message arrived."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path

from tests.support import PYTHON, ROOT, kiosk_env, stop_process

DRIVER = Path(__file__).with_name("driver.py")


class NotifySocket:
    """Bound to ``path``; ``messages`` holds (monotonic time, text)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.2)
        self.messages: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            self.messages.append((time.monotonic(), data.decode(errors="replace")))

    def times(self, text: str) -> list[float]:
        """When messages containing ``text`` arrived."""
        return [t for t, m in list(self.messages) if text in m]

    def wait_for(self, text: str, timeout: float, after: float = 0.0, poll: float = 0.05) -> float:
        """The arrival time of the first message with ``text`` after ``after``, looked
        for every ``poll`` seconds (the time returned is the arrival's, whatever ``poll``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            hits = [t for t in self.times(text) if t > after]
            if hits:
                return hits[0]
            time.sleep(poll)
        raise AssertionError(f"no {text!r} within {timeout} s; got {self.messages[-5:]}")

    def close(self) -> None:
        """Stop reading and unbind."""
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def start_kiosk(data: Path, notify: NotifySocket, *args: str, watchdog_usec: int = 1_000_000, module: bool = False,
                **env: str) -> subprocess.Popen[bytes]:
    """``kiosk run --simulate`` under the fake systemd: through the driver, or
    (``module``) exactly as ``python -m kiosk.cli``."""
    e = kiosk_env(data)
    e.update(NOTIFY_SOCKET=str(notify.path), WATCHDOG_USEC=str(watchdog_usec), **env)
    entry = ["-m", "kiosk.cli"] if module else [str(DRIVER)]
    return subprocess.Popen([PYTHON, *entry, "--data-dir", str(data), "run", "--simulate", *args],
                            env=e, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(proc: subprocess.Popen[bytes]) -> str:
    """Stop the kiosk (as systemd would) and return its stderr."""
    return stop_process(proc, grace=15)
