"""Starting window consoles (``kiosk console``) for tests, and talking to them."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from tests.support import PYTHON, ROOT, kiosk_env

@contextmanager
def console(data_dir: Path, pin: str | None = None) -> Iterator[str]:
    """A ``kiosk console`` process on 127.0.0.1 (any free port); yields its base URL.
    Without ``pin`` it is started with ``--no-pin``."""
    env = kiosk_env(data_dir)
    env.pop("KIOSK_CONSOLE_PIN", None)
    if pin:
        env["KIOSK_CONSOLE_PIN"] = pin
    proc = subprocess.Popen(
        [PYTHON, "-m", "kiosk.cli", "console", "--http", "127.0.0.1:0", *(() if pin else ("--no-pin",))],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline().strip() if proc.stdout else ""
        if not line.startswith("http://"):
            raise RuntimeError(f"console did not start: {line!r} {proc.stderr.read() if proc.stderr else ''}")
        yield line.rstrip("/")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def request(base: str, method: str, path: str, body: dict[str, Any] | None = None, pin: str | None = None) -> tuple[int, Any]:
    """One JSON request; returns (status, decoded body)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    if pin:
        req.add_header("X-Console-Pin", pin)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")
