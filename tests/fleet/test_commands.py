"""Commands over MQTT v5 request/response: each runs at most once, expired ones never,
unknown or malformed ones get an error reply and the agent carries on."""

import base64
import time
from datetime import datetime, timedelta, timezone

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from fleet import topics
from tests.fleet.conftest import until

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def _online(fleet, tid):
    until(lambda: fleet.store.terminal(tid)["online"])


def test_every_command_answers(fleet):
    restarts = []
    t = fleet.terminal("C1", devices=True)
    (t.data_dir / "logs").mkdir(parents=True, exist_ok=True)
    (t.data_dir / "logs" / "kiosk.log").write_text("line one\nread card 420102199001011234 ok\nlast line\n", encoding="utf-8")
    fleet.agent(t, screenshot=lambda: PNG, restart=lambda: restarts.append(1))
    _online(fleet, "C1")
    c = fleet.center
    assert c.command("C1", "ping").result["pong"] is True
    st = c.command("C1", "self_test", timeout=10)
    assert st.ok and {d["kind"] for d in st.result["devices"]} >= {"printer", "idcard"}
    pt = c.command("C1", "print_test", timeout=10)
    assert pt.ok and pt.result["printed"] is True, pt
    logs = c.command("C1", "get_logs", {"lines": 2})
    assert logs.ok and logs.result["lines"][-1] == "last line"
    assert "420102199001011234" not in logs.result["lines"][0] and "4201" in logs.result["lines"][0]
    shot = c.command("C1", "screenshot")
    assert shot.ok and base64.b64decode(shot.result["png_base64"]) == PNG
    vol = c.command("C1", "set_volume", {"level": 40})
    assert vol.ok and vol.result["volume"] == 40
    assert c.command("C1", "set_volume", {"level": 400}).error == "bad_request"
    rs = c.command("C1", "restart_app")
    assert rs.ok and until(lambda: restarts == [1])


def test_unknown_malformed_duplicate_expired(fleet):
    restarts = []
    t = fleet.terminal("C2")
    fleet.agent(t, restart=lambda: restarts.append(1))
    _online(fleet, "C2")
    c = fleet.center
    assert c.command("C2", "format_disk").error == "unknown_command"
    # Malformed: not JSON at all, sent raw with a response topic.
    props = Properties(PacketTypes.PUBLISH)
    props.ResponseTopic = topics.response_topic("C2", c.worker)
    props.CorrelationData = b"garbage-1"
    from fleet.center.service import _Pending

    pend = _Pending()
    c._pending["garbage-1"] = pend
    c._client.publish(topics.topic("C2", topics.CMD), b"\xff not json", qos=1, properties=props)
    assert pend.done.wait(5) and pend.result.error == "bad_request"
    # Duplicate id: runs once, the second gets the first reply back.
    first = c.command("C2", "restart_app", cmd_id="dup-1")
    second = c.command("C2", "restart_app", cmd_id="dup-1")
    assert first.ok and second.ok and second.duplicate and not first.duplicate
    time.sleep(0.3)
    assert restarts == [1]
    # Expired in its payload (clock says so): an error reply, never run.
    past = topics.Command(id="exp-1", name="restart_app", expires_at=datetime.now(timezone.utc) - timedelta(seconds=1))
    pend2 = _Pending()
    c._pending["exp-1"] = pend2
    props.CorrelationData = b"exp-1"
    c._client.publish(topics.topic("C2", topics.CMD), past.to_bytes(), qos=1, properties=props)
    assert pend2.done.wait(5) and pend2.result.error == "expired"
    assert c.command("C2", "ping").ok  # still alive
    assert restarts == [1]


def test_command_sent_while_offline_expires_at_the_broker(fleet):
    restarts = []
    t = fleet.terminal("C3")
    a = fleet.agent(t, restart=lambda: restarts.append(1))
    _online(fleet, "C3")
    a.close()
    until(lambda: not fleet.store.terminal("C3")["online"])
    res = fleet.center.command("C3", "restart_app", timeout=1)
    assert res.error == "timeout"
    time.sleep(1.5)
    # Back online: its session is resumed, but the expired request is never delivered.
    fleet.agent(t, restart=lambda: restarts.append(1))
    _online(fleet, "C3")
    assert fleet.center.command("C3", "ping").ok
    time.sleep(0.5)
    assert restarts == []


def test_command_queued_while_offline_runs_on_reconnect_if_not_expired(fleet):
    t = fleet.terminal("C4")
    a = fleet.agent(t)
    _online(fleet, "C4")
    a.close()
    until(lambda: not fleet.store.terminal("C4")["online"])
    import threading

    out = {}
    th = threading.Thread(target=lambda: out.setdefault("r", fleet.center.command("C4", "set_volume", {"level": 7}, timeout=20)))
    th.start()
    time.sleep(0.5)
    fleet.agent(t)
    th.join(25)
    assert out["r"].ok and out["r"].result["volume"] == 7
