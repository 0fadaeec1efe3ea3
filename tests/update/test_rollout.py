"""Releases travel to real terminals (real agents, real Mosquitto) in waves; the
updater inside the app waits for the idle moment; a failing wave halts the rollout."""

from __future__ import annotations

import argparse
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from fleet import topics
from fleet.center import update_rollout as ur
from fleet.update.client import TerminalUpdater, UpdateOptions
from fleet.update.layout import Layout
from fleet.update.service import UpdateService
from kiosk.visit import VisitState
from kiosk.video_call.states import VideoCallState as C
from tests.fleet.conftest import Fleet, fleet, until  # noqa: F401 — the fixture
from tests.update.conftest import Rig, rig  # noqa: F401 — the fixture


def service_for(f: Fleet, r: Rig, tid: str, *, running: str = "1.0", layout: Layout | None = None) -> tuple[Any, UpdateService, threading.Event]:
    """A real terminal with its agent and the updater wired as the app wires it."""
    assert r.web is not None
    t = f.terminal(tid)
    agent = f.agent(t)
    restarted = threading.Event()
    up = TerminalUpdater(layout or Layout(r.tmp / f"term-{tid}"),
                         UpdateOptions(centre_url=r.web.url, trusted_root=r.repo.metadata_dir / "1.root.json"), running=running)
    svc = UpdateService(up, running=running, is_idle=agent.is_idle, restart=restarted.set,
                        report=lambda rep: agent.send(topics.UPDATE_REPORTED, rep.to_bytes(), retain=True),
                        idle_poll_s=0.2).attach(agent).start()
    until(lambda: agent.connected_event.is_set())
    return t, svc, restarted


def release_cmd(f: Fleet, r: Rig, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """``kiosk-center release …`` against this centre's broker (its own link, like the CLI)."""
    from fleet.center_cli.release import register, run
    from fleet.center.service import CenterLink

    p = argparse.ArgumentParser()
    register(p.add_subparsers(dest="command"), argparse.ArgumentParser(add_help=False))
    args = p.parse_args(["release", *argv])
    capsys.readouterr()
    assert run(args, r.repo.base.parent, lambda: CenterLink(f.broker.center_url, f.center_pw, f.store).start()) == 0
    return capsys.readouterr().out


def test_a_failing_wave_halts_the_rollout(fleet: Fleet, rig: Rig, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    # A release that needs a Debian package no terminal has: every terminal refuses it.
    rig.release("1.1", debs=("coreutils", "no-such-package-legal-kiosk"))
    tids = ["T1001", "T1002", "T1003", "T1004"]
    services = {tid: service_for(fleet, rig, tid)[1] for tid in tids}
    try:
        reports = ur.Reports(fleet.center)
        doc = ur.rollout(fleet.center, rig.repo.base, "1.1", tids, [25, 50, 100], halt_pct=50, wave_timeout=30,
                         progress=lambda s: None, reports=reports)
        assert doc["state"] == "halted" and doc["sent"] == ["T1001"]
        assert "1 of 1 failed" in doc["halt_reason"]
        assert services["T1001"].last is not None and services["T1001"].last.state == "refused"
        assert "no-such-package-legal-kiosk" in (services["T1001"].last.error or "")
        # The other terminals never heard of it.
        assert all(services[t].last is None for t in tids[1:])
        s = ur.summary("1.1", tids, reports.of("1.1"))
        assert s["counts"] == {"refused": 1, "no_report": 3}
        # The centre's own link both hands the report to the rollout and stores it (the dashboard's record).
        until(lambda: "T1001" in fleet.store.update_reports())
        stored = fleet.store.update_reports()["T1001"]
        assert stored.state == "refused" and "no-such-package-legal-kiosk" in (stored.error or "") and set(fleet.store.update_reports()) == {"T1001"}
        # What a technician sees: `release status 1.1 --json`, then `release halt 1.1`.
        out = release_cmd(fleet, rig, capsys, "status", "1.1", "--json")
        doc = json.loads(out)
        assert doc["state"] == "halted" and doc["sent"] == 1 and doc["terminals"]["T1001"]["state"] == "refused"
        assert "no-such-package-legal-kiosk" in doc["terminals"]["T1001"]["error"]
        assert "withdrawn from 1 terminal" in release_cmd(fleet, rig, capsys, "halt", "1.1")
    finally:
        for svc in services.values():
            svc.close()


def test_release_switches_only_when_the_visit_is_over(fleet: Fleet, rig: Rig) -> None:  # noqa: F811
    rig.install_running("1.0")
    rig.release("1.1")
    t, svc, restarted = service_for(fleet, rig, "T2001", layout=rig.layout)
    try:
        t.flow.state = C.CALL_ACTIVE  # a villager is talking to a lawyer
        doc = ur.rollout(fleet.center, rig.repo.base, "1.1", ["T2001"], [100], halt_pct=50, wave_timeout=1, progress=lambda s: None)
        until(lambda: svc.last is not None and svc.last.state == "staged", 60)
        assert not restarted.wait(1.5)
        assert rig.layout.current_version() == "1.0"  # staged beside, not switched mid-call
        t.flow.state = VisitState.ATTRACT  # the call ended, nobody at the kiosk
        assert restarted.wait(10)
        assert rig.layout.current_version() == "1.1"
        assert doc["sent"] == ["T2001"]
    finally:
        svc.close()


def test_app_wiring_confirms_health_and_reports_the_gate(fleet: Fleet, rig: Rig, tmp_path: Path) -> None:  # noqa: F811
    from kiosk.config import UpdateSettings

    from fleet.update import gate
    from fleet.update.client import PENDING
    from fleet.update.service import start_for_agent

    rig.install_running("1.0")
    rig.release("1.1")
    # The last start rolled a version back; this one (1.1) waits for its confirmation.
    gate.add_event(rig.layout, gate.ROLLED_BACK, {"version": "1.0.9", "to": "1.0", "reason": "crash loop"})
    up = rig.updater()
    up.stage("1.1")
    up.switch_if_idle("1.1", lambda: True)
    assert rig.layout.read_json(PENDING) is not None
    t = fleet.terminal("T3001")
    agent = fleet.agent(t)
    until(lambda: agent.connected_event.is_set())
    assert rig.web is not None
    settings = UpdateSettings(centre_url=rig.web.url, prefix=rig.layout.prefix)
    svc = start_for_agent(agent, settings, restart=lambda: None)
    assert svc is not None
    try:
        assert svc.running == "1.1"
        until(lambda: gate.marker(rig.layout, "1.1").exists(), 15)
        # Final at once: nothing pending, and both verdicts reached the centre via the outbox.
        until(lambda: rig.layout.read_json(PENDING) is None)
        until(lambda: fleet.store.event_count("T3001", "update_rolled_back") == 1, 15)
        until(lambda: fleet.store.event_count("T3001", "update_confirmed") == 1, 15)
        assert svc.last is not None and svc.last.state == "confirmed"
        assert gate.take_events(rig.layout) == []
        assert gate.run(rig.layout) == "none"  # the next start has nothing to judge
    finally:
        svc.close()


def test_progress_groups_states_per_wave() -> None:
    def rep(version: str, state: str, running: str = "1.0", error: str | None = None) -> topics.UpdateReported:
        return topics.UpdateReported.model_validate({"version": version, "state": state, "running": running, "error": error})

    record = {"version": "1.1", "targets": ["A", "B", "C"], "waves": [1, 10, 50, 100], "sent": ["A", "B"],
              "state": "running", "halt_pct": 25}
    reports = {"A": rep("1.1", "confirmed", running="1.1"), "B": rep("1.1", "refused", error="no disk"),
               "C": rep("1.1", "switched")}
    p = ur.progress(record, reports)
    # One terminal per wave; the 100 % wave has none left for it, so it is not drawn.
    assert [(w["pct"], w["size"], w["sent"]) for w in p["waves"]] == [(1, 1, True), (10, 1, True), (50, 1, False)]
    # C was never sent this release: pending, whatever it says.
    assert p["counts"] == {"confirmed": 1, "updated": 0, "rolled_back": 0, "failed": 1, "pending": 1}
    assert p["sent"] == 2 and p["targets"] == 3
    assert p["failed"] == [{"terminal_id": "B", "state": "refused", "error": "no disk"}]
    # A word about another release counts as nothing for this one.
    other = ur.progress({**record, "sent": ["A", "B", "C"]}, {**reports, "B": rep("1.0.9", "rolled_back"), "C": rep("1.1", "switched")})
    assert other["counts"] == {"confirmed": 1, "updated": 1, "rolled_back": 0, "failed": 0, "pending": 1}
