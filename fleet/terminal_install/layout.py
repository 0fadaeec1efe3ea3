"""Where a terminal keeps what (shared with signed updates: keep these paths).

``/opt/legal-kiosk/versions/<VERSION>/`` a venv per version (read-only for the kiosk
user), ``current`` and ``previous`` symlinks switched atomically, the configuration in
``/etc/legal-kiosk`` and the data in ``/var/lib/legal-kiosk``. Every path sits under
``root`` so an install can be made into a directory (tests, image building).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

KIOSK_USER = "legal-kiosk"
# dialout: serial ID card readers; lp: printers; video: camera, backlight; audio: sound;
# input: touch screen; render: the GPU. Groups absent on a machine are left out.
KIOSK_GROUPS = ("dialout", "lp", "video", "audio", "input", "render")
SERVICE = "legal-kiosk.service"
RTC_SERVICE = "legal-kiosk-rtcwake.service"
RTC_TIMER = "legal-kiosk-rtcwake.timer"
UDEV_RULES = "70-legal-kiosk.rules"
PAM_NAME = "legal-kiosk"

# Debian packages a terminal needs (the installer installs the missing ones):
TERMINAL_DEBS = (
    "cage",  # the one-app Wayland compositor (the kiosk session)
    "xwayland",  # Kivy's SDL2 has no Wayland backend: it runs as an X11 client
    "python3", "python3-venv",  # the versioned virtualenvs
    "fonts-wqy-microhei",  # Chinese glyphs
    "libgl1", "libegl1", "libgl1-mesa-dri",  # OpenGL through Mesa
    "libmtdev1",  # multitouch
    "espeak-ng", "libportaudio2",  # speech out, the microphone
    "util-linux",  # rtcwake (power-on alarm)
    "udev", "dbus", "libpam-systemd",  # device names, the logind seat cage needs
)


@dataclass(frozen=True)
class Layout:
    """Every path of an install under ``root`` (``/`` on a terminal)."""

    root: Path = Path("/")

    def at(self, path: str) -> Path:
        """``path`` (absolute, as on the terminal) under this root."""
        return self.root / path.lstrip("/")

    @property
    def staged(self) -> bool:
        """True when installing into a directory rather than onto this machine."""
        return os.path.realpath(self.root) != "/"

    # The paths as the terminal sees them (inside unit files and the configuration).
    opt = "/opt/legal-kiosk"
    versions = "/opt/legal-kiosk/versions"
    current = "/opt/legal-kiosk/current"
    previous = "/opt/legal-kiosk/previous"
    etc = "/etc/legal-kiosk"
    config = "/etc/legal-kiosk/kiosk.toml"
    credentials = "/etc/legal-kiosk/credentials.json"
    ca = "/etc/legal-kiosk/ca.pem"
    data = "/var/lib/legal-kiosk"
    units = "/etc/systemd/system"
    udev = f"/etc/udev/rules.d/{UDEV_RULES}"
    pam = f"/etc/pam.d/{PAM_NAME}"

    def version_dir(self, version: str) -> str:
        """The venv of ``version``."""
        return f"{self.versions}/{version}"
