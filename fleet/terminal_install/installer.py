"""The install and uninstall steps. Each step looks before it acts, so running the
installer again changes nothing that is already right (idempotent), and ``--dry-run``
lists the steps without doing any."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import tomli_w

from fleet.terminal_install import udev, units
from fleet.terminal_install.layout import (
    KIOSK_GROUPS, KIOSK_USER, RTC_SERVICE, RTC_TIMER, SERVICE, TERMINAL_DEBS, Layout,
)
from fleet.terminal_install.system import HostSystem, InstallError
from kiosk import __version__
from kiosk.errors import ConfigError
from kiosk.startconfig import load_startable

WHEEL = re.compile(r"^legal_kiosk-([0-9][0-9A-Za-z.+!-]*?)-py3-none-any\.whl$")


@dataclass
class Options:
    """What ``kiosk-install`` was asked to do."""

    centre: str = ""
    credentials: Path | None = None
    ca: Path | None = None
    wheelhouse: Path | None = None
    site: str | None = None
    idcard: str = "serial:///dev/legal-kiosk-idcard?baudrate=115200"
    printer: str = "file:///dev/legal-kiosk-printer"
    idcard_usb: tuple[tuple[str, str], ...] = ()
    printer_usb: tuple[tuple[str, str], ...] = ()
    reset_config: bool = False
    start: bool = True
    python: str = "python3"
    purge: bool = False


@dataclass
class Step:
    """One thing the installer does; ``run`` returns False when nothing needed doing."""

    text: str
    run: Callable[[], bool]


@dataclass
class Installer:
    """Builds and runs the steps for one machine (or one staged root)."""

    options: Options
    layout: Layout
    system: HostSystem
    out: Callable[[str], None] = print
    version: str = field(default="")

    def __post_init__(self) -> None:
        self.version = self.version or self._version()

    # --- checks before anything changes -----------------------------------------------------

    def _version(self) -> str:
        wh = self.options.wheelhouse
        if wh is None:
            return __version__
        if not wh.is_dir():
            raise InstallError(f"--wheelhouse {wh}: not a directory")
        found = sorted(m.group(1) for p in wh.iterdir() if (m := WHEEL.match(p.name)))
        if not found:
            raise InstallError(f"--wheelhouse {wh}: no legal_kiosk-VERSION-py3-none-any.whl in it (pip wheel . -w DIR)")
        if len(found) > 1:
            raise InstallError(f"--wheelhouse {wh}: several versions of legal-kiosk ({', '.join(found)}); keep one")
        return found[0]

    def credentials(self) -> dict[str, str]:
        """The terminal's credentials file (``kiosk-center terminals add --json``)."""
        path = self.options.credentials
        if path is None:
            raise InstallError("--credentials F.json is required (kiosk-center terminals add ID --json > F.json)")
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise InstallError(f"--credentials {path}: cannot read: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise InstallError(f"--credentials {path}: not JSON ({exc})") from None
        if not isinstance(data, dict) or not all(isinstance(data.get(k), str) and data.get(k) for k in ("username", "password")):
            raise InstallError(f'--credentials {path}: needs "username" and "password" (kiosk-center terminals add ID --json)')
        return {"terminal_id": str(data.get("terminal_id") or data["username"]), "username": data["username"], "password": data["password"]}

    def config_text(self) -> str:
        """The kiosk.toml this install writes."""
        creds = self.credentials()
        doc: dict[str, object] = {"terminal_id": creds["terminal_id"]}
        if self.options.site:
            doc["site_name"] = self.options.site
        doc["devices"] = {"idcard": self.options.idcard, "printer": self.options.printer, "camera": "opencv://0",
                          "mic": "default", "speaker": "espeak:"}
        fleet: dict[str, object] = {"broker": self.options.centre, "credentials_file": "credentials.json"}
        if self.options.ca is not None:
            fleet["ca_file"] = "ca.pem"
        doc["fleet"] = fleet
        head = (f"# Legal Kiosk terminal {creds['terminal_id']} (written by kiosk-install {self.version}).\n"
                "# The centre may push changes; see docs/terminal.md for [schedule].\n")
        return head + tomli_w.dumps(doc)

    def check(self) -> str:
        """Everything that can be checked before changing the machine; the
        configuration text, validated as ``kiosk run`` validates it."""
        if self.options.ca is not None and not self.options.ca.is_file():
            raise InstallError(f"--ca {self.options.ca}: file not found")
        if not self.options.centre:
            raise InstallError("--centre URL is required (the centre's broker, e.g. mqtts://fleet.example.gov.cn:8883)")
        text = self.config_text()
        with tempfile.TemporaryDirectory() as tmp:
            cfg = Path(tmp) / "kiosk.toml"
            cfg.write_text(text, encoding="utf-8")
            try:
                load_startable(cfg, Path(tmp))
            except ConfigError as exc:
                raise InstallError(f"the configuration would not start: {exc.detail.replace(str(cfg), 'kiosk.toml')}") from None
        return text

    # --- install ---------------------------------------------------------------------------------

    def install_steps(self) -> list[Step]:
        """The steps of an install, in order."""
        L, o, s = self.layout, self.options, self.system
        config = self.check()
        vdir = L.version_dir(self.version)
        steps = [
            Step(f"install Debian packages: {' '.join(TERMINAL_DEBS)}", self._debs),
            Step(f"kiosk user {KIOSK_USER} in groups {','.join(KIOSK_GROUPS)}", self._user),
            Step(f"directories {L.versions} (root), {L.etc} and {L.data} (0700, {KIOSK_USER})", self._dirs),
            Step(f"virtualenv {vdir} with legal-kiosk {self.version} from "
                 + (f"the wheelhouse {o.wheelhouse} (no index)" if o.wheelhouse else "PyPI"), lambda: self._venv(vdir)),
            Step(f"{L.current} -> versions/{self.version} (the one before stays as {L.previous})", lambda: self._switch(self.version)),
            Step(f"credentials {L.credentials} (0600)" + (f" and CA {L.ca}" if o.ca else ""), self._credentials),
            Step(f"configuration {L.config} (0600, checked as kiosk run checks it)", lambda: self._config(config)),
            Step(f"systemd units {SERVICE}, {RTC_SERVICE}, {RTC_TIMER} and PAM service {L.pam}", self._units),
            Step(f"udev rules {L.udev}: /dev/legal-kiosk-idcard, /dev/legal-kiosk-printer", self._udev),
            Step(f"enable {SERVICE} and {RTC_TIMER}; mask ctrl-alt-del.target; boot to graphical.target", self._enable),
        ]
        if o.start and not s.staged:
            steps.append(Step(f"(re)start {SERVICE}", lambda: bool(s.run(["systemctl", "restart", SERVICE]) or True)))
        return steps

    def _debs(self) -> bool:
        missing = self.system.missing_debs(TERMINAL_DEBS)
        if self.system.staged:
            self.system.run(["apt-get", "install", "-y", *TERMINAL_DEBS])
            return True
        if not missing:
            return False
        self.system.run(["apt-get", "update", "-qq"])
        self.system.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing])
        return True

    def _user(self) -> bool:
        groups = ",".join(self.system.groups_present(KIOSK_GROUPS))
        if self.system.user_exists(KIOSK_USER):
            self.system.run(["usermod", "--append", "--groups", groups, KIOSK_USER])
            return False
        self.system.run(["useradd", "--system", "--user-group", "--home-dir", self.layout.data, "--no-create-home",
                         "--shell", "/usr/sbin/nologin", "--groups", groups, KIOSK_USER])
        return True

    def _dirs(self) -> bool:
        changed = False
        for path, mode, owner in ((self.layout.versions, 0o755, None), (self.layout.etc, 0o700, KIOSK_USER),
                                  (self.layout.data, 0o700, KIOSK_USER)):
            p = self.layout.at(path)
            if not p.is_dir():
                p.mkdir(parents=True)
                changed = True
            if p.stat().st_mode & 0o777 != mode:
                p.chmod(mode)
                changed = True
            if owner:
                self.system.chown(p, owner)
        return changed

    def _venv(self, vdir: str) -> bool:
        target = self.layout.at(vdir)
        if (target / ".complete").is_file():
            return False
        pip = [f"{vdir}/bin/pip", "install", "--quiet"]
        pip += ["--no-index", "--find-links", str(self.options.wheelhouse)] if self.options.wheelhouse else []
        pip.append(f"legal-kiosk=={self.version}")
        if self.system.staged:
            target.mkdir(parents=True, exist_ok=True)
            self.system.run([self.options.python, "-m", "venv", vdir])
            self.system.run(pip)
            return True
        # The venv's scripts name its own path, so it is built in place; ".complete",
        # written last, tells a finished venv from one cut short (rebuilt from scratch).
        shutil.rmtree(target, ignore_errors=True)
        self.system.run([self.options.python, "-m", "venv", vdir])
        self.system.run(pip)
        self.system.run([f"{vdir}/bin/python", "-m", "compileall", "-q", vdir])
        self.system.run(["chmod", "-R", "go-w", vdir])  # read-only for the kiosk user
        (target / ".complete").write_text(self.version + "\n")
        return True

    def _switch(self, version: str) -> bool:
        """Point ``current`` at ``version``, the old target becoming ``previous``; each
        link is made under a temporary name and renamed over (atomic)."""
        current = self.layout.at(self.layout.current)
        target = f"versions/{version}"
        old = os.readlink(current) if current.is_symlink() else None
        if old == target:
            return False
        if old is not None:
            atomic_symlink(old, self.layout.at(self.layout.previous))
        atomic_symlink(target, current)
        return True

    def _credentials(self) -> bool:
        changed = self._place(json.dumps(self.credentials(), ensure_ascii=False).encode() + b"\n", self.layout.credentials, 0o600, KIOSK_USER)
        if self.options.ca is not None:
            changed |= self._place(self.options.ca.read_bytes(), self.layout.ca, 0o644, None)
        return changed

    def _config(self, text: str) -> bool:
        path = self.layout.at(self.layout.config)
        if path.is_file() and path.read_text(encoding="utf-8") != text and not self.options.reset_config:
            self.out(f"  keeping the existing {self.layout.config} (it differs; --reset-config replaces it)")
            return False
        return self._place(text.encode("utf-8"), self.layout.config, 0o600, KIOSK_USER)

    def _units(self) -> bool:
        changed = False
        for name, text in ((SERVICE, units.kiosk_service(self.layout)), (RTC_SERVICE, units.rtcwake_service(self.layout)),
                           (RTC_TIMER, units.rtcwake_timer())):
            changed |= self._place(text.encode(), f"{self.layout.units}/{name}", 0o644, None)
        changed |= self._place(units.pam_service().encode(), self.layout.pam, 0o644, None)
        if changed:
            self.system.run(["systemctl", "daemon-reload"])
        return changed

    def _udev(self) -> bool:
        text = udev.rules(self.options.idcard_usb, self.options.printer_usb)
        if not self._place(text.encode(), self.layout.udev, 0o644, None):
            return False
        self.system.run(["udevadm", "control", "--reload"])
        self.system.run(["udevadm", "trigger", "--action=add", "--subsystem-match=tty", "--subsystem-match=usbmisc",
                         "--subsystem-match=usb", "--subsystem-match=backlight"])
        return True

    def _systemctl(self, *args: str) -> None:
        if self.system.staged:
            # systemctl --root works on the tree itself: the links are made for real.
            self.system.run(["systemctl", f"--root={self.layout.root}", *args], host_only=False)
        else:
            self.system.run(["systemctl", *args])

    def _enable(self) -> bool:
        wants = self.layout.at(f"{self.layout.units}/graphical.target.wants/{SERVICE}")
        masked = self.layout.at(f"{self.layout.units}/ctrl-alt-del.target")
        before = wants.is_symlink() and masked.is_symlink()
        self._systemctl("enable", SERVICE, RTC_TIMER)
        self._systemctl("mask", "ctrl-alt-del.target")
        if not self.system.staged:
            self.system.run(["systemctl", "set-default", "graphical.target"])
        return not before

    def _place(self, data: bytes, path: str, mode: int, owner: str | None) -> bool:
        """Write ``data`` at ``path`` (atomically, ``mode``) unless it is there already."""
        p = self.layout.at(path)
        if p.is_file() and p.read_bytes() == data and p.stat().st_mode & 0o777 == mode:
            return False
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, mode)
            os.replace(tmp, p)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if owner:
            self.system.chown(p, owner)  # root's (0600) until then: never readable by others
        return True

    # --- uninstall -------------------------------------------------------------------------------

    def uninstall_steps(self) -> list[Step]:
        """The steps of an uninstall (data and configuration stay unless ``purge``)."""
        L = self.layout
        steps = [
            Step(f"disable and stop {SERVICE} and {RTC_TIMER}; unmask ctrl-alt-del.target", self._disable),
            Step(f"remove the units, {L.pam} and {L.udev}", self._remove_files),
            Step(f"remove {L.opt} (every installed version)", lambda: _rmtree(L.at(L.opt))),
        ]
        if self.options.purge:
            steps += [
                Step(f"remove {L.etc} (configuration, credentials) and {L.data} (tickets, outbox, logs)",
                     lambda: _rmtree(L.at(L.etc)) | _rmtree(L.at(L.data))),
                Step(f"remove the user {KIOSK_USER}", self._userdel),
            ]
        return steps

    def _disable(self) -> bool:
        if not self.layout.at(f"{self.layout.units}/{SERVICE}").exists():
            return False
        if self.system.staged:
            self._systemctl("disable", SERVICE, RTC_TIMER)
        else:
            self.system.run(["systemctl", "disable", "--now", SERVICE, RTC_TIMER])
        self._systemctl("unmask", "ctrl-alt-del.target")
        return True

    def _remove_files(self) -> bool:
        L = self.layout
        changed = False
        for path in (f"{L.units}/{SERVICE}", f"{L.units}/{RTC_SERVICE}", f"{L.units}/{RTC_TIMER}", L.pam, L.udev):
            p = L.at(path)
            if p.exists():
                p.unlink()
                changed = True
        if changed:
            self.system.run(["systemctl", "daemon-reload"])
            self.system.run(["udevadm", "control", "--reload"])
        return changed

    def _userdel(self) -> bool:
        if not self.system.staged and not self.system.user_exists(KIOSK_USER):
            return False
        self.system.run(["userdel", KIOSK_USER])
        return True

    # --- running ---------------------------------------------------------------------------------

    def run(self, steps: list[Step], dry_run: bool) -> None:
        """Do the steps (or, ``dry_run``, say them), one line each."""
        for step in steps:
            if dry_run:
                self.out(f"would: {step.text}")
                continue
            changed = step.run()
            self.out(f"{'done' if changed else 'ok  '}: {step.text}")


def atomic_symlink(target: str, link: Path) -> None:
    """Make ``link`` point at ``target`` in one rename: a reader sees the old link or the
    new one, never none."""
    tmp = link.with_name(f".{link.name}.new")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, link)


def _rmtree(path: Path) -> bool:
    if not path.exists() and not path.is_symlink():
        return False
    shutil.rmtree(path)
    return True
