"""The centre channel: a terminal's asks answered by the centre over MQTT v5
request/response, and signalling both ways — against a real Mosquitto."""

from __future__ import annotations

import threading
import time

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from fleet import topics
from fleet.center.service import AskError
from fleet.mqttlink import make_client
from kiosk.ports import CentreError, CentreUnavailable
from tests.fleet.conftest import until


def _online(fleet, t):
    until(lambda: t.centre is not None and t.centre.connected())
    until(lambda: fleet.store.terminal(t.config.terminal_id)["online"])


def test_asks_are_answered_with_results_and_errors(fleet):
    seen: list[tuple[str, dict]] = []

    def slots(tid: str, args: dict) -> dict:
        seen.append((tid, args))
        return {"slots": ["09:00", "09:30"], "service": args["service"]}

    def refuse(tid: str, args: dict) -> dict:
        raise AskError("full", "no place left")

    def broken(tid: str, args: dict) -> dict:
        raise RuntimeError("database gone")

    fleet.center.answer("slots", slots)
    fleet.center.answer("book", refuse)
    fleet.center.answer("broken", broken)
    t = fleet.terminal("CH1")
    fleet.agent(t)
    _online(fleet, t)

    assert t.centre.ask("slots", {"service": "B"}) == {"slots": ["09:00", "09:30"], "service": "B"}
    assert seen == [("CH1", {"service": "B"})]  # the centre knows who asked from the topic
    with pytest.raises(CentreError) as full:
        t.centre.ask("book", {})
    assert full.value.code == "full" and full.value.message == "no place left"
    with pytest.raises(CentreError) as unknown:
        t.centre.ask("nothing_like_this", {})
    assert unknown.value.code == "unknown"
    with pytest.raises(CentreError) as failed:
        t.centre.ask("broken", {})
    assert failed.value.code == "failed" and "database" not in failed.value.message


def test_concurrent_asks_get_their_own_answers(fleet):
    fleet.center.answer("echo", lambda tid, args: (time.sleep(0.05 * (args["n"] % 3)), {"n": args["n"]})[1])
    t = fleet.terminal("CH2")
    fleet.agent(t)
    _online(fleet, t)
    results: dict[int, int] = {}

    def one(n: int) -> None:
        results[n] = t.centre.ask("echo", {"n": n})["n"]

    threads = [threading.Thread(target=one, args=(n,)) for n in range(12)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(15)
    assert results == {n: n for n in range(12)}


def test_offline_and_unanswered_asks_fail_fast_and_clearly(fleet):
    t = fleet.terminal("CH3")
    agent = fleet.agent(t)
    _online(fleet, t)
    # Nobody answers "later" (the centre registered no handler at all yet): the ask
    # times out instead of hanging.
    started = time.monotonic()
    with pytest.raises(CentreUnavailable):
        t.centre.ask("later", {}, timeout=1.0)
    assert time.monotonic() - started < 3.0
    fleet.broker.stop()
    until(lambda: not agent.connected(), 15)
    started = time.monotonic()
    with pytest.raises(CentreUnavailable):
        t.centre.ask("later", {}, timeout=5.0)
    assert time.monotonic() - started < 0.5  # offline: no waiting at all


def test_signalling_flows_both_ways(fleet):
    at_centre: list[tuple[str, bytes]] = []
    fleet.center.on_message(topics.CALL_OUT, lambda tid, payload: at_centre.append((tid, payload)))
    t = fleet.terminal("CH4")
    fleet.agent(t)
    at_terminal: list[bytes] = []
    t.centre.subscribe(topics.CALL_IN, at_terminal.append)
    _online(fleet, t)
    t.centre.send(topics.CALL_OUT, b'{"type":"offer","sdp":"v=0"}')
    until(lambda: at_centre)
    assert at_centre == [("CH4", b'{"type":"offer","sdp":"v=0"}')]
    fleet.center.send("CH4", topics.CALL_IN, b'{"type":"answer"}')
    until(lambda: at_terminal)
    assert at_terminal == [b'{"type":"answer"}']
    with pytest.raises(ValueError):
        t.centre.send(topics.CMD, b"x")  # a terminal never writes its own commands


def test_an_answer_goes_only_to_the_terminal_that_asked(fleet):
    """A terminal naming another terminal's answer topic as its response topic still
    gets the answer itself: the centre never writes where a terminal tells it to."""
    fleet.center.answer("who", lambda tid, args: {"you_are": tid})
    # A watcher with the centre's rights sees whatever reaches CHV's answer topic.
    got_by_victim: list[bytes] = []
    watcher = make_client("watcher", topics.CENTER_USER, fleet.center_pw)
    watcher.on_message = lambda c, u, m: got_by_victim.append(m.payload)
    watcher.connect("127.0.0.1", fleet.broker.port)
    watcher.loop_start()
    watcher.subscribe(topics.topic("CHV", topics.ANSWER), qos=1)
    fleet.provision("CHA")
    answers: list[bytes] = []
    client = make_client("CHA-raw", "CHA", fleet.passwords["CHA"])
    client.on_message = lambda c, u, m: answers.append(m.payload)
    client.connect("127.0.0.1", fleet.broker.port)
    client.loop_start()
    try:
        client.subscribe(topics.topic("CHA", topics.ANSWER), qos=1)
        time.sleep(0.3)
        props = Properties(PacketTypes.PUBLISH)
        props.ResponseTopic = topics.topic("CHV", topics.ANSWER)
        props.CorrelationData = b"spoof"
        client.publish(topics.topic("CHA", topics.ASK), topics.Ask(id="spoof", name="who").to_bytes(), qos=1, properties=props)
        until(lambda: answers)
        assert topics.Answer.from_bytes(answers[0]).result == {"you_are": "CHA"}
        time.sleep(0.3)
    finally:
        client.disconnect()
        client.loop_stop()
        watcher.disconnect()
        watcher.loop_stop()
    assert got_by_victim == []
