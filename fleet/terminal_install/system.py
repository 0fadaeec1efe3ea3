"""What the installer asks of the machine beyond writing files: users, packages,
systemd, udev, ownership, the virtualenv. ``HostSystem`` does it; ``StagedSystem``
(an install into a directory, ``--root DIR``) does what works on a directory tree —
``systemctl --root`` enables and masks units in it — and lists the rest."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
from pathlib import Path


class InstallError(Exception):
    """A step failed; the message says what to do."""


class HostSystem:
    """The machine this runs on (as root)."""

    staged = False

    def __init__(self) -> None:
        self.log: list[str] = []

    def run(self, cmd: list[str], *, host_only: bool = True) -> str:
        """Run ``cmd``; InstallError with its output when it fails."""
        self.log.append(" ".join(cmd))
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        except FileNotFoundError:
            raise InstallError(f"{cmd[0]} not found") from None
        if done.returncode != 0:
            raise InstallError(f"{' '.join(cmd)} failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-500:]}")
        return done.stdout

    def user_exists(self, name: str) -> bool:
        """True when the account exists."""
        try:
            pwd.getpwnam(name)
        except KeyError:
            return False
        return True

    def groups_present(self, names: tuple[str, ...]) -> list[str]:
        """Those of ``names`` that exist on this machine."""
        present = []
        for g in names:
            try:
                grp.getgrnam(g)
            except KeyError:
                continue
            present.append(g)
        return present

    def missing_debs(self, names: tuple[str, ...]) -> list[str]:
        """Debian packages not installed."""
        missing = []
        for name in names:
            done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True, check=False)
            if "ok installed" not in done.stdout:
                missing.append(name)
        return missing

    def chown(self, path: Path, user: str) -> None:
        """Give ``path`` to ``user`` (and the user's group)."""
        shutil.chown(path, user, user)


class StagedSystem(HostSystem):
    """An install into ``root``: files for real, machine changes listed, not made."""

    staged = True

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

    def run(self, cmd: list[str], *, host_only: bool = True) -> str:
        """Listed only, unless the command works on the tree (``host_only=False``)."""
        if host_only:
            self.log.append("(not on a staged root) " + " ".join(cmd))
            return ""
        return super().run(cmd)

    def user_exists(self, name: str) -> bool:
        """A staged root has no accounts of its own."""
        return False

    def groups_present(self, names: tuple[str, ...]) -> list[str]:
        """All of them (the terminal's Debian has them all)."""
        return list(names)

    def missing_debs(self, names: tuple[str, ...]) -> list[str]:
        """Nothing is checked on a staged root."""
        return []

    def chown(self, path: Path, user: str) -> None:
        """Listed: the account exists only on the terminal."""
        self.log.append(f"(not on a staged root) chown {user}:{user} {path}")


def is_root() -> bool:
    """True when running as root."""
    return os.geteuid() == 0
