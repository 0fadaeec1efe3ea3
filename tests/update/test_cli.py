"""``kiosk-center release …`` as a technician runs it (real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.update.conftest import make_bundle


def center(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``kiosk-center`` from this worktree."""
    return subprocess.run([sys.executable, "-m", "fleet.center_cli", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.getcwd()})


def test_init_add_list_with_offline_keys(tmp_path: Path) -> None:
    data, usb = str(tmp_path / "centre"), tmp_path / "usb"
    out = center("release", "init", "--data-dir", data, "--keys", str(usb))
    assert out.returncode == 0, out.stderr
    # The offline medium holds root and targets; the centre only snapshot and timestamp.
    assert sorted(p.name for p in usb.iterdir()) == ["root.pem", "targets.pem"]
    assert sorted(p.name for p in (tmp_path / "centre" / "updates" / "keys").iterdir()) == ["snapshot.pem", "timestamp.pem"]
    assert oct((usb / "targets.pem").stat().st_mode & 0o777) == "0o600"
    bundle = make_bundle(tmp_path, "1.2.0")
    # Without the offline medium, nothing can be released.
    out = center("release", "add", str(bundle), "--data-dir", data)
    assert out.returncode == 1 and "no targets key" in out.stderr and "Traceback" not in out.stderr
    out = center("release", "add", str(bundle), "--data-dir", data, "--keys", str(usb))
    assert out.returncode == 0 and "app/legal-kiosk-1.2.0.bundle" in out.stdout, out.stderr
    targets = json.loads((tmp_path / "centre" / "updates" / "metadata" / "targets.json").read_text())
    assert targets["signed"]["version"] == 2
    assert targets["signed"]["targets"]["app/legal-kiosk-1.2.0.bundle"]["custom"]["version"] == "1.2.0"
    out = center("release", "list", "--data-dir", data)
    assert "app/legal-kiosk-1.2.0.bundle\t1.2.0" in out.stdout
    # The same version twice, or something that is not a bundle: a clear line, no traceback.
    out = center("release", "add", str(bundle), "--data-dir", data, "--keys", str(usb))
    assert out.returncode == 1 and "already released" in out.stderr
    junk = tmp_path / "junk.bundle"
    junk.write_bytes(b"not a tar")
    out = center("release", "add", str(junk), "--data-dir", data, "--keys", str(usb))
    assert out.returncode == 1 and "not a release bundle" in out.stderr and "Traceback" not in out.stderr


def test_bad_input_gets_a_usage_error(tmp_path: Path) -> None:
    data = str(tmp_path / "centre")
    out = center("release", "rollout", "1.2", "--all", "--waves", "50,10", "--data-dir", data)
    assert out.returncode == 2 and "waves must rise" in out.stderr
    out = center("release", "status", "1.2", "--data-dir", data)
    assert out.returncode == 1 and "release init" in out.stderr
    center("release", "init", "--data-dir", data)
    out = center("release", "rollout", "../etc", "--all", "--data-dir", data)
    assert out.returncode == 1 and "not a release version" in out.stderr
    out = center("release", "rollout", "9.9", "--all", "--data-dir", data)
    assert out.returncode == 1 and "not a signed release" in out.stderr
