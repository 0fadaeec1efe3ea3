"""Whether the centre runs mediation: ``mediation.toml`` in its data dir (optional).

```toml
[mediation]
ws_port = 8188
media_addresses = ["10.20.0.5"]

[recording]
retention_days = 180   # recordings are deleted this long after the session (their hashes stay)
```

No file: mediation is not configured, ``kiosk-center serve`` starts no media server and
the mediator's desk says so. A bad file is an error that names it (the centre does not
start with a half-read configuration).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from fleet.mediation.janus_config import JanusSettings, settings_from

MEDIATION_FILE = "mediation.toml"
DEFAULT_RETENTION_DAYS = 180


def _read(data_dir: Path) -> dict[str, Any] | None:
    p = Path(data_dir) / MEDIATION_FILE
    if not p.is_file():
        return None
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{p}: {exc}") from exc
    unknown = sorted(set(doc) - {"mediation", "recording"})
    if unknown:
        raise ValueError(f"{p}: unknown table(s) {', '.join(unknown)}; the settings go under [mediation] and [recording]")
    return doc


def load_retention_days(data_dir: Path) -> int:
    """How many days a session's recording is kept (``[recording] retention_days``)."""
    doc = _read(data_dir) or {}
    rec = doc.get("recording", {})
    unknown = sorted(set(rec) - {"retention_days"})
    days = rec.get("retention_days", DEFAULT_RETENTION_DAYS)
    if unknown or not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 3650:
        raise ValueError(f"{Path(data_dir) / MEDIATION_FILE}: [recording] takes retention_days, a whole number of days "
                         f"from 1 to 3650 (got {dict(rec)!r})")
    return days


def load_mediation_settings(data_dir: Path) -> JanusSettings | None:
    """``<data_dir>/mediation.toml``'s ``[mediation]`` table, or None without the file."""
    doc = _read(data_dir)
    if doc is None:
        return None
    load_retention_days(data_dir)  # checked at start-up with the rest
    try:
        return settings_from(doc.get("mediation", {}))
    except ValueError as exc:
        raise ValueError(f"{Path(data_dir) / MEDIATION_FILE}: {exc}") from exc


__all__ = ["DEFAULT_RETENTION_DAYS", "MEDIATION_FILE", "load_mediation_settings", "load_retention_days"]
