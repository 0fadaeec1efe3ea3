"""Signed updates end to end: real bundles, a real TUF repository served over HTTP on
loopback, real venvs installed with pip, the real gate as a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from fleet.center.releases import load_signer
from fleet.update import gate
from fleet.update.bundle import BundleError, install
from fleet.update.client import UpdateRefused
from tests.update.conftest import Rig, make_bundle

NOON = datetime(2026, 12, 2, 12, 0)


def run_version(rig: Rig) -> subprocess.CompletedProcess[str]:
    """Start what ``current`` points to, as the supervisor would."""
    return subprocess.run([str(rig.layout.current / "bin" / "python"), "-m", "legal_kiosk_fake"],
                          capture_output=True, text=True, timeout=60)


def run_gate(rig: Rig) -> str:
    """``python -m fleet.update.gate`` in its own process, as at every start."""
    out = subprocess.run([sys.executable, "-m", "fleet.update.gate", "--prefix", str(rig.layout.prefix)],
                         capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_update_applied_and_confirmed(rig: Rig) -> None:
    rig.install_running("1.0")
    rig.release("1.1")
    up = rig.updater()
    assert up.stage("1.1") == "1.1"
    assert rig.layout.current_version() == "1.0"  # installed beside, not switched yet
    assert up.switch_if_idle("1.1", lambda: True, now=NOON)
    assert (rig.layout.current_version(), rig.layout.previous_version()) == ("1.1", "1.0")
    assert run_version(rig).stdout.strip() == "legal-kiosk 1.1"
    assert run_gate(rig) == "waiting"  # started, not yet proven
    # The new version reached the attract screen, passed its self-test, reached the centre.
    assert not gate.confirm(rig.layout, "1.1", {"attract": True, "self_test": False, "centre": True})
    assert gate.confirm(rig.layout, "1.1", {"attract": True, "self_test": True, "centre": True})
    assert run_gate(rig) == "confirmed"
    assert rig.layout.current_version() == "1.1"
    assert rig.layout.is_installed("1.0")  # kept as the way back until the next one is confirmed
    assert [e["kind"] for _, e in gate.take_events(rig.layout)] == ["update_confirmed"]


def test_broken_version_rolled_back_by_the_gate(rig: Rig) -> None:
    rig.install_running("1.0")
    rig.release("1.1", broken=True)
    up = rig.updater(max_boots=2)
    up.stage("1.1")
    assert up.switch_if_idle("1.1", lambda: True, now=NOON)
    results = []
    for _ in range(5):  # the supervisor: gate, then the app, again and again
        results.append(run_gate(rig))
        if results[-1] == "rolled_back":
            break
        assert run_version(rig).returncode != 0  # crashes, never confirms
    assert results == ["waiting", "waiting", "rolled_back"]
    assert rig.layout.current_version() == "1.0"
    assert run_version(rig).stdout.strip() == "legal-kiosk 1.0"
    assert not rig.layout.version_dir("1.1").exists()
    events = [e for _, e in gate.take_events(rig.layout)]
    assert events[-1]["kind"] == "update_rolled_back"
    assert events[-1]["payload"]["version"] == "1.1" and "2 times" in events[-1]["payload"]["reason"]
    # The same broken version is not installed again.
    with pytest.raises(UpdateRefused, match="failed its health check"):
        rig.updater().stage("1.1")


def test_unconfirmed_past_the_deadline_goes_back(rig: Rig) -> None:
    rig.install_running("1.0")
    rig.release("1.1")
    up = rig.updater(confirm_minutes=0)
    up.stage("1.1")
    up.switch_if_idle("1.1", lambda: True, now=NOON)
    assert run_gate(rig) == "rolled_back"
    assert rig.layout.current_version() == "1.0"
    assert "deadline" in [e for _, e in gate.take_events(rig.layout)][-1]["payload"]["reason"]


def test_nothing_switched_during_a_visit_or_outside_hours(rig: Rig) -> None:
    rig.install_running("1.0")
    rig.release("1.1")
    up = rig.updater(allowed_hours=(2, 5))
    up.stage("1.1")
    assert not up.switch_if_idle("1.1", lambda: True, now=NOON)  # outside 02:00–05:00
    assert not up.switch_if_idle("1.1", lambda: False, now=NOON.replace(hour=3))  # a visit is on
    assert rig.layout.current_version() == "1.0"
    assert up.switch_if_idle("1.1", lambda: True, now=NOON.replace(hour=3))
    assert rig.layout.current_version() == "1.1"


def test_tampered_bundle_refused(rig: Rig) -> None:
    rig.install_running("1.0")
    rig.release("1.1")
    target = rig.repo.targets_dir / "app" / "legal-kiosk-1.1.bundle"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same length, one byte changed
    target.write_bytes(bytes(data))
    with pytest.raises(UpdateRefused, match="tampered"):
        rig.updater().stage("1.1")
    assert not rig.layout.version_dir("1.1").exists()
    assert rig.layout.current_version() == "1.0"


def test_a_bundle_longer_than_signed_is_refused_not_retried(rig: Rig) -> None:
    rig.install_running("1.0")
    rig.release("1.1")
    target = rig.repo.targets_dir / "app" / "legal-kiosk-1.1.bundle"
    target.write_bytes(target.read_bytes() + b"\0" * 4096)  # something appended on the server
    with pytest.raises(UpdateRefused, match="longer than its signed length"):
        rig.updater().stage("1.1")
    assert not rig.layout.version_dir("1.1").exists()
    assert rig.layout.current_version() == "1.0"


def test_tampered_metadata_refused(rig: Rig) -> None:
    rig.install_running("1.0")
    rig.release("1.1")
    targets = rig.repo.metadata_dir / "targets.json"
    targets.write_text(targets.read_text().replace('"version": "1.1"', '"version": "9.9"'))
    with pytest.raises(UpdateRefused):
        rig.updater().stage("1.1")
    assert not rig.layout.version_dir("1.1").exists()


def test_replayed_old_snapshot_refused(rig: Rig) -> None:
    rig.install_running("1.0")
    rig.release("1.1")
    old = rig.tmp / "old-metadata"
    shutil.copytree(rig.repo.metadata_dir, old)
    rig.release("1.2")
    up = rig.updater()
    up.stage("1.2")  # the terminal has seen the newest snapshot
    # Someone serves the old snapshot and targets again, even under a freshly signed
    # timestamp (the online timestamp key in their hands):
    for name in ("snapshot.json", "targets.json"):
        shutil.copy(old / name, rig.repo.metadata_dir / name)
    from tuf.api.metadata import Metadata, MetaFile, Timestamp

    ts = Metadata[Timestamp].from_file(str(rig.repo.metadata_dir / "timestamp.json"))
    ts.signed.snapshot_meta = MetaFile(version=Metadata.from_file(str(old / "snapshot.json")).signed.version)
    ts.signed.version += 1
    ts.signatures.clear()
    ts.sign(load_signer(rig.repo.online_keys, "timestamp"))
    ts.to_file(str(rig.repo.metadata_dir / "timestamp.json"))
    up2 = rig.updater()
    up2.running = "1.0"
    with pytest.raises(UpdateRefused, match="replayed"):
        up2.fetch("1.1")
    # And the whole old set (old timestamp too) is refused the same way.
    for name in ("timestamp.json", "snapshot.json", "targets.json"):
        shutil.copy(old / name, rig.repo.metadata_dir / name)
    with pytest.raises(UpdateRefused, match="replayed"):
        up2.fetch("1.1")


def test_frozen_metadata_refused(tmp_path: Path) -> None:
    from tests.update.conftest import CentreWeb

    r = Rig(tmp_path)
    # The centre stopped re-signing its timestamp an hour ago.
    r.repo.init(r.offline, expiry={"timestamp": timedelta(hours=-1)})
    r.web = CentreWeb(r.repo).start()
    try:
        r.install_running("1.0")
        with pytest.raises(UpdateRefused, match="expired"):
            r.updater().fetch("1.1")
    finally:
        r.web.stop()


def test_downgrade_refused(rig: Rig) -> None:
    rig.install_running("1.0")
    rig.release("0.9")
    with pytest.raises(UpdateRefused, match="downgrade"):
        rig.updater().stage("0.9")
    with pytest.raises(UpdateRefused, match="downgrade"):
        rig.updater().stage("1.0.0")  # the same release, spelt otherwise
    assert sorted(p.name for p in rig.layout.versions.iterdir() if not p.name.startswith(".")) == ["1.0"]


def test_missing_debian_package_refuses_the_install(tmp_path: Path) -> None:
    from fleet.update.layout import Layout

    bundle = make_bundle(tmp_path, "2.0", debs=("coreutils", "no-such-package-legal-kiosk"))
    with pytest.raises(BundleError, match="no-such-package-legal-kiosk"):
        install(bundle, Layout(tmp_path / "t"))
    assert not (tmp_path / "t" / "opt" / "legal-kiosk" / "versions" / "2.0").exists()


def test_install_ignores_the_running_apps_python_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fleet.update.layout import Layout

    # The running app's PYTHONPATH shows a legal-kiosk 1.0 (a source checkout, say).
    other = tmp_path / "checkout"
    (other / "legal_kiosk-1.0.dist-info").mkdir(parents=True)
    (other / "legal_kiosk-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: legal-kiosk\nVersion: 1.0\n")
    monkeypatch.setenv("PYTHONPATH", str(other))
    layout = Layout(tmp_path / "t")
    install(make_bundle(tmp_path, "1.0"), layout)
    layout.switch_to("1.0")
    out = subprocess.run([str(layout.current / "bin" / "python"), "-m", "legal_kiosk_fake"], capture_output=True, text=True,
                         timeout=60, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert out.stdout.strip() == "legal-kiosk 1.0", out.stderr


def test_first_install_unconfirmed_is_kept_and_reported(rig: Rig) -> None:
    rig.release("1.1")
    up = rig.updater(confirm_minutes=0)
    up.running = None  # a fresh terminal: nothing installed before
    up.stage("1.1")
    up.switch_if_idle("1.1", lambda: True, now=NOON)
    assert run_gate(rig) == "kept"  # nothing to go back to: keep it, and say so
    assert rig.layout.current_version() == "1.1"
    assert "no previous version" in gate.take_events(rig.layout)[-1][1]["payload"]["reason"]
