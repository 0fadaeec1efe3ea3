"""``kiosk audit a11y`` in elder mode, in English: the largest type with the longest
texts, so what fits here fits in every combination of size and language."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.screens.test_a11y import audit

pytestmark = pytest.mark.ui


def test_every_screen_passes_in_elder_mode_in_english(tmp_path: Path) -> None:
    audit(tmp_path, ["--elder", "--lang", "en"])
