"""Publicity packages travel the signed way: delegated to the centre's own key (the bureau
publishes without the offline key), fetched and verified by the terminal, unpacked when
idle; a tampered, hostile or removed package never replaces what plays."""

from __future__ import annotations

import argparse
import shutil
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from fleet.agent.telemetry import collect
from fleet.center.releases import ReleaseError
from fleet.center_cli.content import register, run
from fleet.update.client import UpdateRefused
from fleet.update.content import ContentUpdater
from kiosk.publicity.package import install_package, installed_version, load_installed
from kiosk.store import connect
from tests.publicity.media import item, package
from tests.update.conftest import Rig, rig  # noqa: F401 — the fixture


def content_cmd(r: Rig, capsys: pytest.CaptureFixture[str], *argv: str, keys: bool = False) -> tuple[int, str, str]:
    """``kiosk-center content …`` on this centre's data dir."""
    p = argparse.ArgumentParser()
    register(p.add_subparsers(dest="command"), argparse.ArgumentParser(add_help=False))
    args = p.parse_args(["content", *argv, *(["--keys", str(r.offline)] if keys else [])])
    capsys.readouterr()
    code = run(args, r.repo.base.parent)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_delegated_publicity_is_published_without_the_offline_key_and_swapped_when_idle(
        rig: Rig, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    # Without the delegation, publicity needs the offline key like any other content.
    shutil.move(rig.offline, tmp_path / "safe")
    code, _, err = content_cmd(rig, capsys, "add", "publicity", str(package(tmp_path / "a.zip", [item("a")], "v1")))
    assert code == 1 and "no targets key" in err and "Traceback" not in err
    shutil.move(tmp_path / "safe", rig.offline)
    code, out, err = content_cmd(rig, capsys, "delegate", "publicity", keys=True)
    assert code == 0, err
    shutil.move(rig.offline, tmp_path / "safe")  # the offline key goes back into the safe
    code, out, err = content_cmd(rig, capsys, "add", "publicity", str(package(tmp_path / "a.zip", [item("a")], "v1")))
    assert code == 0 and "content/publicity-1.zip" in out, err
    dest = tmp_path / "kiosk-data" / "publicity"
    content = ContentUpdater(rig.updater(), {"publicity": dest})
    assert [s.serial for s in content.stage_newest()] == [1]
    assert content.swap_if_idle(lambda: False) == [] and installed_version(dest) is None
    assert [s.serial for s in content.swap_if_idle(lambda: True)] == [1]
    assert installed_version(dest) == "v1" and content.installed("publicity") == 1
    # The next one; then it is withdrawn before terminals fetch it, and the one after still arrives.
    assert content_cmd(rig, capsys, "add", "publicity", str(package(tmp_path / "b.zip", [item("b")], "v2")))[0] == 0
    code, out, err = content_cmd(rig, capsys, "remove", "content/publicity-2.zip")
    assert code == 0 and "removed" in out, err
    code, out, _ = content_cmd(rig, capsys, "list")
    assert "publicity-1.zip" in out and "publicity-2.zip" not in out
    assert content_cmd(rig, capsys, "add", "publicity", str(package(tmp_path / "c.zip", [item("c")], "v3")))[0] == 0
    assert "content/publicity-3.zip" in content_cmd(rig, capsys, "list")[1]  # a removed serial is never given again
    assert content.newest("publicity") == 3
    content.stage_newest()
    content.swap_if_idle(lambda: True)
    got = load_installed(dest)
    assert installed_version(dest) == "v3" and got is not None and [i.id for i in got[1].items] == ["c"]
    # The centre's own key signs publicity only: the law library and software still need the offline key.
    roles = rig.repo._load("targets").signed.delegations.roles
    assert list(roles) == ["publicity"] and roles["publicity"].paths == ["content/publicity-*"]
    with pytest.raises(ReleaseError, match="cannot be delegated"):
        rig.repo.delegate("library", tmp_path / "safe")


def test_a_tampered_or_unsound_publicity_package_is_refused_and_the_old_one_plays(
        rig: Rig, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    assert content_cmd(rig, capsys, "delegate", "publicity", keys=True)[0] == 0
    dest = tmp_path / "kiosk-data" / "publicity"
    install_package(package(tmp_path / "old.zip", [item("old")], "old"), dest, 1)
    content = ContentUpdater(rig.updater(), {"publicity": dest})
    # The centre refuses to sign what a terminal would refuse.
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("manifest.json", '{"format": 1, "version": "x", "items": []}')
        zf.writestr("../../etc/evil.png", b"x")
    code, out, err = content_cmd(rig, capsys, "add", "publicity", str(bad))
    assert code == 1 and err.startswith("kiosk-center content add: not a sound publicity package") and "Traceback" not in err
    # Someone on the centre's server changes a signed package's bytes (its length stays).
    assert content_cmd(rig, capsys, "add", "publicity", str(package(tmp_path / "n.zip", [item("new")], "new")))[0] == 0
    target = rig.repo.targets_dir / "content" / "publicity-1.zip"
    raw = bytearray(target.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    target.write_bytes(bytes(raw))
    with pytest.raises(UpdateRefused, match="tampered"):
        content.stage_newest()
    assert installed_version(dest) == "old"
    got = load_installed(dest)
    assert got is not None and [i.id for i in got[1].items] == ["old"]


def test_the_publicity_that_plays_is_reported_in_telemetry(tmp_path: Path) -> None:
    data_dir = tmp_path / "kiosk-data"
    conn = connect(data_dir / "kiosk.sqlite3")

    def versions() -> dict[str, str]:
        t = collect(now=datetime.now(timezone.utc), session=1, data_dir=data_dir, devices={}, conn=conn,
                    config_version=1, volume=None, visit_state="attract")
        return dict(t.versions)

    assert "publicity" not in versions()
    install_package(package(tmp_path / "p.zip", [item("a")], "2026-12 宪法宣传周"), data_dir / "publicity", 1)
    assert versions()["publicity"] == "2026-12 宪法宣传周"
