"""What each page set of the centre's web app is given (``webapp.py`` composes them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fleet.center.service import CenterLink
from fleet.center.store import Store


@dataclass(frozen=True)
class CentreContext:
    """The running centre as a page set sees it: its MQTT link (to command terminals
    and answer their asks), its store and its data directory."""

    link: CenterLink
    store: Store
    data_dir: Path
