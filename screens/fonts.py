"""Finding a CJK font for Kivy (its default font has no Chinese glyphs).

Kivy loads only the first face of a ``.ttc``; WenQuanYi Micro Hei's first face is the
Chinese one (Noto CJK's first is Japanese), so it is preferred.
"""

from __future__ import annotations

import os
from pathlib import Path

FONT_ENV = "KIOSK_FONT"

# In order of preference; Debian package names in comments.
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/opentype/noto/NotoSansSC-Regular.otf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


def find_cjk_font() -> Path | None:
    """``$KIOSK_FONT`` if set and present, else the first installed candidate."""
    env = os.environ.get(FONT_ENV)
    if env and Path(env).is_file():
        return Path(env)
    for candidate in CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    return None
