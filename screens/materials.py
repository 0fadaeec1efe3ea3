"""The materials screen: everything to bring for the chosen service, in one list
(一次性告知), so nobody makes a second trip."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from kiosk.ports import DeviceKind
from screens.base import KioskScreen
from screens.widgets import SurfaceBox, place_widgets


class MaterialRow(SurfaceBox):
    """One item: a tag (必带 / 如有请带) and the text."""

    tag = StringProperty("")
    text = StringProperty("")
    required = BooleanProperty(True)


class MaterialsScreen(KioskScreen):
    """The list of materials to bring."""

    primary_action = "take"  # what "好的" / "yes" does here
    # Printing the list is this screen's own step: without a printer the visit band says
    # so (the list stays on screen, and the ticket can still be taken).
    needs_devices = (DeviceKind.PRINTER,)
    way_on: tuple[tuple[str, str], ...] = ()

    title = StringProperty("")
    subtitle = StringProperty("")

    def refresh(self) -> None:
        """Show the list for the chosen service."""
        app = self.kiosk
        code = app.terminal.flow.visit.service
        if code is None:
            return
        service = app.terminal.catalog.get(code)
        self.title = app.tr("materials.title")
        self.subtitle = app.tr("materials.subtitle", service=service.name.get(app.lang))
        box = self.ids.item_list
        specs = [{"tag": app.tr("materials.required" if item.required else "materials.optional"),
                  "text": f"{i}. {item.text.get(app.lang)}", "required": item.required}
                 for i, item in enumerate(service.materials, start=1)]
        # The rows there are given the new words (a tag that reads the same is not
        # rendered again); only a longer or shorter list adds or takes away rows.
        place_widgets(box, MaterialRow, specs)

    def spoken_intro(self) -> str:
        """The whole list, each item with whether it must be brought."""
        rows = [f"{row.tag}：{row.text}" for row in reversed(self.ids.item_list.children)]
        return f"{self.title}。{self.subtitle}。" + "。".join(rows) + "。"


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
