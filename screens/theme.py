"""Colours and type scale: calm, legible, high contrast, for a public terminal.

Every text/background pair used here has a contrast ratio of at least 4.5:1
(checked in tests/screens/test_theme.py).
"""

from __future__ import annotations

RGBA = tuple[float, float, float, float]


def hex_rgba(value: str, alpha: float = 1.0) -> RGBA:
    """``"#1F3A68"`` → Kivy RGBA floats."""
    value = value.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, alpha)


BACKGROUND = hex_rgba("#F3F5F9")
SURFACE = hex_rgba("#FFFFFF")
NAVY = hex_rgba("#17375E")  # the justice administration's blue
NAVY_DARK = hex_rgba("#0F2642")
TEXT = hex_rgba("#1A2433")
TEXT_MUTED = hex_rgba("#4A5568")
ON_NAVY = hex_rgba("#FFFFFF")
ACCENT = hex_rgba("#B3261E")  # priority badges, warnings
OK = hex_rgba("#1E6B3A")
WARN = hex_rgba("#8A5300")
BORDER = hex_rgba("#C9D1DE")
GOLD = hex_rgba("#F2C14E")  # ticket number on navy

# One colour per service tile stripe, by ticket prefix; each dark enough for white text.
STRIPES = {
    "A": hex_rgba("#17375E"),
    "B": hex_rgba("#9C2A1F"),
    "C": hex_rgba("#1E6B3A"),
    "D": hex_rgba("#5B3A8C"),
    "E": hex_rgba("#7A4B00"),
    "F": hex_rgba("#0E5E6F"),
    "V": hex_rgba("#2F4858"),
}

# The home screen's "do it here" tiles (white text on them): set apart from the white
# "ticket for a window" tiles at a glance.
HERE = hex_rgba("#0E5E6F")
HERE_DARK = hex_rgba("#094552")

ELDER_FACTOR = 1.3


def darker(color: RGBA, amount: float = 0.18) -> RGBA:
    """The pressed-state shade of ``color``."""
    r, g, b, a = color
    return (r * (1 - amount), g * (1 - amount), b * (1 - amount), a)


def relative_luminance(color: RGBA) -> float:
    """WCAG 2 relative luminance."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b, _ = color
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: RGBA, b: RGBA) -> float:
    """WCAG 2 contrast ratio between two colours (1 to 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def scale_for(width: int, height: int) -> float:
    """Type and spacing scale for a window: 1.0 at 1280×800, larger on bigger screens."""
    return max(0.75, min(width, height) / 800)
