"""systemd's notification protocol (``sd_notify``): one datagram per message to the
socket named by ``$NOTIFY_SOCKET``.

The kiosk unit is ``Type=notify`` with ``WatchdogSec=``: the app says ``READY=1`` once
the attract screen is up and ``WATCHDOG=1`` from the UI thread's clock, so a frozen UI
(not only a dead process) gets restarted. Without ``$NOTIFY_SOCKET`` (a developer's
``kiosk run``) every call is a no-op. Standard library only: the protocol is a few lines.
"""

from __future__ import annotations

import os
import socket

NOTIFY_SOCKET_ENV = "NOTIFY_SOCKET"
WATCHDOG_USEC_ENV = "WATCHDOG_USEC"


def notify(message: str, environ: dict[str, str] | None = None) -> bool:
    """Send ``message`` (e.g. ``"READY=1"``, ``"WATCHDOG=1\\nSTATUS=…"``); True when sent.
    Never raises: a lost notification must not take the kiosk down with it."""
    env = os.environ if environ is None else environ
    address = env.get(NOTIFY_SOCKET_ENV, "")
    if not address or address[0] not in "/@":
        return False
    # A leading "@" names a socket in the abstract namespace (a NUL byte in the address).
    target = "\0" + address[1:] if address[0] == "@" else address
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(target)
            sock.sendall(message.encode("utf-8"))
    except OSError:
        return False
    return True


def watchdog_interval_s(environ: dict[str, str] | None = None) -> float | None:
    """How often to send ``WATCHDOG=1``: half of ``$WATCHDOG_USEC`` (systemd's advice),
    or None when the service has no watchdog.

    ``$WATCHDOG_PID`` is not compared with our pid on purpose: under cage the unit's main
    process is the compositor and the app is its child (the unit says NotifyAccess=all).
    """
    env = os.environ if environ is None else environ
    try:
        usec = int(env.get(WATCHDOG_USEC_ENV, ""))
    except ValueError:
        return None
    return usec / 2e6 if usec > 0 else None
