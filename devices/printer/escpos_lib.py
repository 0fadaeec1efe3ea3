"""python-escpos, imported without its side effect on logging.

``escpos.capabilities`` (3.1) calls ``logging.basicConfig()`` when imported, which gives
the root logger a stderr handler in every process that prints — the CLI would then print
the adapter's technician warnings over its own bilingual messages. Import python-escpos
through this module: it removes the handler that import added (none is added when the
application configured logging first, since basicConfig then does nothing).
"""

from __future__ import annotations

import logging

_root = logging.getLogger()
_before = list(_root.handlers)

from escpos.constants import QR_ECLEVEL_M  # noqa: E402
from escpos.printer import Dummy  # noqa: E402

for _handler in list(_root.handlers):
    if _handler not in _before:
        _root.removeHandler(_handler)

__all__ = ["Dummy", "QR_ECLEVEL_M"]
