"""The home screen's pictograms: white drawings on transparent (screens/icons/*.png,
made by ``python -m screens.icons.draw``), tinted by the widget that shows them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kivy.graphics.texture import Texture

ICONS = Path(__file__).parent


@lru_cache(maxsize=None)
def icon_texture(name: str) -> Texture:
    """The pictogram ``name`` as a Kivy texture, loaded once; the ticket pictogram
    stands in for a name without a drawing."""
    from kivy.core.image import Image as CoreImage  # deferred: the drawing script needs no Kivy

    path = ICONS / f"{name}.png"
    if not path.is_file():
        path = ICONS / "ticket.png"
    return CoreImage(str(path), mipmap=True).texture
