"""``kiosk-install``: the command line (docs/terminal.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fleet.terminal_install.installer import Installer, Options
from fleet.terminal_install.layout import Layout
from fleet.terminal_install.system import HostSystem, InstallError, StagedSystem, is_root
from fleet.terminal_install.udev import parse_usb_id


def _usb_id(text: str) -> tuple[str, str]:
    try:
        return parse_usb_id(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser."""
    p = argparse.ArgumentParser(
        prog="kiosk-install",
        description="Make this Debian 12 machine a Legal Kiosk terminal (or undo it with --uninstall).",
    )
    p.add_argument("--centre", metavar="URL", help="the centre's broker: mqtts://fleet.example.gov.cn:8883")
    p.add_argument("--credentials", type=Path, metavar="F.json", help="this terminal's credentials (kiosk-center terminals add ID --json)")
    p.add_argument("--ca", type=Path, metavar="F.pem", help="the centre's CA certificate (kiosk-center tls init)")
    p.add_argument("--wheelhouse", type=Path, metavar="DIR", help="install from these wheels only, never an index")
    p.add_argument("--site", metavar="NAME", help="the site's name shown on the screen (site_name)")
    p.add_argument("--idcard", metavar="URL", default=Options.idcard, help=f"ID card reader URL (default {Options.idcard})")
    p.add_argument("--printer", metavar="URL", default=Options.printer, help=f"receipt printer URL (default {Options.printer})")
    p.add_argument("--idcard-usb", type=_usb_id, action="append", default=[], metavar="VID:PID",
                   help="another ID card reader for /dev/legal-kiosk-idcard (repeatable)")
    p.add_argument("--printer-usb", type=_usb_id, action="append", default=[], metavar="VID:PID",
                   help="a serial or escpos+usb printer for /dev/legal-kiosk-printer (repeatable)")
    p.add_argument("--reset-config", action="store_true", help="replace an existing kiosk.toml that differs")
    p.add_argument("--no-start", action="store_true", help="enable the kiosk but do not start it now")
    p.add_argument("--python", default="python3", help="the interpreter for the virtualenv (default python3)")
    p.add_argument("--root", type=Path, default=Path("/"), metavar="DIR",
                   help="install into DIR instead of this machine (users, packages and udev are listed, not changed)")
    p.add_argument("--dry-run", action="store_true", help="print what would be done, do nothing")
    p.add_argument("--uninstall", action="store_true", help="remove the kiosk (configuration and data stay)")
    p.add_argument("--purge", action="store_true", help="with --uninstall: also remove configuration, data and the user")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kiosk-install`` console script."""
    args = build_parser().parse_args(argv)
    if args.purge and not args.uninstall:
        print("kiosk-install: --purge goes with --uninstall", file=sys.stderr)
        return 2
    layout = Layout(args.root.resolve())
    if not layout.staged and not is_root() and not args.dry_run:
        print("kiosk-install: run as root (sudo kiosk-install …), or --root DIR to install into a directory", file=sys.stderr)
        return 2
    system = StagedSystem(layout.root) if layout.staged else HostSystem()
    opts = Options(
        centre=args.centre or "", credentials=args.credentials, ca=args.ca, wheelhouse=args.wheelhouse, site=args.site,
        idcard=args.idcard, printer=args.printer, idcard_usb=tuple(args.idcard_usb), printer_usb=tuple(args.printer_usb),
        reset_config=args.reset_config, start=not args.no_start, python=args.python, purge=args.purge,
    )
    try:
        inst = Installer(opts, layout, system)
        steps = inst.uninstall_steps() if args.uninstall else inst.install_steps()
        where = f" into {layout.root}" if layout.staged else ""
        print(f"kiosk-install: {'uninstalling' if args.uninstall else f'installing legal-kiosk {inst.version}'}{where}")
        inst.run(steps, args.dry_run)
    except InstallError as exc:
        print(f"kiosk-install: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"kiosk-install: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    if system.staged and system.log:
        print("on the terminal itself this would also run:")
        for line in system.log:
            if line.startswith("(not on a staged root) "):
                print("  " + line.removeprefix("(not on a staged root) "))
    if not args.dry_run and not args.uninstall and not system.staged:
        print("kiosk-install: done. The kiosk runs on tty1; `journalctl -u legal-kiosk` shows its log.")
    return 0
