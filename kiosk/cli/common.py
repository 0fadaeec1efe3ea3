"""What command handlers share: the data dir, the configuration, JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.config import KioskConfig, load_config, resolve_data_dir


def data_dir_of(args: argparse.Namespace) -> Path:
    """The data directory named by ``--data-dir`` / ``$KIOSK_DATA_DIR`` / the platform default."""
    return resolve_data_dir(getattr(args, "data_dir", None))


def config_of(args: argparse.Namespace) -> tuple[KioskConfig, Path]:
    """The validated configuration and the data directory."""
    data_dir = data_dir_of(args)
    return load_config(getattr(args, "config", None), data_dir), data_dir


def print_json(value: Any) -> None:
    """Print ``value`` as JSON (UTF-8, Chinese unescaped) on stdout."""
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
