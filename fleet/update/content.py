"""Content packages over the signed update path: the law library
(``content/library-<SERIAL>.sqlite3``) and the bureau's publicity
(``content/publicity-<SERIAL>.zip``, kiosk/publicity) travel as TUF targets of their own
kind, are verified by the terminal like a bundle, and replace what runs at an idle moment
without a software update.

The serial grows by one with each package of a kind (the centre assigns it when the
package is added). The terminal remembers the serial it runs in ``update/content.json``
and looks only above it, so an older package is never installed again (downgrade); the
signed metadata stops tampered and replayed ones.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from fleet.update.client import TerminalUpdater, UpdateRefused, refusals
from kiosk.lookup.library import LibraryError, check_library, install_library
from kiosk.publicity.package import PackageError, check_package, install_package

log = logging.getLogger(__name__)

# The kinds of content package and the file name ending of each.
CONTENT_KINDS: dict[str, str] = {"library": ".sqlite3", "publicity": ".zip"}
STATE = "content.json"  # {kind: {"serial": n, "version": "..."}} of what the terminal runs
MAX_PROBE = 1000  # serials looked at above the installed one in one check
MAX_GAP = 16  # missing serials in a row before the look upward stops (a removed package leaves a gap)


def content_target(content: str, serial: int) -> str:
    """The TUF target name of package ``serial`` of ``content``."""
    if content not in CONTENT_KINDS:
        raise ValueError(f"unknown content {content!r}")
    if not 0 < serial < 10**9:
        raise ValueError(f"not a content serial: {serial!r}")
    return f"content/{content}-{serial}{CONTENT_KINDS[content]}"


def package_version(content: str, package: Path) -> str:
    """Check ``package`` as the terminal will open it; its own version string, or
    ``ValueError`` saying what is wrong."""
    if content == "publicity":
        try:
            return check_package(package).version
        except PackageError as exc:
            raise ValueError(f"not a sound publicity package: {exc}") from None
    if content != "library":
        raise ValueError(f"unknown content {content!r}")
    try:
        return str(check_library(package).get("version", "?"))
    except LibraryError as exc:
        raise ValueError(f"not a law library package: {exc}") from None


def install_content(content: str, package: Path, dest: Path, serial: int) -> str:
    """Put a checked package in place where the app reads it (atomically: what plays or
    serves now stays until the new one is proven); its version."""
    if content == "publicity":
        return str(install_package(package, dest, serial)["version"])
    return str(install_library(package, dest).get("version", "?"))


@dataclass(frozen=True)
class Staged:
    """A verified package waiting for the idle moment."""

    content: str
    serial: int
    path: Path


class ContentUpdater:
    """Fetch, verify and swap in the content packages of one terminal."""

    def __init__(self, updater: TerminalUpdater, destinations: dict[str, Path]) -> None:
        self.updater = updater
        self.destinations = destinations  # kind -> the file the app reads
        self.staged: dict[str, Staged] = {}

    def installed(self, content: str) -> int:
        """The serial of ``content`` the terminal runs (0: none from the centre yet)."""
        doc = (self.updater.layout.read_json(STATE) or {}).get(content)
        serial = doc.get("serial") if isinstance(doc, dict) else None
        return serial if isinstance(serial, int) and not isinstance(serial, bool) and serial > 0 else 0

    def fetch(self, content: str, serial: int) -> Path:
        """Download package ``serial`` of ``content``, verified against the signed
        metadata and opened as the app opens it; ``UpdateRefused`` otherwise."""
        have = self.installed(content)
        if serial <= have:
            raise UpdateRefused(f"{content} package {serial} is not newer than the running {have}: downgrade refused")
        with refusals():
            tuf = self.updater.refreshed()
            info = tuf.get_targetinfo(content_target(content, serial))
            if info is None:
                raise UpdateRefused(f"the centre's signed targets have no {content} package {serial}")
            custom = dict(info.unrecognized_fields.get("custom") or {})
            if custom.get("content") != content or custom.get("serial") != serial:
                raise UpdateRefused(f"the signed target {info.path} does not say it is {content} package {serial}")
            # A plain file name: TUF's default quotes the "/" of the target name as %2F.
            where = str(self.updater.downloads / f"{content}-{serial}{CONTENT_KINDS[content]}")
            path = Path(tuf.find_cached_target(info, where) or tuf.download_target(info, where))
        try:
            package_version(content, path)
        except ValueError as exc:
            path.unlink(missing_ok=True)
            raise UpdateRefused(f"{content} package {serial}: {exc}") from None
        return path

    def newest(self, content: str) -> int | None:
        """The newest serial of ``content`` above the installed one that the centre
        signed, or None. Serials are consecutive but for packages the centre removed:
        look upward until ``MAX_GAP`` in a row are missing."""
        have = self.installed(content)
        found = None
        missing = 0
        with refusals():
            tuf = self.updater.refreshed()
            for serial in range(have + 1, have + 1 + MAX_PROBE):
                if tuf.get_targetinfo(content_target(content, serial)) is None:
                    missing += 1
                    if missing >= MAX_GAP:
                        break
                    continue
                missing = 0
                found = serial
        return found

    def stage_newest(self) -> list[Staged]:
        """Fetch the newest package of each kind that is newer than the running one."""
        out = []
        for content in self.destinations:
            serial = self.newest(content)
            if serial is None or (content in self.staged and self.staged[content].serial >= serial):
                continue
            self.staged[content] = Staged(content, serial, self.fetch(content, serial))
            log.info("%s package %d verified; waiting for an idle moment", content, serial)
            out.append(self.staged[content])
        return out

    def swap_if_idle(self, is_idle: Callable[[], bool]) -> list[Staged]:
        """Put every staged package in place if ``is_idle()`` (atomic rename, the old
        file stays until the new one is proven); returns those swapped in."""
        done: list[Staged] = []
        for content, st in list(self.staged.items()):
            if not is_idle():
                break
            try:
                version = install_content(content, st.path, self.destinations[content], st.serial)
            except (LibraryError, PackageError, OSError) as exc:
                del self.staged[content]
                st.path.unlink(missing_ok=True)
                raise UpdateRefused(f"{content} package {st.serial} could not be put in place: {exc}") from None
            state = self.updater.layout.read_json(STATE) or {}
            state[content] = {"serial": st.serial, "version": version}
            self.updater.layout.write_json(STATE, state)
            del self.staged[content]
            st.path.unlink(missing_ok=True)
            log.info("%s package %d (%s) in place", content, st.serial, version)
            done.append(st)
        return done
