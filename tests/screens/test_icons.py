"""The home screen's pictograms: one for every tile, drawn by screens/icons/draw.py (not
downloaded), and each unlike the others at the size a tile shows it."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

from PIL import Image, ImageChops

from kiosk.bootstrap import build_terminal
from kiosk.catalog import load_catalog
from kiosk.config import KioskConfig
from screens.icons import ICONS
from screens.icons.draw import ICONS as DRAWINGS
from screens.icons.draw import render


def _mask(img: Image.Image, size: int = 48) -> Image.Image:
    return img.getchannel("A").resize((size, size), Image.LANCZOS).point(lambda v: 255 if v > 127 else 0)


def _ink(mask: Image.Image) -> int:
    """How many pixels are set (a histogram: no per-pixel iteration)."""
    return mask.width * mask.height - mask.histogram()[0]


def test_every_tile_has_its_pictogram(tmp_path: Path) -> None:
    t = build_terminal(KioskConfig(), tmp_path, simulate=True)
    try:
        names = {s.icon for s in load_catalog().services} | {tile.icon for tile in t.flow.features.tiles()} | {"ticket", "touch"}
    finally:
        t.close()
    assert names <= set(DRAWINGS)
    for name in names:
        assert (ICONS / f"{name}.png").is_file(), name


def test_the_pngs_are_what_the_drawings_make() -> None:
    for name in DRAWINGS:
        shipped = Image.open(ICONS / f"{name}.png").convert("RGBA")
        # Same shape: at most a sliver of edge pixels differs (resampling, PNG optimisation).
        diff = ImageChops.difference(_mask(shipped, 96), _mask(render(name), 96))
        assert _ink(diff) < 96 * 96 * 0.01, name


def test_pictograms_differ_from_each_other_at_tile_size() -> None:
    masks = {name: _mask(Image.open(ICONS / f"{name}.png").convert("RGBA")) for name in DRAWINGS}
    for a, b in combinations(masks, 2):
        differing = _ink(ImageChops.difference(masks[a], masks[b]))
        assert differing > 48 * 48 * 0.12, f"{a} and {b} look alike ({differing} pixels differ)"
    for name, mask in masks.items():
        filled = _ink(mask) / (48 * 48)
        assert 0.12 < filled < 0.75, f"{name}: {filled:.0%} ink (too thin or a blot)"
