"""Colours: every text/background pair the screens use is legible (WCAG ≥ 4.5:1)."""

from __future__ import annotations

import pytest

from screens import theme

PAIRS = [
    ("text on background", theme.TEXT, theme.BACKGROUND),
    ("muted text on background", theme.TEXT_MUTED, theme.BACKGROUND),
    ("text on tiles", theme.TEXT, theme.SURFACE),
    ("white on navy", theme.ON_NAVY, theme.NAVY),
    ("gold on navy (ticket number)", theme.GOLD, theme.NAVY),
    ("navy on gold (start button)", theme.NAVY_DARK, theme.GOLD),
    ("text on gold (elder switch)", theme.TEXT, theme.GOLD),
    ("navy titles on background", theme.NAVY, theme.BACKGROUND),
    ("red warnings on background", theme.ACCENT, theme.BACKGROUND),
    ("green waits on background", theme.OK, theme.BACKGROUND),
    ("brown notes on background", theme.WARN, theme.BACKGROUND),
    ("white on red tags", theme.ON_NAVY, theme.ACCENT),
    ("white on grey tags", theme.ON_NAVY, theme.TEXT_MUTED),
] + [(f"white on stripe {k}", theme.ON_NAVY, v) for k, v in theme.STRIPES.items()]


@pytest.mark.parametrize("name,fg,bg", PAIRS, ids=[p[0] for p in PAIRS])
def test_contrast(name: str, fg: theme.RGBA, bg: theme.RGBA) -> None:
    assert theme.contrast(fg, bg) >= 4.5, name


def test_contrast_formula_extremes() -> None:
    assert theme.contrast((0, 0, 0, 1), (1, 1, 1, 1)) == pytest.approx(21)
    assert theme.contrast((0.5, 0.5, 0.5, 1), (0.5, 0.5, 0.5, 1)) == pytest.approx(1)
