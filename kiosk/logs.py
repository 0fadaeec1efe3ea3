"""Logging for the terminal: stderr and a rotating file, with personal data masked.

Code never logs personal data; the filter here is the safety net that masks anything
shaped like an ID number (18 or 15 digits, or a permanent-residence number) that
slips into a message, wherever it stands in the text, before any handler writes it.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from kiosk.files import private_dir, restrict_umask
from kiosk.identity import mask_id_number

# What counts as ID-number-shaped. Only digits bound a match: a number glued to a word
# ("ID420281199106080036"), inside JSON or after an escape ("\\n4202…") must still be
# masked, so letters around it do not protect it.
# - any run of 15 or more digits: 18-digit resident / residence-permit / 2023 foreigner
#   numbers, 15-digit first-generation numbers, and any longer run one may hide in.
#   Ordinary numbers (tickets A001, times, dates, 11-digit phones) are all shorter;
# - 17 digits and a check character X;
# - 2017 foreigner numbers: three capitals and 12 digits.
_ID_LIKE = re.compile(r"(?<!\d)(\d{17}[Xx]|\d{15,})(?!\d)|([A-Z]{3}\d{12})(?!\d)")


def mask_text(text: str) -> str:
    """``text`` with every ID-number-shaped token masked."""
    return _ID_LIKE.sub(lambda m: mask_id_number(m.group(0)), text)


class MaskingFilter(logging.Filter):
    """Masks ID-number-shaped tokens in every record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the message in place; never drops a record."""
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def setup_logging(data_dir: Path | None, level: int = logging.INFO, to_stderr: bool = True) -> Path | None:
    """Log to stderr and to ``<data_dir>/logs/kiosk.log`` (rotated); returns the file."""
    root = logging.getLogger()
    root.setLevel(level)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    masking = MaskingFilter()
    path = None
    if to_stderr:
        h = logging.StreamHandler()
        h.setFormatter(fmt)
        h.addFilter(masking)
        root.addHandler(h)
    if data_dir is not None:
        path = data_dir / "logs" / "kiosk.log"
        restrict_umask()  # the handler creates (and rotates) files itself
        private_dir(path.parent)
        fh = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        fh.setFormatter(fmt)
        fh.addFilter(masking)
        root.addHandler(fh)
    return path
