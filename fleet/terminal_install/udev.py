"""udev rules: stable device names for the ID card reader and the receipt printer, and
the kiosk user's access to them (and to the backlight).

A driver then opens ``/dev/legal-kiosk-idcard`` and ``/dev/legal-kiosk-printer`` whatever
USB port the device is in and whichever ttyUSB number it got. Readers are matched by the
USB-serial chip they are built on, printers by the USB printer class. To add a device:
``kiosk-install --idcard-usb VID:PID`` / ``--printer-usb VID:PID`` (``lsusb`` shows the
ids), or an extra rule in /etc/udev/rules.d (docs/terminal.md).
"""

from __future__ import annotations

import re

# USB-serial chips the common second-generation ID card readers are built on
# (reference/devices.md: "RS-232 or USB-serial (CH340/PL2303/CP210x)").
IDCARD_SERIAL_CHIPS: tuple[tuple[str, str, str], ...] = (
    ("1a86", "7523", "WCH CH340"),
    ("067b", "2303", "Prolific PL2303"),
    ("10c4", "ea60", "Silicon Labs CP210x"),
    ("0403", "6001", "FTDI FT232R"),
)

USB_ID = re.compile(r"^([0-9a-fA-F]{4}):([0-9a-fA-F]{4})$")


def parse_usb_id(text: str) -> tuple[str, str]:
    """``"1a86:7523"`` → ("1a86", "7523"); ValueError otherwise."""
    m = USB_ID.match(text.strip())
    if not m:
        raise ValueError(f"not a USB id: {text!r} (VID:PID in hex, e.g. 1a86:7523, as lsusb shows)")
    return m.group(1).lower(), m.group(2).lower()


def rules(idcard_extra: tuple[tuple[str, str], ...] = (), printer_serial: tuple[tuple[str, str], ...] = ()) -> str:
    """The rules file's text."""
    lines = [
        "# Legal Kiosk: stable names and access for the terminal's devices (written by kiosk-install).",
        "# Add a device: kiosk-install --idcard-usb VID:PID or --printer-usb VID:PID (see docs/terminal.md).",
        "",
        "# ID card reader on a USB-serial chip -> /dev/legal-kiosk-idcard (group dialout)",
    ]
    serial_printers = {(v, p) for v, p in printer_serial}
    for vid, pid, name in IDCARD_SERIAL_CHIPS:
        if (vid, pid) in serial_printers:
            continue  # this site's printer uses that chip: the name goes to the printer
        lines.append(f'SUBSYSTEM=="tty", ATTRS{{idVendor}}=="{vid}", ATTRS{{idProduct}}=="{pid}", '
                     f'SYMLINK+="legal-kiosk-idcard", GROUP="dialout", MODE="0660"  # {name}')
    for vid, pid in idcard_extra:
        lines.append(f'SUBSYSTEM=="tty", ATTRS{{idVendor}}=="{vid}", ATTRS{{idProduct}}=="{pid}", '
                     f'SYMLINK+="legal-kiosk-idcard", GROUP="dialout", MODE="0660"  # added at install')
    lines += [
        "",
        "# Receipt printer of the USB printer class (usblp) -> /dev/legal-kiosk-printer (group lp)",
        'SUBSYSTEM=="usbmisc", KERNEL=="lp[0-9]*", SYMLINK+="legal-kiosk-printer", GROUP="lp", MODE="0660"',
    ]
    for vid, pid in printer_serial:
        # A printer behind a USB-serial chip gets the name; one spoken to as
        # escpos+usb://VID:PID needs its raw USB device node (libusb).
        lines.append(f'SUBSYSTEM=="tty", ATTRS{{idVendor}}=="{vid}", ATTRS{{idProduct}}=="{pid}", '
                     f'SYMLINK+="legal-kiosk-printer", GROUP="lp", MODE="0660"  # printer added at install')
        lines.append(f'SUBSYSTEM=="usb", ENV{{DEVTYPE}}=="usb_device", ATTR{{idVendor}}=="{vid}", ATTR{{idProduct}}=="{pid}", '
                     f'GROUP="lp", MODE="0660"  # printer added at install (escpos+usb)')
    lines += [
        "",
        "# The backlight: the kiosk switches it off outside opening hours ([schedule] in kiosk.toml)",
        'SUBSYSTEM=="backlight", ACTION=="add", RUN+="/bin/chgrp video /sys%p/bl_power /sys%p/brightness", '
        'RUN+="/bin/chmod g+w /sys%p/bl_power /sys%p/brightness"',
        "",
    ]
    return "\n".join(lines)
