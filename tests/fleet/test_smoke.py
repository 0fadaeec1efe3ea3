"""First light: a terminal connects, reports presence and telemetry, answers a ping."""

from tests.fleet.conftest import until


def test_online_telemetry_ping(fleet):
    t = fleet.terminal("T1", telemetry_seconds=1)
    a = fleet.agent(t)
    row = until(lambda: (r := fleet.store.terminal("T1")) and r["online"] and r["telemetry"] and r)
    assert row["telemetry"]["devices"] == [] and row["session"] >= 1
    res = fleet.center.command("T1", "ping", timeout=5)
    assert res.ok and res.result["pong"] is True
    a.close()
    until(lambda: not fleet.store.terminal("T1")["online"])


def test_no_broker_or_bad_credentials_never_stop_the_terminal(tmp_path):
    from fleet.agent import start_agent
    from fleet.agent.agent import DisabledAgent
    from kiosk.bootstrap import build_terminal
    from kiosk.config import FleetSettings, KioskConfig

    t = build_terminal(KioskConfig(), tmp_path / "a", with_devices=False)
    assert isinstance(start_agent(t), DisabledAgent)  # no [fleet] broker: fleet off
    bad = FleetSettings(broker="mqtt://127.0.0.1:1", credentials_file=tmp_path / "missing.json")
    a = start_agent(t, bad)
    assert isinstance(a, DisabledAgent)
    a.close()
    # A broker nobody listens on: the agent starts, retries in the background.
    a = start_agent(t, FleetSettings(broker="mqtt://127.0.0.1:1", password="x"))
    assert not isinstance(a, DisabledAgent)
    a.close()
