"""Data at rest is private: real commands, started with a permissive umask (0o022),
leave no file group/other-readable and no directory group/other-accessible — on the
terminal and at the centre. And ``kiosk doctor`` refuses a default or missing PIN
where it protects something."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from tests.support import PYTHON, ROOT, kiosk_env, stop_process, wait_for_screen


def _permissive() -> None:
    os.umask(0o022)  # what a service manager or a login shell commonly gives


def run(args: list[str], env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, env=env, input=stdin, capture_output=True, text=True, timeout=120, preexec_fn=_permissive)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def open_to_others(root: Path) -> list[str]:
    """Every path under ``root`` (itself included) that group or other can use."""
    found = []
    for path in [root, *root.rglob("*")]:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            continue
        if st.st_mode & 0o077:
            found.append(f"{path.relative_to(root.parent)} {stat.filemode(st.st_mode)}")
    return found


def test_terminal_data_is_private(tmp_path: Path) -> None:
    data = tmp_path / "kiosk"
    env = kiosk_env(data)
    # What a technician wrote by hand, and an older version's log dir: world-readable.
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    (data / "kiosk.toml").write_text('[technician]\npin = "7391"\n', encoding="utf-8")
    os.chmod(data / "kiosk.toml", 0o644)
    (data / "logs").mkdir()
    os.chmod(data / "logs", 0o755)
    for _ in range(2):
        assert run([PYTHON, "-m", "kiosk.cli", "queue", "take", "consultation"], env).returncode == 0
    assert run([PYTHON, "-m", "kiosk.cli", "queue", "call"], env).returncode == 0
    doctor = run([PYTHON, "-m", "kiosk.cli", "doctor", "--simulate"], env)
    # It ran to the end (the missing speech model is the one fault it may report here).
    assert doctor.returncode in (0, 1) and "Traceback" not in doctor.stderr and "device speaker" in doctor.stdout
    app = subprocess.Popen(
        [PYTHON, "-m", "kiosk.cli", "run", "--simulate"], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_permissive,
    )
    try:
        wait_for_screen(data, app)
    finally:
        stop_process(app)
    names = {p.name for p in data.rglob("*")}
    assert {"kiosk.sqlite3", "kiosk.log", "screen.png", "kiosk.toml"} <= names
    assert open_to_others(data) == []


def test_centre_data_is_private(tmp_path: Path) -> None:
    data = tmp_path / "centre"
    env = kiosk_env()

    def center(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return run([PYTHON, "-m", "fleet.center_cli", *args, "--data-dir", str(data)], env, stdin)

    assert center("terminals", "add", "T1", "--site", "测试站").returncode == 0
    assert center("users", "add", "admin", "--role", "admin", "--password-stdin", stdin="correct horse battery\n").returncode == 0
    assert center("intake", "key").returncode == 0
    assert center("tls", "init").returncode == 0
    assert (data / "center.sqlite3").is_file()
    assert open_to_others(data) == []


def _doctor(data: Path, toml: str, **env_extra: str) -> subprocess.CompletedProcess[str]:
    data.mkdir(exist_ok=True)
    (data / "kiosk.toml").write_text(toml, encoding="utf-8")
    env = {**kiosk_env(data), **env_extra}
    if "KIOSK_CONSOLE_PIN" not in env_extra:
        env.pop("KIOSK_CONSOLE_PIN", None)
    return run([PYTHON, "-m", "kiosk.cli", "doctor", "--simulate"], env)


def test_doctor_fails_on_the_default_pin_with_a_broker(tmp_path: Path) -> None:
    proc = _doctor(tmp_path / "a", '[fleet]\nbroker = "mqtt://127.0.0.1:1"\n')
    assert proc.returncode == 1
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("technician PIN"))
    assert "FAIL" in line and "[technician] pin" in line


def test_doctor_fails_on_the_default_pin_with_a_real_device(tmp_path: Path) -> None:
    proc = _doctor(tmp_path / "b", '[devices]\nprinter = "escpos+tcp://127.0.0.1:9"\n')
    assert proc.returncode == 1
    assert "FAIL" in next(ln for ln in proc.stdout.splitlines() if ln.startswith("technician PIN"))


def test_doctor_accepts_a_set_pin_and_simulators(tmp_path: Path) -> None:
    ok = _doctor(tmp_path / "c", '[technician]\npin = "739146"\n[fleet]\nbroker = "mqtt://127.0.0.1:1"\n')
    assert "FAIL" not in next(ln for ln in ok.stdout.splitlines() if ln.startswith("technician PIN"))
    sim = _doctor(tmp_path / "d", "")  # every device simulated, no centre: the default is harmless
    # No speech model is installed here: that is the one fault doctor may report.
    fails = [ln for ln in sim.stdout.splitlines() if " FAIL " in ln]
    assert all(ln.startswith("speech model") for ln in fails), sim.stdout
    assert any(ln.startswith("technician PIN") and " ok " in ln for ln in sim.stdout.splitlines()), sim.stdout


def test_doctor_fails_on_a_network_console_without_a_pin(tmp_path: Path) -> None:
    toml = '[technician]\npin = "739146"\n[calling]\nconsole_http = "0.0.0.0:8088"\n'
    proc = _doctor(tmp_path / "e", toml)
    assert proc.returncode == 1
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("console PIN"))
    assert "FAIL" in line and "KIOSK_CONSOLE_PIN" in line
    with_pin = _doctor(tmp_path / "f", toml, KIOSK_CONSOLE_PIN="4821")
    assert not any(ln.startswith("console PIN") for ln in with_pin.stdout.splitlines())


def test_a_shared_directory_given_as_data_dir_is_not_closed(tmp_path: Path) -> None:
    """``--data-dir /tmp`` by mistake must not lock every other user out of /tmp:
    a shared (sticky) directory and other people's files in it stay as they are,
    while what the kiosk writes there is still private."""
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    other = shared / "someone-else.txt"
    other.write_text("x")
    os.chmod(other, 0o644)
    assert run([PYTHON, "-m", "kiosk.cli", "queue", "take", "consultation"], kiosk_env(shared)).returncode == 0
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE(other.stat().st_mode) == 0o644
    assert stat.S_IMODE((shared / "kiosk.sqlite3").stat().st_mode) == 0o600
