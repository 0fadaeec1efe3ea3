"""The pilot lays a screen out at once, as the next frame would, and can leave drawing
out: what the layout sweeps (the audit matrix, the notice sweep) measure is the same as
after frames, without waiting for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.ui import run_scenario

pytestmark = pytest.mark.ui


def test_a_screen_laid_out_at_once_is_what_the_frames_show(data_dir: Path) -> None:
    r = run_scenario("tests.screens.small_scenarios", "laid_out_at_once", data_dir, timeout=300)
    # The switch left texts to render before the next frame; done at once, nothing is left.
    assert r["pending_before"] is True
    assert r["settled"] is True
    # Frames that came afterwards moved and changed nothing.
    assert r["same_after_frames"] is True
    assert any("Take a ticket" in t or "ticket" in t.lower() for t in r["texts"]), r["texts"]
    # With drawing off the clock ran frames, none drawn; drawing came back when asked.
    assert r["frames_while_off"] > 0
    assert r["draws_while_off"] == 0
    assert r["draws_after"] > 0
    # The photograph shows the screen switched to elder English: the navy of the header and
    # the white of the page, not a blank or stale frame.
    from PIL import Image  # deferred: only this test reads pixels

    with Image.open(r["photo"]) as photo:
        colours = photo.convert("RGB").getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50
