"""The elder-mode offer: when an ID card says 60 or over, ask once whether to switch to
the large-text version (长辈版), without switching for the person."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.lang import Builder
from kivy.uix.modalview import ModalView

if TYPE_CHECKING:
    from screens.app import KioskApp


class ElderOffer(ModalView):
    """Two large buttons: 换成长辈版 / 不用了 (actions ``elder_offer:yes`` / ``:no``)."""

    def ask(self, app: "KioskApp") -> None:
        """Show the offer (said aloud in voice mode or to a keypad user)."""
        self.open(animation=False)
        if app.voice or app._keypad_in_use:  # noqa: SLF001
            app.speak(app.tr("visit_info.elder_offer"), interrupt=False)

    def answer(self, app: "KioskApp", value: str) -> None:
        """Close the offer; "yes" switches elder mode on for this visit."""
        self.dismiss(animation=False)
        if value == "yes" and not app.elder:
            app.act("elder")


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
