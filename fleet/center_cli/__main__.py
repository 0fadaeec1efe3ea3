"""``python -m fleet.center_cli`` runs ``kiosk-center``."""

import sys

from fleet.center_cli import main

sys.exit(main())
