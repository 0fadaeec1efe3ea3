"""``python -m fleet.terminal_install``: the same as ``kiosk-install``."""

import sys

from fleet.terminal_install.cli import main

sys.exit(main())
