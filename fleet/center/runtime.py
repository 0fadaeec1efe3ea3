"""Where a centre keeps its things, and how every ``kiosk-center`` command finds the
running centre's broker and store from ``--data-dir``."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from fleet import topics
from fleet.broker import Broker, hash_password, new_password, signal_reload

DATA_DIR_ENV = "KIOSK_CENTER_DATA_DIR"
# As root, Mosquitto drops to the mosquitto user, who cannot pass a private data dir
# (/root/…, 0700): the embedded broker's files and saved state then live here instead,
# one directory per centre data dir, kept across restarts ($KIOSK_CENTER_BROKER_BASE to
# choose another place the mosquitto user can reach).
ROOT_BROKER_BASE = Path("/var/lib/legal-kiosk-center")
BROKER_BASE_ENV = "KIOSK_CENTER_BROKER_BASE"
RUNTIME_FILE = "center.json"  # written by `serve`: broker URL, store URL, broker pid
SECRET_FILE = "center-secret.json"  # the centre's own broker password (0600)


def resolve_data_dir(value: str | None) -> Path:
    """``--data-dir``, else ``$KIOSK_CENTER_DATA_DIR``, else the platform's data dir."""
    if value:
        return Path(value).expanduser()
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser()
    return Path(user_data_dir("legal-kiosk-center", appauthor=False))


@dataclass
class CenterPaths:
    """The files of one centre."""

    data_dir: Path

    @property
    def runtime(self) -> Path:
        """center.json."""
        return self.data_dir / RUNTIME_FILE

    def default_db(self) -> str:
        """SQLite in the data dir."""
        return f"sqlite:///{self.data_dir / 'center.sqlite3'}"

    def center_password(self) -> str:
        """The centre's broker password, created once."""
        p = self.data_dir / SECRET_FILE
        if p.is_file():
            return str(json.loads(p.read_text())["password"])
        self.data_dir.mkdir(parents=True, exist_ok=True)
        pw = new_password()
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"username": topics.CENTER_USER, "password": pw}, f)
        return pw

    def broker_dir(self) -> Path:
        """The embedded broker's directory (configuration, password files, ACL and its
        saved state): ``DATA_DIR/broker``, or, as root, a directory under
        ``ROOT_BROKER_BASE`` (or ``$KIOSK_CENTER_BROKER_BASE``) that the mosquitto user can
        reach. Stable across restarts, so retained desired configuration and queued
        commands survive them."""
        if os.geteuid() != 0:
            return self.data_dir / "broker"
        base = Path(os.environ.get(BROKER_BASE_ENV) or ROOT_BROKER_BASE)
        base.mkdir(parents=True, exist_ok=True)
        os.chmod(base, 0o711)  # passable, not listable
        key = hashlib.sha256(str(self.data_dir.resolve()).encode()).hexdigest()[:16]
        return base / f"broker-{key}"

    def read_runtime(self) -> dict[str, Any]:
        """What the running ``serve`` wrote ({} if none)."""
        try:
            return dict(json.loads(self.runtime.read_text()))
        except (OSError, ValueError):
            return {}

    def write_runtime(self, doc: dict[str, Any]) -> None:
        """Written by ``serve`` at start."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.runtime.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=2))
        os.replace(tmp, self.runtime)

    def broker_users(self, hashes: dict[str, str]) -> dict[str, str]:
        """Every broker user: the centre plus each terminal."""
        return {topics.CENTER_USER: hash_password(self.center_password()), **hashes}

    def reload_broker(self, hashes: dict[str, str]) -> bool:
        """Rewrite the running embedded broker's passwd/ACL and SIGHUP it; False when no
        embedded broker runs (an external broker's files are the operator's)."""
        rt = self.read_runtime()
        if not rt.get("broker_dir") or not rt.get("broker_pid"):
            return False
        b = Broker(Path(rt["broker_dir"]), int(rt["mqtt_port"]))
        # Only the credentials: the running broker's configuration (its TLS listener)
        # stays as `serve` wrote it, so the reload re-reads the same listeners.
        b.write_files(self.broker_users(hashes), config=False)
        return signal_reload(int(rt["broker_pid"]))
