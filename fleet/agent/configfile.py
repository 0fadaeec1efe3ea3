"""Desired configuration → a validated KioskConfig → the terminal's TOML file, atomically,
and only once the file has been read back the way start-up reads it.

The centre sends sections to set (``{"timeouts": {"idle_seconds": 90}}``); they are
merged over the terminal's current configuration. ``terminal_id`` and ``[fleet]`` stay
local: a wrong broker URL pushed from the centre would cut the terminal off for good.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from kiosk.config import KioskConfig
from kiosk.datafile import format_validation_error
from kiosk.errors import KioskError
from kiosk.startconfig import fsync_dir, load_startable, write_private

LOCAL_ONLY = ("terminal_id", "fleet")
HEADER = "# Written by the fleet agent (desired configuration from the centre).\n"


class ConfigRejected(ValueError):
    """The desired configuration is invalid; the message names the keys."""


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def merged(current: KioskConfig, desired: dict[str, Any]) -> KioskConfig:
    """``current`` with ``desired`` merged in, validated; raises ConfigRejected."""
    local = [k for k in LOCAL_ONLY if k in desired]
    if local:
        raise ConfigRejected(f"{', '.join(local)}: set on the terminal only")
    base = current.model_dump(mode="json", exclude_none=True)
    try:
        return KioskConfig.model_validate(_merge(base, desired))
    except ValidationError as exc:
        raise ConfigRejected(format_validation_error("desired configuration", "configuration", exc)) from exc


def _plain(value: Any) -> Any:
    # What tomli_w can write: paths as text, tuples as arrays, tables as dicts.
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def to_toml(config: KioskConfig) -> str:
    """The configuration as TOML, written by tomli_w: every string escaped as TOML needs
    (control characters, quotes, newlines), nested tables and arrays of tables as such."""
    return HEADER + tomli_w.dumps(_plain(config.model_dump(exclude_none=True)))


def _stage(path: Path, text: str) -> tuple[Path, KioskConfig]:
    """``text`` in a temp file (0600) beside ``path``, fsynced, then read back and checked
    exactly as start-up reads a configuration (relative paths relative to the file, the
    catalogue it names loaded). Returns the temp file and what start-up would get;
    raises ConfigRejected (the temp file removed) when the terminal would not start."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        # A lone surrogate from JSON ("\ud800") is no character a file can hold.
        raise ConfigRejected(f"desired configuration: a text value is not valid Unicode (position {exc.start})") from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ConfigRejected(f"{path.parent}: cannot write the configuration there: {exc}") from None
    tmp = Path(name)
    try:
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise ConfigRejected(f"{path}: cannot write: {exc}") from None
        try:
            config = load_startable(tmp, path.parent)
        except KioskError as exc:
            raise ConfigRejected(exc.detail.replace(str(tmp), str(path)) + "\n(the terminal would not start with it)") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, config


def check(path: Path, config: KioskConfig) -> KioskConfig:
    """What start-up would read if ``config`` were written to ``path``; nothing is
    replaced. Raises ConfigRejected with the reason."""
    tmp, started = _stage(path, to_toml(config))
    tmp.unlink(missing_ok=True)
    return started


def install(path: Path, config: KioskConfig) -> KioskConfig:
    """Write ``config`` to ``path`` only if start-up can read it back: checked in a temp
    file beside it, then renamed over it (atomic; 0600) and the directory fsynced.
    Returns the configuration as start-up reads it; raises ConfigRejected, leaving
    ``path`` untouched, otherwise."""
    tmp, started = _stage(path, to_toml(config))
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return started


def restore(path: Path, old: bytes | None) -> None:
    """Put back the bytes ``path`` had (``None``: it did not exist)."""
    if old is None:
        path.unlink(missing_ok=True)
    else:
        write_private(path, old)
