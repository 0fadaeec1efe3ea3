"""The log safety net masks anything shaped like an ID number."""

from __future__ import annotations

import logging

from kiosk.logs import MaskingFilter, mask_text, setup_logging


def test_mask_text() -> None:
    assert mask_text("card 42020219560101123X read") == "card 4202**********123X read"
    assert mask_text("permit ABC123456789012 ok") == "permit ABC1*******9012 ok"
    assert mask_text("ticket A001 at 2026-11-27") == "ticket A001 at 2026-11-27"


def test_log_file_holds_only_the_masked_number(tmp_path) -> None:  # type: ignore[no-untyped-def]
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        path = setup_logging(tmp_path, to_stderr=False)
        logging.getLogger("t").warning("oops %s", "420202195601011234")
        for h in root.handlers:
            h.flush()
        text = path.read_text(encoding="utf-8")
        assert "4202**********1234" in text and "420202195601011234" not in text
    finally:
        for h in root.handlers[len(before):]:
            root.removeHandler(h)
    assert isinstance(MaskingFilter(), logging.Filter)
