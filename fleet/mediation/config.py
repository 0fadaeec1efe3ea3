"""Whether the centre runs mediation: ``mediation.toml`` in its data dir (optional).

```toml
[mediation]
ws_port = 8188
media_addresses = ["10.20.0.5"]
```

No file: mediation is not configured, ``kiosk-center serve`` starts no media server and
the mediator's desk says so. A bad file is an error that names it (the centre does not
start with a half-read configuration).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from fleet.mediation.janus_config import JanusSettings, settings_from

MEDIATION_FILE = "mediation.toml"


def load_mediation_settings(data_dir: Path) -> JanusSettings | None:
    """``<data_dir>/mediation.toml``'s ``[mediation]`` table, or None without the file."""
    p = Path(data_dir) / MEDIATION_FILE
    if not p.is_file():
        return None
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
        unknown = sorted(set(doc) - {"mediation"})
        if unknown:
            raise ValueError(f"unknown table(s) {', '.join(unknown)}; the settings go under [mediation]")
        return settings_from(doc.get("mediation", {}))
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{p}: {exc}") from exc


__all__ = ["MEDIATION_FILE", "load_mediation_settings"]
