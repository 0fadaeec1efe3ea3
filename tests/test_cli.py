"""The ``kiosk`` command line, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support import PYTHON, kiosk_env


def kiosk(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "kiosk.cli", *args], env=kiosk_env(data_dir), capture_output=True, text=True, timeout=120)


def test_version_and_catalogue(data_dir: Path) -> None:
    assert kiosk(data_dir, "--version").stdout.startswith("kiosk ")
    services = json.loads(kiosk(data_dir, "catalog", "list", "--json").stdout)
    assert [s["code"] for s in services][:2] == ["consultation", "legal_aid"]
    assert services[1]["name"]["zh_CN"] == "法律援助" and services[1]["materials"]


def test_take_call_status(data_dir: Path) -> None:
    first = json.loads(kiosk(data_dir, "queue", "take", "legal_aid", "--json").stdout)
    assert first == first | {"number": "B001", "service": "legal_aid", "priority": "normal", "ahead": 0, "eta_minutes": 0}
    elder = json.loads(kiosk(data_dir, "queue", "take", "legal_aid", "--priority", "elderly", "--json").stdout)
    assert (elder["number"], elder["ahead"]) == ("B002", 0)
    normal = json.loads(kiosk(data_dir, "queue", "take", "legal_aid", "--json").stdout)
    assert normal["ahead"] == 2 and normal["eta_minutes"] == 50
    called = json.loads(kiosk(data_dir, "queue", "call", "--window", "3", "--json").stdout)
    assert (called["number"], called["window"], called["state"]) == ("B002", 3, "called")
    status = json.loads(kiosk(data_dir, "queue", "status", "--json").stdout)
    assert [(t["number"], t["state"]) for t in status] == [("B001", "waiting"), ("B002", "called"), ("B003", "waiting")]
    assert kiosk(data_dir, "queue", "done", "--window", "3").returncode == 0
    assert kiosk(data_dir, "queue", "done", "--window", "3").returncode == 1  # nothing served now


def test_data_dir_given_before_the_command_is_kept(tmp_path: Path) -> None:
    other = tmp_path / "other"
    proc = subprocess.run(
        [PYTHON, "-m", "kiosk.cli", "--data-dir", str(other), "queue", "take", "mediation"],
        env=kiosk_env(tmp_path / "env"),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0
    assert (other / "kiosk.sqlite3").is_file() and not (tmp_path / "env").exists()


def test_errors_are_plain(data_dir: Path, tmp_path: Path) -> None:
    bad = kiosk(data_dir, "queue", "take", "divorce")
    assert bad.returncode == 1 and "unknown service 'divorce'" in bad.stderr and "Traceback" not in bad.stderr
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[devices]\nprinterr = "sim:"\n', encoding="utf-8")
    bad = kiosk(data_dir, "--config", str(cfg), "queue", "status")
    assert bad.returncode == 1 and "devices.printerr: unknown key" in bad.stderr


def test_doctor_with_simulated_devices(data_dir: Path) -> None:
    proc = kiosk(data_dir, "doctor", "--simulate", "--json")
    rows = {r["check"]: r for r in json.loads(proc.stdout)}
    assert rows["CJK font"]["status"] == "ok"
    for kind in ("idcard", "printer", "camera", "mic", "speaker"):
        assert rows[f"device {kind}"]["status"] == "ok", rows[f"device {kind}"]
    # No speech model in a fresh data dir: with a microphone, voice mode would hear
    # nothing, so the terminal is not fit and the exit code says so.
    assert rows["speech model"]["status"] == "FAIL" and "本机暂不能听懂说话" in rows["speech model"]["detail"]
    assert proc.returncode == 1 and [r for r in rows.values() if r["status"] == "FAIL"] == [rows["speech model"]]


def test_doctor_fails_on_a_missing_reader(data_dir: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "k.toml"
    cfg.write_text('[devices]\nidcard = "serial:///dev/ttyNOSUCH0"\n', encoding="utf-8")
    proc = kiosk(data_dir, "--config", str(cfg), "doctor")
    assert proc.returncode == 1
    line = next(x for x in proc.stdout.splitlines() if x.startswith("device idcard"))
    assert "FAIL" in line and "/dev/ttyNOSUCH0" in line


def test_each_command_loads_only_its_own_module() -> None:
    """The table of commands is what the modules register; a named command imports its
    module alone (``kiosk run`` does not pay for the law library or receipt rendering),
    and every command still parses and answers ``--help``."""
    import argparse
    import importlib

    from kiosk.cli import COMMANDS, build_parser, command_of, common_parser

    for module in dict.fromkeys(COMMANDS.values()):
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        importlib.import_module(module).register(sub, common_parser())
        assert {name for name, mod in COMMANDS.items() if mod == module} == set(sub.choices), module
    assert command_of(["--data-dir", "run", "--config", "f.toml", "queue", "take"]) == "queue"
    assert command_of(["--data-dir=/d", "run", "--simulate"]) == "run"
    assert command_of(["--version"]) is None
    probe = (
        "import sys; from kiosk.cli import build_parser;"
        "build_parser(sys.argv[1:]).parse_args(sys.argv[1:]);"
        "print(' '.join(m for m in ('kiosk.cli.printing', 'kiosk.cli.law', 'kiosk.receipt', 'kiosk.cli.run') if m in sys.modules))"
    )
    out = subprocess.run([PYTHON, "-c", probe, "--data-dir", "/nonexistent", "run", "--simulate"], env=kiosk_env(),
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["kiosk.cli.run"], out.stderr[-800:]
    full = build_parser(None)
    commands = next(a for a in full._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert set(commands) == set(COMMANDS)
    helped = subprocess.run([PYTHON, "-m", "kiosk.cli", "--help"], env=kiosk_env(), capture_output=True, text=True, timeout=120)
    assert all(name in helped.stdout for name in COMMANDS)
    typo = subprocess.run([PYTHON, "-m", "kiosk.cli", "rnu"], env=kiosk_env(), capture_output=True, text=True, timeout=120)
    assert typo.returncode == 2 and "invalid choice" in typo.stderr and "Traceback" not in typo.stderr
