"""``kiosk-install --root DIR``: the file tree a terminal gets, checked file by file
(systemd's own verifier on the units), re-runs that change nothing, a new version
switched atomically, uninstall, and errors without tracebacks."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

from kiosk.startconfig import load_startable
from tests.support import PYTHON, ROOT, kiosk_env

CENTRE = "mqtts://fleet.example.gov.cn:8883"


def install(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    res = subprocess.run([PYTHON, "-m", "fleet.terminal_install", *args], env=kiosk_env(), cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert "Traceback" not in res.stderr, res.stderr
    if check:
        assert res.returncode == 0, res.stderr
    return res


@pytest.fixture
def given(tmp_path: Path) -> dict[str, Path]:
    creds = tmp_path / "HS-XL-0042.json"
    creds.write_text(json.dumps({"terminal_id": "HS-XL-0042", "username": "HS-XL-0042", "password": "s3cret-pw"}))
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    return {"creds": creds, "ca": ca, "root": tmp_path / "root"}


def base(g: dict[str, Path], *more: str) -> list[str]:
    return ["--centre", CENTRE, "--credentials", str(g["creds"]), "--ca", str(g["ca"]), "--root", str(g["root"]),
            "--site", "下陆区团城山街道工作站", *more]


def tree(root: Path) -> dict[str, tuple[str, int, str]]:
    """Every path under root: kind, mode, content or link target."""
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        if p.is_symlink():
            out[str(p.relative_to(root))] = ("link", 0, os.readlink(p))
        elif p.is_dir():
            out[str(p.relative_to(root))] = ("dir", stat.S_IMODE(st.st_mode), "")
        else:
            out[str(p.relative_to(root))] = ("file", stat.S_IMODE(st.st_mode), p.read_text())
    return out


def test_dry_run_lists_the_steps_and_changes_nothing(given):
    res = install(*base(given), "--dry-run")
    assert not given["root"].exists()
    for what in ("cage", "legal-kiosk.service", "70-legal-kiosk.rules", "/opt/legal-kiosk/current -> versions/0.1.0",
                 "mask ctrl-alt-del.target", "/etc/legal-kiosk/kiosk.toml"):
        assert what in res.stdout
    assert all(line.startswith(("would:", "kiosk-install:")) for line in res.stdout.splitlines())


def test_install_into_a_root_makes_the_terminals_file_tree(given):
    res = install(*base(given))
    root = given["root"]
    etc, data, opt = root / "etc/legal-kiosk", root / "var/lib/legal-kiosk", root / "opt/legal-kiosk"
    assert stat.S_IMODE(etc.stat().st_mode) == 0o700 and stat.S_IMODE(data.stat().st_mode) == 0o700
    assert os.readlink(opt / "current") == "versions/0.1.0" and (opt / "versions/0.1.0").is_dir()
    # The configuration starts exactly as `kiosk run` would check it.
    for f in ("kiosk.toml", "credentials.json"):
        assert stat.S_IMODE((etc / f).stat().st_mode) == 0o600
    cfg = load_startable(etc / "kiosk.toml", data)
    assert (cfg.terminal_id, cfg.site_name, cfg.fleet.broker) == ("HS-XL-0042", "下陆区团城山街道工作站", CENTRE)
    assert cfg.fleet.credentials_file == etc / "credentials.json" and cfg.fleet.ca_file == etc / "ca.pem"
    assert cfg.devices.idcard == "serial:///dev/legal-kiosk-idcard?baudrate=115200"
    assert json.loads((etc / "credentials.json").read_text())["password"] == "s3cret-pw"
    assert "s3cret-pw" not in res.stdout + res.stderr
    # The kiosk session: cage without VT switching, the app locked down, watchdog, reboot on repeated failure.
    unit = (root / "etc/systemd/system/legal-kiosk.service").read_text()
    exec_start = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1)
    assert exec_start.startswith("/usr/bin/cage -d -- /opt/legal-kiosk/current/bin/kiosk ")
    assert " -s " not in exec_start and exec_start.endswith("run --kiosk")
    for line in ("Type=notify", "WatchdogSec=60", "NotifyAccess=all", "StartLimitAction=reboot", "StartLimitBurst=5",
                 "User=legal-kiosk", "TTYPath=/dev/tty1", "Environment=SDL_VIDEODRIVER=x11", "Restart=always",
                 "ExecStopPost=/opt/legal-kiosk/current/bin/kiosk --config /etc/legal-kiosk/kiosk.toml --data-dir /var/lib/legal-kiosk session stopped"):
        assert line in unit.splitlines()
    # Enabled and masked for real (systemctl --root).
    units = root / "etc/systemd/system"
    assert (units / "graphical.target.wants/legal-kiosk.service").is_symlink()
    assert (units / "timers.target.wants/legal-kiosk-rtcwake.timer").is_symlink()
    assert os.readlink(units / "ctrl-alt-del.target") == "/dev/null"
    rules = (root / "etc/udev/rules.d/70-legal-kiosk.rules").read_text()
    assert 'ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", SYMLINK+="legal-kiosk-idcard", GROUP="dialout"' in rules
    assert 'KERNEL=="lp[0-9]*", SYMLINK+="legal-kiosk-printer", GROUP="lp"' in rules
    assert "pam_systemd.so" in (root / "etc/pam.d/legal-kiosk").read_text()
    # What only a real machine gets is listed.
    assert "useradd --system" in res.stdout and "--groups dialout,lp,video,audio,input,render legal-kiosk" in res.stdout


def test_units_pass_systemd_analyze_verify(given):
    install(*base(given))
    units = given["root"] / "etc/systemd/system"
    files = [units / n for n in ("legal-kiosk.service", "legal-kiosk-rtcwake.service", "legal-kiosk-rtcwake.timer")]
    res = subprocess.run(["systemd-analyze", "verify", *map(str, files)], capture_output=True, text=True, timeout=60)
    # This machine has neither cage nor an installed venv: those two, and nothing else.
    absent = re.compile(r"^[\w.-]+: Command (/usr/bin/cage|/opt/legal-kiosk/current/bin/kiosk) is not executable: No such file or directory$")
    complaints = [line for line in (res.stdout + res.stderr).splitlines() if line.strip() and not absent.match(line)]
    assert complaints == []


def test_verify_would_catch_a_broken_unit(given, tmp_path):
    install(*base(given))
    bad = tmp_path / "legal-kiosk.service"
    bad.write_text((given["root"] / "etc/systemd/system/legal-kiosk.service").read_text().replace("WatchdogSec=", "WatchdogSecs="))
    res = subprocess.run(["systemd-analyze", "verify", str(bad)], capture_output=True, text=True, timeout=60)
    assert "Unknown key 'WatchdogSecs'" in res.stdout + res.stderr


def test_running_it_again_changes_nothing(given):
    install(*base(given))
    before = tree(given["root"])
    res = install(*base(given))
    assert tree(given["root"]) == before
    for what in ("configuration", "systemd units", "udev rules", "current ->", "enable legal-kiosk.service"):
        assert any(line.startswith("ok  :") and what in line for line in res.stdout.splitlines()), what


def test_a_new_version_becomes_current_and_the_old_one_previous(given, tmp_path):
    install(*base(given))
    wh = tmp_path / "wheelhouse"
    wh.mkdir()
    (wh / "legal_kiosk-0.2.0-py3-none-any.whl").write_bytes(b"")
    res = install(*base(given, "--wheelhouse", str(wh)))
    opt = given["root"] / "opt/legal-kiosk"
    assert os.readlink(opt / "current") == "versions/0.2.0" and os.readlink(opt / "previous") == "versions/0.1.0"
    assert f"pip install --quiet --no-index --find-links {wh} legal-kiosk==0.2.0" in res.stdout
    assert not list(opt.glob(".*.new"))


def test_a_changed_configuration_is_kept_unless_reset(given):
    install(*base(given))
    cfg = given["root"] / "etc/legal-kiosk/kiosk.toml"
    cfg.write_text(cfg.read_text() + '\n[calling]\nnotice = "pushed by the centre"\n')
    res = install(*base(given))
    assert "pushed by the centre" in cfg.read_text() and "keeping the existing" in res.stdout
    install(*base(given, "--reset-config"))
    assert "pushed by the centre" not in cfg.read_text()


def test_a_printer_on_a_reader_chip_takes_that_chip(given):
    install(*base(given, "--printer-usb", "1A86:7523", "--idcard-usb", "0c45:1234"))
    rules = (given["root"] / "etc/udev/rules.d/70-legal-kiosk.rules").read_text()
    assert 'ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", SYMLINK+="legal-kiosk-printer"' in rules
    assert 'ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", SYMLINK+="legal-kiosk-idcard"' not in rules
    assert 'ATTRS{idVendor}=="0c45", ATTRS{idProduct}=="1234", SYMLINK+="legal-kiosk-idcard"' in rules


def test_uninstall_keeps_data_and_purge_removes_it(given):
    install(*base(given))
    root = given["root"]
    (root / "var/lib/legal-kiosk/kiosk.sqlite3").write_text("tickets")
    install("--uninstall", "--root", str(root))
    units = root / "etc/systemd/system"
    assert not (root / "opt/legal-kiosk").exists() and not (units / "legal-kiosk.service").exists()
    assert not (units / "graphical.target.wants/legal-kiosk.service").exists()
    assert not (units / "ctrl-alt-del.target").exists()  # unmasked
    assert not (root / "etc/udev/rules.d/70-legal-kiosk.rules").exists() and not (root / "etc/pam.d/legal-kiosk").exists()
    assert (root / "var/lib/legal-kiosk/kiosk.sqlite3").read_text() == "tickets"
    assert (root / "etc/legal-kiosk/kiosk.toml").is_file()
    install("--uninstall", "--root", str(root))  # again: nothing left to do, no error
    install("--uninstall", "--purge", "--root", str(root))
    assert not (root / "var/lib/legal-kiosk").exists() and not (root / "etc/legal-kiosk").exists()


@pytest.mark.parametrize("change, message", [
    (lambda g: g["creds"].write_text("{not json"), "not JSON"),
    (lambda g: g["creds"].write_text('{"username": "X"}'), 'needs "username" and "password"'),
    (lambda g: g["ca"].unlink(), "--ca"),
])
def test_bad_input_is_a_clear_error(given, change, message):
    change(given)
    res = install(*base(given), check=False)
    assert res.returncode == 1 and message in res.stderr
    assert not given["root"].exists(), "nothing is changed before the checks pass"


def test_a_centre_that_is_not_a_broker_url_is_refused_before_anything_changes(given):
    args = base(given)
    args[args.index(CENTRE)] = "https://fleet.example.gov.cn"
    res = install(*args, check=False)
    assert res.returncode == 1 and "would not start" in res.stderr and "broker" in res.stderr
    assert not given["root"].exists()


def test_this_machine_needs_root(given):
    if os.geteuid() == 0:
        pytest.skip("running as root: it would install onto this machine")
    res = install("--centre", CENTRE, "--credentials", str(given["creds"]), check=False)
    assert res.returncode == 2 and "run as root" in res.stderr
