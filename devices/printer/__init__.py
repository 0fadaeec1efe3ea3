"""Receipt printers: ESC/POS over serial, TCP and USB, a raw-bytes file, and a simulator.

``layout`` turns a :class:`kiosk.receipt.Receipt` into printed lines once; two renderers
(``escpos_render`` → bytes, ``png_render`` → preview) draw the same lines, so the preview
is what the printer prints. ``adapter`` is the :class:`kiosk.ports.ReceiptPrinter`.
"""

import logging

# A library's loggers stay silent unless the application configures logging: without
# this, Python's last-resort handler would print printer warnings over the CLI's own
# bilingual messages.
logging.getLogger(__name__).addHandler(logging.NullHandler())
