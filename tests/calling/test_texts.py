"""Every text the console and the display show is a catalogue key, in both languages."""

from __future__ import annotations

import re

from fleet.window_console.server import CONSOLE_KEYS, STATIC
from kiosk.i18n import load_messages, placeholders
from tests.support import ROOT


def test_every_key_the_console_page_uses_is_served_and_exists() -> None:
    js = (STATIC / "console.js").read_text(encoding="utf-8")
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    used = set(re.findall(r'\bt\("([a-z_]+)"', js)) | set(re.findall(r'data-t="([a-z_]+)"', html))
    assert len(used) > 15, "the pattern is wrong"
    served = {k.removeprefix("console.") for k in CONSOLE_KEYS}
    assert sorted(used - served) == []
    for language in ("zh_CN", "en"):
        assert sorted(k for k in CONSOLE_KEYS if k not in load_messages(language)) == []


def test_every_key_the_display_uses_exists() -> None:
    used: set[str] = set()
    for name in ("display.kv", "display.py", "display_app.py"):
        used |= set(re.findall(r"""\btr\(\s*["']([a-z_]+\.[a-z_.]+)["']""", (ROOT / "screens" / name).read_text(encoding="utf-8")))
    assert len(used) > 5, "the pattern is wrong"
    for language in ("zh_CN", "en"):
        assert sorted(used - set(load_messages(language))) == []


def test_the_announcement_template_names_number_and_window() -> None:
    assert placeholders(load_messages("zh_CN")["calling.announce"]) == {"number", "window"}
