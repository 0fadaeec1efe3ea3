"""Legal aid's side in the app: what its buttons (``la:<step>:<value>``) do."""

from __future__ import annotations

from kiosk.legal_aid.events import LegalAidAnswered, LegalAidOpened, ProgressOpened
from screens.features import FeatureUiBase


class LegalAidUi(FeatureUiBase):
    """Turns ``la:…`` actions into legal aid's events, or does the screen's own part
    (dictation, reading the letter aloud, clearing the signature, printing)."""

    actions = ("la",)

    def act(self, name: str, arg: str) -> None:
        """Do a legal-aid action (``KioskApp.act("la:<step>:<value>")``)."""
        app = self.app
        flow = app.terminal.flow
        step, _, value = arg.partition(":")
        screen = app.sm.current_screen
        if step == "open":
            flow.handle(LegalAidOpened())
        elif step == "progress_open":
            flow.handle(ProgressOpened())
        elif step == "story" and value in ("dictate", "redo"):
            if value == "redo":  # 重新说: the words so far go, and the person speaks again
                flow.handle(LegalAidAnswered("story", "redo"))
            screen.dictate()
        elif step in ("letter", "hardship") and value == "read":
            screen.read_aloud()
        elif step == "sign" and value == "clear":
            screen.ids.pad.clear()
        elif step == "sign" and value in ("fingerprint", "signature"):
            screen.use(value)
        elif step == "sign" and value == "submit":
            screen.submit()
        elif step == "sign" and value == "window":
            # Kept for the window: saved and numbered now, signed there with staff.
            flow.handle(LegalAidAnswered("sign", "window"))
        elif step == "print":
            screen.print_receipt()
        else:
            flow.handle(LegalAidAnswered(step, value))
