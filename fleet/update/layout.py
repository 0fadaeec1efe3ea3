"""Where versions live on a terminal (shared with the installer; keep it exactly so).

``/opt/legal-kiosk/versions/<VERSION>/`` is one venv per version, ``current`` and
``previous`` are symbolic links to two of them. A switch makes the new link under a
temporary name and ``os.replace``s it over the old one: a power cut leaves either the
old link or the new one, never none. Every path hangs off ``prefix`` so tests use a
temporary directory.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BASE = Path("opt/legal-kiosk")
# Plain release numbers only ("1.4.2"): the terminal orders them to refuse a downgrade,
# and a name made of digits and dots can never leave the versions directory.
VERSION_RE = re.compile(r"^\d{1,6}(\.\d{1,6}){0,3}$")


class LayoutError(RuntimeError):
    """The version layout is not in a state that allows the step asked for."""


def check_version(version: str) -> str:
    """``version`` if it is a plain release number, else ``ValueError`` naming it."""
    if not VERSION_RE.fullmatch(version):
        raise ValueError(f"not a release version (digits and dots, e.g. 1.4.2): {version!r}")
    return version


def version_key(version: str) -> tuple[int, ...]:
    """A sort key: ``1.10`` after ``1.9``; trailing zeros do not count (``1.0`` == ``1``)."""
    parts = [int(p) for p in check_version(version).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


@dataclass(frozen=True)
class Layout:
    """The paths of one terminal's installation under ``prefix`` (``/`` on a terminal)."""

    prefix: Path = Path("/")

    @property
    def base(self) -> Path:
        """``/opt/legal-kiosk``."""
        return Path(self.prefix) / BASE

    @property
    def versions(self) -> Path:
        """One venv per installed version."""
        return self.base / "versions"

    @property
    def current(self) -> Path:
        """The link to the running version."""
        return self.base / "current"

    @property
    def previous(self) -> Path:
        """The link to the version before (the health gate's way back)."""
        return self.base / "previous"

    @property
    def state(self) -> Path:
        """The updater's own files: pending switch, markers, partial downloads, metadata."""
        return self.base / "update"

    def version_dir(self, version: str) -> Path:
        """``versions/<VERSION>``."""
        return self.versions / check_version(version)

    def _linked(self, link: Path) -> str | None:
        try:
            target = os.readlink(link)
        except OSError:
            return None
        name = Path(target).name
        return name if VERSION_RE.fullmatch(name) else None

    def current_version(self) -> str | None:
        """The version ``current`` points to, or None."""
        return self._linked(self.current)

    def previous_version(self) -> str | None:
        """The version ``previous`` points to, or None."""
        return self._linked(self.previous)

    def is_installed(self, version: str) -> bool:
        """Whether ``versions/<VERSION>`` is a complete installation."""
        return (self.version_dir(version) / COMPLETE).is_file()

    def point(self, link: Path, version: str) -> None:
        """Make ``link`` point at ``versions/<VERSION>`` atomically (temp link + rename)."""
        if not self.is_installed(version):
            raise LayoutError(f"version {version} is not installed completely in {self.versions}")
        tmp = link.with_name(f".{link.name}.tmp")
        tmp.unlink(missing_ok=True)
        # Relative, so the tree still works when the prefix is mounted elsewhere.
        os.symlink(Path("versions") / version, tmp)
        os.replace(tmp, link)
        _fsync_dir(link.parent)

    def switch_to(self, version: str) -> str | None:
        """``previous`` := the running version, ``current`` := ``version``; returns the
        version that was running."""
        old = self.current_version()
        if old is not None and old != version:
            self.point(self.previous, old)
        self.point(self.current, version)
        return old

    def prune(self) -> list[str]:
        """Remove every version that is neither ``current`` nor ``previous``; returns them."""
        keep = {self.current_version(), self.previous_version()}
        gone = []
        if self.versions.is_dir():
            for d in sorted(self.versions.iterdir()):
                if d.name not in keep and VERSION_RE.fullmatch(d.name):
                    shutil.rmtree(d, ignore_errors=True)
                    gone.append(d.name)
        return gone

    # ---- small JSON state files, each replaced atomically -----------------------------
    def read_json(self, name: str) -> dict[str, Any] | None:
        """``update/<name>`` as JSON, or None when absent or unreadable."""
        try:
            doc = json.loads((self.state / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return doc if isinstance(doc, dict) else None

    def write_json(self, name: str, doc: dict[str, Any] | None) -> None:
        """Replace ``update/<name>`` (None removes it)."""
        path = self.state / name
        if doc is None:
            path.unlink(missing_ok=True)
            return
        self.state.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(doc, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)


COMPLETE = ".installed"  # written last into versions/<VERSION>: the install finished


def _fsync_dir(path: Path) -> None:
    # The rename is durable only once its directory is on disk.
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
