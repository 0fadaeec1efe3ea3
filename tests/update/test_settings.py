"""The ``[update]`` section is checked like every other section at start-up."""

from __future__ import annotations

import pytest

from kiosk.config import parse_config
from kiosk.errors import ConfigError


def test_update_section_read_and_checked() -> None:
    cfg = parse_config('[update]\ncentre_url = "http://127.0.0.1:8080/updates"\nallowed_hours = [2, 5]\nrate_kbps = 200\n')
    assert cfg.update.allowed_hours == (2, 5) and cfg.update.rate_kbps == 200
    assert parse_config("").update.centre_url == ""  # off unless named
    for bad, key in (("allowed_hours = [2, 30]", "allowed_hours"), ('centre_url = "ftp://x"', "centre_url"),
                     ("rate_kbps = -1", "rate_kbps"), ("confirm_minute = 3", "confirm_minute")):
        with pytest.raises(ConfigError, match=key):
            parse_config(f"[update]\n{bad}\n")
