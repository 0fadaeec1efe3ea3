"""The systemd units and the PAM service of the kiosk session.

``legal-kiosk.service`` runs cage (the one-app Wayland compositor) on tty1 as the kiosk
user; cage runs the app under Xwayland. The unit is ``Type=notify`` with a watchdog:
the app says READY=1 when the attract screen is up and WATCHDOG=1 from its UI thread.
``NotifyAccess=all`` rather than ``main``: the unit's main process is cage, and the app
that notifies is its child (systemd would drop a child's messages under ``main``); the
service's cgroup holds only cage, Xwayland and the app.
"""

from __future__ import annotations

from fleet.terminal_install.layout import KIOSK_USER, PAM_NAME, RTC_SERVICE, Layout

WATCHDOG_SEC = 60  # the app pings every 30 s from its UI clock
# The screen is dark from the app's end until its next first frame: systemd waits this
# long before starting it again. One second keeps a crashed kiosk dark briefly; a start
# that keeps failing still reaches the reboot below (five starts, however quick).
RESTART_SEC = 1
START_TIMEOUT_SEC = 180  # the first start on a slow terminal (speech model, fonts)
# Five failed starts within ten minutes: something is wrong that a restart of the app
# does not cure (a wedged GPU, a stuck device) — reboot the machine.
START_LIMIT_BURST = 5
START_LIMIT_INTERVAL_SEC = 600


def kiosk_service(layout: Layout) -> str:
    """``legal-kiosk.service``."""
    kiosk = f"{layout.current}/bin/kiosk"
    common = f"--config {layout.config} --data-dir {layout.data}"
    return f"""# Legal Kiosk: the touch-screen app in a one-app session on tty1 (written by kiosk-install).
[Unit]
Description=Legal Kiosk terminal (cage on tty1)
Documentation=file://{layout.current}/share/doc/legal-kiosk/terminal.md
After=systemd-user-sessions.service plymouth-quit-wait.service network-online.target
Wants=network-online.target
# tty1 belongs to the kiosk, not to a login prompt.
Conflicts=getty@tty1.service
After=getty@tty1.service
StartLimitIntervalSec={START_LIMIT_INTERVAL_SEC}
StartLimitBurst={START_LIMIT_BURST}
StartLimitAction=reboot

[Service]
Type=notify
NotifyAccess=all
WatchdogSec={WATCHDOG_SEC}
TimeoutStartSec={START_TIMEOUT_SEC}
Restart=always
RestartSec={RESTART_SEC}
User={KIOSK_USER}
PAMName={PAM_NAME}
TTYPath=/dev/tty1
TTYReset=yes
TTYVHangup=yes
TTYVTDisallocate=yes
StandardInput=tty-fail
StandardOutput=journal
StandardError=journal
UtmpIdentifier=tty1
UtmpMode=user
WorkingDirectory={layout.data}
Environment=XDG_SESSION_TYPE=wayland
# Kivy's SDL2 has no Wayland backend: it is an X11 client of cage's Xwayland.
Environment=SDL_VIDEODRIVER=x11
Environment=KIOSK_DATA_DIR={layout.data}
# cage: -d no client-side decorations. No -s: VT switching (Ctrl+Alt+Fn) stays off.
ExecStart=/usr/bin/cage -d -- {kiosk} {common} run --kiosk
# Why it stopped (watchdog, exit code, signal) for the next start's restart report.
ExecStopPost={kiosk} {common} session stopped

[Install]
WantedBy=graphical.target
"""


def rtcwake_service(layout: Layout) -> str:
    """``legal-kiosk-rtcwake.service``: arm the RTC for ``[schedule] power_on`` (root)."""
    return f"""# Legal Kiosk: power the machine on at [schedule] power_on (written by kiosk-install).
[Unit]
Description=Legal Kiosk power-on alarm (RTC)
ConditionPathExists=/sys/class/rtc/rtc0/wakealarm

[Service]
Type=oneshot
ExecStart={layout.current}/bin/kiosk --config {layout.config} --data-dir {layout.data} session rtc-alarm
"""


def rtcwake_timer() -> str:
    """``legal-kiosk-rtcwake.timer``: at boot and every evening (a pushed configuration
    may have changed the time)."""
    return f"""# Legal Kiosk: keep the power-on alarm armed (written by kiosk-install).
[Unit]
Description=Arm the Legal Kiosk power-on alarm at boot and every evening

[Timer]
OnBootSec=2min
OnCalendar=*-*-* 20:00:00
Persistent=true
Unit={RTC_SERVICE}

[Install]
WantedBy=timers.target
"""


def pam_service() -> str:
    """``/etc/pam.d/legal-kiosk``: a logind session on the seat, so cage may open the
    screen and the input devices without root."""
    return """# Legal Kiosk session (written by kiosk-install).
auth     required pam_unix.so nodelay
account  required pam_unix.so
session  required pam_unix.so
session  required pam_systemd.so
"""
