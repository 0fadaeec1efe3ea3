"""Desired configuration → a validated KioskConfig → the terminal's TOML file, atomically.

The centre sends sections to set (``{"timeouts": {"idle_seconds": 90}}``); they are
merged over the terminal's current configuration. ``terminal_id`` and ``[fleet]`` stay
local: a wrong broker URL pushed from the centre would cut the terminal off for good.
"""

from __future__ import annotations

import json
import os
from datetime import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kiosk.config import KioskConfig
from kiosk.datafile import format_validation_error

LOCAL_ONLY = ("terminal_id", "fleet")


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


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, time):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    # JSON strings are valid TOML basic strings (same escapes).
    return json.dumps(str(v), ensure_ascii=False)


def to_toml(config: KioskConfig) -> str:
    """The configuration as TOML (scalars first, then one table per section)."""
    data = config.model_dump(exclude_none=True)
    head, tables = [], []
    for key, value in data.items():
        if isinstance(value, dict):
            body = [f"{k} = {_value(v)}" for k, v in value.items() if v is not None]
            tables.append(f"\n[{key}]\n" + "\n".join(body))
        else:
            head.append(f"{key} = {_value(value)}")
    return "# Written by the fleet agent (desired configuration from the centre).\n" + "\n".join(head) + "\n" + "\n".join(tables) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Temp file + fsync + rename: a power cut leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
