"""The audit of ``kiosk audit a11y`` really finds what it checks for. That every screen
passes it, in every size, language and mode, is tests/screens/test_layout_audit.py (the
matrix runs every check at 1280x800 and the layout checks at the other sizes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.screens.test_visit_ui import run

pytestmark = pytest.mark.ui


def test_the_audit_finds_a_bad_button(data_dir: Path) -> None:
    r = run("audit_catches", data_dir)
    assert r["checks"] == ["contrast", "keypad", "label", "target", "text", "voice"]
