"""The ``kiosk-center`` command: the centre's fleet service (not yet available)."""

from __future__ import annotations

import sys

from kiosk import __version__


def main(argv: list[str] | None = None) -> int:
    """Say plainly that the centre is not available in this version."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--version"]:
        print(f"kiosk-center {__version__}")
        return 0
    print("kiosk-center: the centre's fleet service is not yet available in this version.", file=sys.stderr)
    return 2
