"""The terminal's updater: TUF metadata from the centre, the verified bundle, its
install beside the running version, and the switch at an idle moment.

The terminal trusts one root of the centre's repository, written at install time into
``update/metadata/root.json`` (or named in ``[update] trusted_root``). ``tuf.ngclient``
refuses metadata that is tampered with, replayed (older than what it saw), frozen
(expired) or signed by the wrong keys; this module adds what TUF cannot know: a
release older than or equal to the running one is never installed (downgrade).
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from tuf.api import exceptions
from tuf.ngclient import Updater

from fleet.update.bundle import BundleError, app_target, install, read_manifest
from fleet.update.fetcher import ResumingFetcher
from fleet.update.layout import Layout, check_version, version_key

log = logging.getLogger(__name__)

PENDING = "pending.json"  # a switch waiting for its health confirmation


class UpdateRefused(RuntimeError):
    """An update that must not be installed; the message says why (for the technician)."""


@dataclass(frozen=True)
class UpdateOptions:
    """How a terminal updates (the ``[update]`` configuration section)."""

    centre_url: str  # http(s)://centre/updates
    trusted_root: Path | None = None  # copied into update/metadata on first use
    rate_kbps: int = 0
    allowed_hours: tuple[int, int] = (0, 24)  # [from, to) local hours; (2, 5): 02:00–04:59
    confirm_minutes: float = 15.0
    max_boots: int = 3  # starts of an unconfirmed version before the gate gives up on it


@contextmanager
def refusals() -> Iterator[None]:
    """Turn TUF's verdicts into ``UpdateRefused`` saying why, for the technician. A cut
    link (``DownloadError``, but not a download longer than signed) passes: it is no
    refusal, and the next try resumes."""
    try:
        yield
    except exceptions.DownloadLengthMismatchError as exc:
        # More bytes than the signed length is no cut link: the file was swapped.
        raise UpdateRefused(f"the download is longer than its signed length (tampered?): {exc}") from None
    except exceptions.ExpiredMetadataError as exc:
        raise UpdateRefused(f"the centre's metadata has expired (frozen?): {exc}") from None
    except (exceptions.BadVersionNumberError, exceptions.EqualVersionNumberError) as exc:
        raise UpdateRefused(f"the centre sent metadata older than already seen (replayed?): {exc}") from None
    except exceptions.LengthOrHashMismatchError as exc:
        raise UpdateRefused(f"the download does not match its signed length and hashes (tampered?): {exc}") from None
    except exceptions.UnsignedMetadataError as exc:
        raise UpdateRefused(f"metadata not signed by the trusted keys (tampered?): {exc}") from None
    except exceptions.RepositoryError as exc:
        raise UpdateRefused(f"the centre's metadata was refused: {exc}") from None


def in_hours(hours: tuple[int, int], now: datetime) -> bool:
    """Whether ``now`` falls inside ``[from, to)``; wraps past midnight (22, 5)."""
    start, end = hours
    h = now.hour
    return start <= h < end if start <= end else (h >= start or h < end)


class TerminalUpdater:
    """Fetch, verify, install and switch versions on one terminal."""

    def __init__(self, layout: Layout, options: UpdateOptions, *, running: str | None = None) -> None:
        self.layout = layout
        self.options = options
        self.running = running or layout.current_version()
        self.metadata_dir = layout.state / "metadata"
        self.downloads = layout.state / "downloads"
        self.fetcher = ResumingFetcher(layout.state / "partial", rate_kbps=options.rate_kbps)

    def _updater(self) -> Updater:
        self.metadata_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not (self.metadata_dir / "root.json").is_file():
            if self.options.trusted_root is None or not self.options.trusted_root.is_file():
                raise UpdateRefused(f"no trusted root: install one at {self.metadata_dir / 'root.json'}")
            shutil.copyfile(self.options.trusted_root, self.metadata_dir / "root.json")
        self.downloads.mkdir(parents=True, exist_ok=True, mode=0o700)
        base = self.options.centre_url.rstrip("/")
        self.fetcher.resume_under = f"{base}/targets/"
        return Updater(str(self.metadata_dir), f"{base}/metadata/", str(self.downloads), f"{base}/targets/", fetcher=self.fetcher,
                       bootstrap=None)  # the root installed with the terminal, kept in metadata_dir

    def refreshed(self) -> Updater:
        """A TUF updater with the centre's metadata refreshed and checked (call inside
        ``refusals()``); content packages use it too."""
        updater = self._updater()
        updater.refresh()
        return updater

    def fetch(self, version: str) -> Path:
        """Refresh the metadata and download the bundle of ``version``, verified by TUF;
        ``UpdateRefused`` on a downgrade, an unknown version or any failed check."""
        check_version(version)
        if self.running is not None and version_key(version) <= version_key(self.running):
            raise UpdateRefused(f"version {version} is not newer than the running {self.running}: downgrade refused")
        failed = self.layout.read_json("failed.json") or {}
        if failed.get("version") == version:
            raise UpdateRefused(f"version {version} failed its health check here before ({failed.get('reason')}); not again")
        with refusals():
            updater = self.refreshed()
            info = updater.get_targetinfo(app_target(version))
            if info is None:
                raise UpdateRefused(f"the centre's signed targets have no version {version}")
            path = updater.find_cached_target(info) or updater.download_target(info)
        # DownloadError (a cut link) passes: it is not a refusal; the next try resumes.
        manifest = read_manifest(Path(path))
        if manifest.version != version:
            raise UpdateRefused(f"bundle says version {manifest.version}, its target name says {version}")
        return Path(path)

    def stage(self, version: str) -> str:
        """Fetch and install ``version`` beside the running one (not switched)."""
        bundle = self.fetch(version)
        try:
            return install(bundle, self.layout)
        except BundleError as exc:
            raise UpdateRefused(str(exc)) from None

    def switch_if_idle(self, version: str, is_idle: Callable[[], bool], *, now: datetime | None = None) -> bool:
        """Switch ``current`` to the staged ``version`` if it is inside the allowed hours
        and ``is_idle()``; writes the pending confirmation. True when switched (the caller
        restarts the app)."""
        now = now or datetime.now()
        if not in_hours(self.options.allowed_hours, now) or not is_idle():
            return False
        if not self.layout.is_installed(version):
            raise UpdateRefused(f"version {version} is not staged")
        old = self.layout.switch_to(version)
        self.layout.write_json(PENDING, {"version": version, "from": old, "switched_at": time.time(),
                                         "deadline": time.time() + self.options.confirm_minutes * 60,
                                         "boots": 0, "max_boots": self.options.max_boots})
        log.info("switched to version %s (from %s); waiting for its health confirmation", version, old)
        return True
