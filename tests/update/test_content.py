"""The law library travels the signed way: published at the centre as a TUF target of its
own kind, verified by the terminal, swapped in at an idle moment without a software
update, reported in telemetry; tampered and older packages are refused."""

from __future__ import annotations

import argparse
import shutil
from datetime import date
from pathlib import Path

import pytest

from fleet.center_cli.content import register, run
from fleet.update.client import UpdateRefused
from fleet.update.content import ContentUpdater
from fleet.update.service import start_for_agent
from kiosk.config import UpdateSettings
from kiosk.lookup.build import build, default_source
from kiosk.lookup.library import Library, default_library_path, install_library, installed_version
from kiosk.video_call.states import VideoCallState
from kiosk.visit import VisitState
from tests.fleet.conftest import Fleet, fleet, until  # noqa: F401 — the fixture
from tests.update.conftest import Rig, rig  # noqa: F401 — the fixture


def package(tmp: Path, year: int) -> Path:
    """A real (small) library package whose version says ``year``."""
    out = tmp / f"pkg-{year}" / "library.sqlite3"
    build(default_source(), out, only=["宪法"], as_of=date(year, 1, 1))
    return out


def content_cmd(r: Rig, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``kiosk-center content …`` on this centre's data dir."""
    p = argparse.ArgumentParser()
    register(p.add_subparsers(dest="command"), argparse.ArgumentParser(add_help=False))
    args = p.parse_args(["content", *argv, *(["--keys", str(r.offline)] if argv[0] == "add" else [])])
    capsys.readouterr()
    code = run(args, r.repo.base.parent)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_library_is_signed_fetched_and_swapped_only_when_idle(rig: Rig, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    dest = tmp_path / "kiosk-data" / "lookup" / "library.sqlite3"
    install_library(package(tmp_path, 2019), dest)  # what the terminal was installed with
    code, out, _ = content_cmd(rig, capsys, "add", "library", str(package(tmp_path, 2020)))
    assert code == 0 and "content/library-1.sqlite3" in out and "2020-01-01+" in out
    content = ContentUpdater(rig.updater(), {"library": dest})
    assert [s.serial for s in content.stage_newest()] == [1]
    # A villager at the kiosk: the verified package waits, the old library keeps serving.
    assert content.swap_if_idle(lambda: False) == []
    assert (installed_version(dest) or "").startswith("2019-01-01+")
    assert [s.serial for s in content.swap_if_idle(lambda: True)] == [1]
    assert (installed_version(dest) or "").startswith("2020-01-01+") and content.installed("library") == 1
    with Library(dest) as lib:
        assert lib.version.startswith("2020-01-01+") and lib.search("公民", limit=1)
    # The next package is serial 2; the terminal finds it by itself.
    assert content_cmd(rig, capsys, "add", "library", str(package(tmp_path, 2021)))[0] == 0
    assert content.newest("library") == 2
    content.stage_newest()
    content.swap_if_idle(lambda: True)
    assert (installed_version(dest) or "").startswith("2021-01-01+")
    # An older package is never put back, even when asked for by name.
    assert content.newest("library") is None
    with pytest.raises(UpdateRefused, match="downgrade refused"):
        content.fetch("library", 1)
    assert (installed_version(dest) or "").startswith("2021-01-01+")
    code, out, _ = content_cmd(rig, capsys, "list")
    assert code == 0 and out.index("library-1.sqlite3") < out.index("library-2.sqlite3")


def test_tampered_library_is_refused_and_the_old_one_stays(rig: Rig, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    dest = tmp_path / "kiosk-data" / "lookup" / "library.sqlite3"
    install_library(package(tmp_path, 2019), dest)
    assert content_cmd(rig, capsys, "add", "library", str(package(tmp_path, 2020)))[0] == 0
    # Someone on the centre's server swaps the package for another (a valid library too).
    shutil.copyfile(package(tmp_path, 2022), rig.repo.targets_dir / "content" / "library-1.sqlite3")
    content = ContentUpdater(rig.updater(), {"library": dest})
    with pytest.raises(UpdateRefused, match="tampered"):
        content.stage_newest()
    assert content.staged == {} and content.swap_if_idle(lambda: True) == []
    assert (installed_version(dest) or "").startswith("2019-01-01+") and content.installed("library") == 0


def test_centre_refuses_what_is_not_a_library(rig: Rig, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    junk = tmp_path / "library.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    code, out, err = content_cmd(rig, capsys, "add", "library", str(junk))
    assert code == 1 and out == "" and err.startswith("kiosk-center content add: not a law library package")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not any(info["kind"] == "content" for info in rig.repo.releases().values())


def test_running_terminal_swaps_after_the_visit_and_reports_the_version(fleet: Fleet, rig: Rig, tmp_path: Path,  # noqa: F811
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert content_cmd(rig, capsys, "add", "library", str(package(tmp_path, 2020)))[0] == 0
    t = fleet.terminal("T4001", telemetry_seconds=1)
    agent = fleet.agent(t)
    until(lambda: agent.connected_event.is_set())
    dest = default_library_path(t.data_dir, t.config.lookup.library)
    t.flow.state = VideoCallState.CALL_ACTIVE  # a villager is talking to a lawyer
    assert rig.web is not None
    svc = start_for_agent(agent, UpdateSettings(centre_url=rig.web.url, prefix=tmp_path / "term",
                                                trusted_root=rig.repo.metadata_dir / "1.root.json"), restart=lambda: None)
    assert svc is not None
    try:
        svc.idle_poll_s = 0.2
        assert svc.content is not None
        until(lambda: svc.content is not None and "library" in svc.content.staged, 30)
        assert installed_version(dest) is None  # staged, not swapped mid-call
        t.flow.state = VisitState.ATTRACT
        until(lambda: installed_version(dest) is not None, 15)
        # The centre sees the content version the terminal runs, and the event of the swap.
        until(lambda: ((fleet.store.terminal("T4001") or {}).get("versions") or {}).get("library", "").startswith("2020-01-01+"), 15)
        until(lambda: fleet.store.event_count("T4001", "content_installed") == 1, 15)
    finally:
        svc.close()
