"""Translation catalogues: both languages complete, and every key the UI uses exists."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk.i18n import Translator, load_messages, placeholders

ROOT = Path(__file__).resolve().parents[1]


def test_languages_have_the_same_keys_and_placeholders() -> None:
    zh, en = load_messages("zh_CN"), load_messages("en")
    assert set(zh) == set(en)
    for key in zh:
        assert placeholders(zh[key]) == placeholders(en[key]), key


def test_every_literal_key_used_by_the_screens_exists() -> None:
    zh = load_messages("zh_CN")
    used: set[str] = set()
    for path in list((ROOT / "screens").rglob("*.kv")) + list((ROOT / "screens").rglob("*.py")):
        used |= set(re.findall(r"""\btr\(\s*["']([a-z_]+\.[a-z_.]+)["']""", path.read_text(encoding="utf-8")))
    assert used, "no keys found: the pattern is wrong"
    assert sorted(used - set(zh)) == []


def test_translator_switches_language_and_formats() -> None:
    t = Translator("zh_CN")
    assert t.t("ticket.ahead", ahead=3) == "前面还有 3 人"
    t.language = "en"
    assert t.t("ticket.ahead", ahead=3) == "3 ahead of you"
    assert t.t("no.such.key") == "no.such.key"  # shown, never a crash


def test_every_message_key_the_core_and_devices_use_exists() -> None:
    zh = load_messages("zh_CN")
    used: set[str] = set()
    files = list((ROOT / "kiosk").rglob("*.py")) + list((ROOT / "devices").rglob("*.py"))
    for path in files:
        used |= set(re.findall(r'"((?:card|idcard|device|printer|error|queue)\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert len(used) > 10, "the pattern is wrong"
    assert sorted(used - set(zh)) == []
