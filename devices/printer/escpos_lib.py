"""python-escpos, imported late and without its side effect on logging.

Late: ``escpos.capabilities`` loads its whole printer database on import (about 0.4 s
here), so it is imported on the first print job — on the print worker — rather than
while the kiosk starts.

``escpos.capabilities`` (3.1) also calls ``logging.basicConfig()`` when imported, which
gives the root logger a stderr handler in every process that prints — the CLI would then
print the adapter's technician warnings over its own bilingual messages. This module
removes the handler that import added (none is added when the application configured
logging first, since basicConfig then does nothing).
"""

from __future__ import annotations

import functools
import logging
import threading
from types import SimpleNamespace

_lock = threading.Lock()


@functools.cache
def escpos() -> SimpleNamespace:
    """``Dummy`` (the byte-collecting printer) and ``QR_ECLEVEL_M`` from python-escpos."""
    with _lock:
        root = logging.getLogger()
        before = list(root.handlers)
        # Deferred: heavy (the capabilities database); imported on the first print job.
        from escpos.constants import QR_ECLEVEL_M
        from escpos.printer import Dummy  # deferred with the line above

        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
    return SimpleNamespace(Dummy=Dummy, QR_ECLEVEL_M=QR_ECLEVEL_M)
