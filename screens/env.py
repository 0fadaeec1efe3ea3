"""Preparing Kivy before its first import: environment, window size, logging, font.

Kivy reads its environment and command line when first imported, so every entry point
that shows a screen calls ``prepare_kivy`` before importing anything from ``kivy``
other than this module's own late imports.
"""

from __future__ import annotations

import logging
import os

from kiosk.errors import KioskError
from screens.fonts import find_cjk_font


def has_display() -> bool:
    """True when an X11 or Wayland display is available."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def prepare_kivy(width: int = 1280, height: int = 800, *, fullscreen: bool = False, offscreen: bool | None = None) -> None:
    """Set Kivy up for a kiosk window of ``width``×``height`` (call before importing kivy).

    ``offscreen`` None: offscreen only when there is no display (SDL renders through
    Mesa with no X server).
    """
    if offscreen is None:
        offscreen = not has_display()
    if offscreen:
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # our command line is ours
    os.environ.setdefault("KIVY_NO_FILELOG", "1")  # we keep our own (masked) log
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")  # leave Python logging to us
    os.environ.setdefault("KIVY_NO_CONFIG", "1")  # never read or write ~/.kivy/config.ini
    # Kivy's start-up chatter (providers, GL versions) is not news on a kiosk's log.
    logging.getLogger("kivy").setLevel(logging.WARNING)
    from kivy.config import Config  # deferred: Kivy reads its environment on first import, only when the variables above are set

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "resizable", "1")
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("kivy", "exit_on_escape", "0")  # Escape means "back" on a kiosk
    Config.set("input", "mouse", "mouse,disable_multitouch")
    register_fonts()


def register_fonts() -> None:
    """Make the CJK font Kivy's default font for every Label."""
    font = find_cjk_font()
    if font is None:
        raise KioskError(
            "no CJK font found: install fonts-wqy-microhei (apt-get install fonts-wqy-microhei) or set KIOSK_FONT",
            message_key="error.generic",
        )
    from kivy.core.text import DEFAULT_FONT, LabelBase  # deferred: only when Kivy is prepared (it opens the window's providers)

    LabelBase.register(DEFAULT_FONT, str(font))
