"""Building the content package: manifest, versions in force by date, rebuild only on change."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from kiosk.lookup.build import default_source
from kiosk.lookup.library import Library
from tests.support import PYTHON, kiosk_env


def build(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "kiosk.lookup.build", *args], env=kiosk_env(), capture_output=True, text=True, timeout=300)


def test_subset_build_manifest_and_in_force_by_date(tmp_path: Path) -> None:
    out = tmp_path / "lib" / "library.sqlite3"
    proc = build("--out", str(out), "--only", "社会法", "--as-of", "2020-01-01")
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((tmp_path / "lib" / "library.manifest.json").read_text(encoding="utf-8"))
    assert manifest["texts"] == len(list((default_source() / "社会法").glob("*.md")))
    assert manifest["version"].startswith("2020-01-01+") and len(manifest["source_sha256"]) == 64
    with Library(out) as lib:
        # On 2020-01-01 the 2022 revision had not been made: the 2018 text was in force.
        old = lib.find_text("妇女权益保障法")
        assert old is not None and old.version_date == "2018-10-26"
        assert lib.version == manifest["version"]
    again = build("--out", str(out), "--only", "社会法", "--as-of", "2020-01-01", "--if-changed")
    assert again.returncode == 0 and "up to date" not in again.stdout  # built for another day: rebuilt
    today = build("--out", str(out), "--only", "社会法")
    assert today.returncode == 0
    with Library(out) as lib:
        new = lib.find_text("妇女权益保障法")
        assert new is not None and new.version_date == "2022-10-30"
    skip = build("--out", str(out), "--only", "社会法", "--if-changed")
    assert skip.returncode == 0 and "up to date" in skip.stdout


def test_missing_source_is_a_clear_error(tmp_path: Path) -> None:
    proc = build("--out", str(tmp_path / "x.sqlite3"), "--source", str(tmp_path / "nowhere"))
    assert proc.returncode == 2 and "no such directory" in proc.stderr and "Traceback" not in proc.stderr
