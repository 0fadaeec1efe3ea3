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
