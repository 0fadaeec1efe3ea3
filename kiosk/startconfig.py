"""The configuration start-up uses: checked the way ``kiosk run`` needs it, and the last
configuration that started, kept to fall back on.

A terminal stands in a village room; a configuration file that cannot start must never
leave it dark until somebody travels there. ``kiosk run`` therefore starts from
``kiosk.toml.last-good`` (the file that last started, kept beside it) when ``kiosk.toml``
fails, says why, and the fleet agent reports it. The same check, ``load_startable``,
decides whether a configuration pushed from the centre may replace the file at all.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kiosk.catalog import load_catalog
from kiosk.config import CONFIG_FILENAME, KioskConfig, load_config
from kiosk.errors import ConfigError, KioskError

log = logging.getLogger(__name__)

LAST_GOOD_SUFFIX = ".last-good"


def config_file(path: str | os.PathLike[str] | None, data_dir: Path) -> Path:
    """The file start-up reads: ``--config``, else ``<data_dir>/kiosk.toml``."""
    return Path(path).expanduser() if path is not None else data_dir / CONFIG_FILENAME


def last_good_path(path: Path) -> Path:
    """Where the configuration that last started is kept (beside ``path``, so relative
    paths in it mean the same files)."""
    return path.with_name(path.name + LAST_GOOD_SUFFIX)


def load_startable(path: str | os.PathLike[str] | None, data_dir: Path) -> KioskConfig:
    """``load_config`` and then every file the configuration names that start-up must
    read (the site's catalogue); ``ConfigError`` naming the file and the key otherwise."""
    config = load_config(path, data_dir)
    try:
        load_catalog(config.catalog)
    except KioskError as exc:
        raise ConfigError(f"{config_file(path, data_dir)}: catalog: {exc.detail}") from exc
    return config


@dataclass(frozen=True)
class StartConfig:
    """The configuration a start uses, the file it came from, and, when the file failed
    and the last good one is used instead, why."""

    config: KioskConfig
    path: Path
    fallback: str | None = None
    raw: bytes | None = None  # the file's bytes as they started (None: defaults or fallback)


def start_config(path: str | os.PathLike[str] | None, data_dir: Path) -> StartConfig:
    """What ``kiosk run`` starts with: the file if it is startable, else the last good
    one (``fallback`` says why); raises the file's ``ConfigError`` when neither is."""
    file = config_file(path, data_dir)
    try:
        if not file.exists() and last_good_path(file).is_file():
            # Without its file a terminal would start on defaults, with no centre to
            # reach: a lost file is a failed one.
            raise ConfigError(f"{file}: configuration file not found")
        # The bytes are read before the check: what is kept as last good is exactly
        # what was checked, even if the file is replaced meanwhile.
        raw = file.read_bytes() if file.is_file() else None
        return StartConfig(load_startable(path, data_dir), file, raw=raw)
    except (ConfigError, OSError) as exc:
        reason = exc.detail if isinstance(exc, KioskError) else f"{file}: cannot read: {exc}"
        good = last_good_path(file)
        if not good.is_file():
            raise ConfigError(reason) from None
        try:
            config = load_startable(good, data_dir)
        except ConfigError as second:
            raise ConfigError(f"{reason}\n(and the last good configuration failed too: {second.detail})") from None
        log.warning("configuration %s failed; started from %s: %s", file, good, reason)
        return StartConfig(config, file, fallback=reason)


def mark_started(start: StartConfig) -> bool:
    """Keep the file that has just started as the last good one (atomically, 0600).
    Nothing is kept after a fallback or a start from defaults. True when written."""
    if start.fallback is not None or start.raw is None:
        return False
    good = last_good_path(start.path)
    try:
        if good.is_file() and good.read_bytes() == start.raw:
            return False
        write_private(good, start.raw)
    except OSError as exc:
        # A read-only configuration directory: the kiosk runs on, only without a
        # fallback for later.
        log.warning("cannot keep the last good configuration %s: %s", good, exc)
        return False
    return True


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically: a temp file (0600) in the same
    directory, fsync, rename, fsync of the directory — a power cut leaves the old file
    or the new one, never half of one."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
