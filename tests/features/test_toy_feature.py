"""Adding a feature takes its own package and one registration: a toy "ping" feature
(tests/features/ping/, one state, one screen, one tile) driven through a visit, in the
core without Kivy and in the app offscreen."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from kiosk import events as ev
from kiosk.bootstrap import FEATURES, build_terminal
from kiosk.config import KioskConfig
from kiosk.feature import FeatureRegistry, Registered
from kiosk.states import VisitState
from tests.features.ping import REGISTRATION
from tests.features.ping.core import PingFeature, Pinged, PingOpened, PingState
from tests.support import PYTHON, ROOT, kiosk_env


def test_a_visit_through_the_toy_feature_without_kivy(tmp_path: Path) -> None:
    t = build_terminal(KioskConfig(), tmp_path, with_devices=False, features=(*FEATURES, REGISTRATION))
    f = t.flow
    ping = f.features.get("ping")
    assert isinstance(ping, PingFeature)
    # Its tile is offered on the home screen, first of the "here" tiles, beside the others.
    tiles = f.features.tiles()
    assert tiles[0].action == "ping:open" and {"la:open", "appt:open", "rate:ticket"} <= {x.action for x in tiles}
    assert f.handle(PingOpened()) is VisitState.ATTRACT  # not from the attract screen
    f.handle(ev.Started())
    assert f.handle(PingOpened()) is PingState.PING
    f.handle(Pinged())
    f.handle(Pinged())
    assert ping.pings == 2
    # Its state is multi-step: the idle question, once asked, waits the longer time.
    f.handle(ev.IdleTimedOut())
    assert f.idle_timeout() == 45.0
    assert f.handle(ev.BackPressed()) is VisitState.HOME  # its Back (the default: home)
    f.handle(PingOpened())
    assert f.handle(ev.Finished()) is VisitState.ATTRACT
    assert ping.pings == 0  # wiped with the visit
    # The other features work as before beside it.
    f.handle(ev.Started())
    assert f.handle(ev.ServiceChosen("consultation")) is VisitState.SERVICE


def test_without_its_registration_nothing_of_it_exists(tmp_path: Path) -> None:
    t = build_terminal(KioskConfig(), tmp_path, with_devices=False)
    f = t.flow
    assert f.features.get("ping") is None and all(x.action != "ping:open" for x in f.features.tiles())
    f.handle(ev.Started())
    assert f.handle(PingOpened()) is VisitState.HOME  # nobody answers it: the visit stays


def test_two_features_cannot_claim_one_state(tmp_path: Path) -> None:
    one, two = PingFeature(True), PingFeature(True)
    with pytest.raises(ValueError, match="state ping is claimed"):
        FeatureRegistry([Registered(one, None), Registered(two, None)])


def test_the_toy_feature_in_the_app(tmp_path: Path) -> None:
    out = tmp_path / "ping.json"
    proc = subprocess.run([PYTHON, str(ROOT / "tests" / "features" / "ping_app.py"), str(tmp_path / "kiosk"), str(out)],
                          env=kiosk_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    r = json.loads(out.read_text(encoding="utf-8"))
    assert "ping:open" in r["home_actions"] and "rate:ticket" in r["home_actions"]  # its tile beside the others
    assert r["screen"] == "ping"  # its screen, from its own package
    assert r["count_shown"] == "2" and r["idle_s"] == 60.0
    assert r["after_home"] == "home" and r["after_finish"] == "attract" and r["count_after_visit"] == 0
    assert (tmp_path / "kiosk" / "ping.png").stat().st_size > 10_000
