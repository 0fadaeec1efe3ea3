"""Legal-aid applications at the terminal (法律援助申请; docs/legal_aid.md).

``attach_legal_aid(terminal)`` wires the legal-aid steps into the terminal's visit flow
(called by the composition root, kiosk.bootstrap).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.availability import HomeTile

if TYPE_CHECKING:
    from kiosk.terminal import Terminal


def attach_legal_aid(terminal: "Terminal") -> None:
    """Give the terminal's visit flow its legal-aid steps, on a connection of their own."""
    from kiosk.legal_aid.data import load_legal_aid
    from kiosk.legal_aid.flow import LegalAidFlow
    from kiosk.store import DB_FILENAME, connect

    la = LegalAidFlow(load_legal_aid(), connect(terminal.data_dir / DB_FILENAME), terminal.config, terminal.clock, terminal.translator)
    la.centre = lambda: terminal.centre
    terminal.flow.legal_aid = la
    terminal.tiles += [
        HomeTile("home.tiles.apply", "home.tiles.apply_hint", "apply", "la:open", order=10,
                 spoken_key="legal_aid.home_apply", availability=la.availability),
        HomeTile("home.tiles.progress", "home.tiles.progress_hint", "progress", "la:progress_open", order=20,
                 spoken_key="legal_aid.home_progress", availability=la.progress_availability),
    ]
