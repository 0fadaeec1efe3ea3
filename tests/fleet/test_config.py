"""Desired vs reported configuration: sent while offline and applied on reconnect, only
at an idle moment, validated, rolled back, written atomically."""

from kiosk.config import load_config
from kiosk.visit import VisitState
from tests.fleet.conftest import until


def _reported(fleet, tid):
    return fleet.store.terminal(tid)["reported"] or {}


def test_config_sent_while_offline_is_applied_on_reconnect(fleet):
    t = fleet.terminal("K1")
    a = fleet.agent(t)
    until(lambda: fleet.store.terminal("K1")["online"])
    a.close()
    until(lambda: not fleet.store.terminal("K1")["online"])
    v = fleet.center.push_desired("K1", {"timeouts": {"idle_seconds": 95}, "site_name": "黄石市下陆区工作站"})
    assert v == 1
    fleet.agent(t)
    until(lambda: _reported(fleet, "K1").get("state") == "applied" and _reported(fleet, "K1")["version"] == 1)
    cfg = load_config(None, t.data_dir)
    assert cfg.timeouts.idle_seconds == 95 and cfg.site_name == "黄石市下陆区工作站"
    assert cfg.terminal_id == "K1" and cfg.fleet.broker == t.config.fleet.broker  # kept local
    assert _reported(fleet, "K1")["restart_required"] is True  # no live apply callable given


def test_applied_only_when_idle_and_invalid_rejected(fleet):
    t = fleet.terminal("K2")
    applied = []
    fleet.agent(t, apply_config=applied.append)
    until(lambda: fleet.store.terminal("K2")["online"])
    t.flow.state = VisitState.HOME  # somebody is using the kiosk
    fleet.center.push_desired("K2", {"timeouts": {"idle_seconds": 120}})
    until(lambda: _reported(fleet, "K2").get("state") == "pending")
    assert applied == [] and not (t.data_dir / "kiosk.toml").exists()
    t.flow.state = VisitState.ATTRACT  # the visit ended
    until(lambda: _reported(fleet, "K2").get("state") == "applied")
    assert applied[0].timeouts.idle_seconds == 120 and not _reported(fleet, "K2")["restart_required"]
    before = (t.data_dir / "kiosk.toml").read_text()
    fleet.center.push_desired("K2", {"timeouts": {"idle_seconds": 1}})
    until(lambda: _reported(fleet, "K2").get("state") == "rejected")
    rep = _reported(fleet, "K2")
    assert rep["version"] == 1 and rep["desired_version"] == 2 and "timeouts.idle_seconds" in rep["error"]
    assert (t.data_dir / "kiosk.toml").read_text() == before
    fleet.center.push_desired("K2", {"fleet": {"broker": "mqtt://127.0.0.1:1"}})
    until(lambda: _reported(fleet, "K2").get("desired_version") == 3)
    assert _reported(fleet, "K2")["state"] == "rejected"


def test_failed_live_apply_rolls_back(fleet):
    t = fleet.terminal("K3")
    (t.data_dir / "kiosk.toml").write_text('terminal_id = "K3"\nhotline = "12348"\n', encoding="utf-8")

    def refuse(cfg):
        raise RuntimeError("screen could not take it")

    fleet.agent(t, apply_config=refuse)
    until(lambda: fleet.store.terminal("K3")["online"])
    fleet.center.push_desired("K3", {"hotline": "12345"})
    until(lambda: _reported(fleet, "K3").get("state") == "rejected")
    assert (t.data_dir / "kiosk.toml").read_text() == 'terminal_id = "K3"\nhotline = "12348"\n'


def test_set_config_command(fleet):
    t = fleet.terminal("K4")
    fleet.agent(t)
    until(lambda: fleet.store.terminal("K4")["online"])
    bad = fleet.center.command("K4", "set_config", {"config": {"language": "fr"}})
    assert bad.error == "rejected"
    ok = fleet.center.command("K4", "set_config", {"config": {"language": "en"}})
    assert ok.ok, ok
    until(lambda: _reported(fleet, "K4").get("state") == "applied" and _reported(fleet, "K4")["version"] == ok.result["desired_version"])
    assert load_config(None, t.data_dir).language == "en"


def test_written_file_is_private_and_no_temp_file_is_left(fleet):
    t = fleet.terminal("K5")
    fleet.agent(t)
    until(lambda: fleet.store.terminal("K5")["online"])
    v = fleet.center.push_desired("K5", {"calling": {"notice": "今日\x7f停电\n请改日"}})
    until(lambda: _reported(fleet, "K5").get("state") == "applied" and _reported(fleet, "K5")["version"] == v)
    path = t.data_dir / "kiosk.toml"
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_config(None, t.data_dir).calling.notice == "今日\x7f停电\n请改日"
    assert sorted(p.name for p in t.data_dir.iterdir() if "kiosk.toml" in p.name) == ["kiosk.toml"]
