"""The agent's parts, each driven alone with plain Python objects — no broker, no paho
client: the outbox pump, the configuration applier, the command runner, the device
watch and the asks waiting for the centre. (The real-Mosquitto tests beside this one
drive them together through the agent.)"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from fleet import topics
from fleet.agent import commands
from fleet.agent.agent import Agent
from fleet.agent.asks import PendingAsks
from fleet.agent.command_runner import CommandRunner
from fleet.agent.config_apply import ConfigApplier
from fleet.agent.device_watch import DeviceWatch
from fleet.agent.inbox import Close, Message
from fleet.agent.outbox_pump import OutboxPump
from fleet.agent.state import AgentState
from kiosk.bootstrap import build_terminal
from kiosk.config import FleetSettings, KioskConfig, load_config
from kiosk.outbox import Outbox, add_event
from kiosk.ports import CentreError, CentreUnavailable, DeviceHealth, DeviceKind, DeviceState, PrinterStatus
from kiosk.store import DB_FILENAME, connect, transaction

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=8)))
ID_NUMBER = "420102199003071234"


@pytest.fixture
def state(tmp_path: Path) -> Iterator[AgentState]:
    s = AgentState(tmp_path / "fleet" / "agent.sqlite3")
    yield s
    s.close()


# ---- OutboxPump ---------------------------------------------------------------------------
class _Store:
    """A terminal's real SQLite store with its outbox."""

    def __init__(self, path: Path) -> None:
        self.conn = connect(path)
        self.outbox = Outbox(self.conn)

    def add(self, kind: str, payload: dict[str, Any]) -> str:
        with transaction(self.conn) as c:
            return add_event(c, kind, payload, NOW)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[_Store]:
    s = _Store(tmp_path / DB_FILENAME)
    yield s
    s.conn.close()


def _sent(batches: list[bytes]) -> list[list[str]]:
    return [[e.event_id for e in topics.EventBatch.from_bytes(b).events] for b in batches]


def test_pump_sends_one_batch_at_a_time_and_the_next_after_the_ack(store: _Store) -> None:
    sent: list[bytes] = []
    pump = OutboxPump(store.outbox, sent.append, batch=2)
    ids = [store.add("ticket_issued", {"n": i}) for i in range(3)]
    assert pump.pump(100.0) == 2
    assert pump.pump(101.0) == 0  # the first batch is not acknowledged yet
    assert _sent(sent) == [ids[:2]]
    pump.acknowledged(ids[:1], NOW)
    assert pump.pump(102.0) == 0 and pump.in_flight == {ids[1]}  # half acknowledged: still waiting
    pump.acknowledged(ids[1:2], NOW)
    assert pump.pump(103.0) == 1
    assert _sent(sent) == [ids[:2], ids[2:]]
    pump.acknowledged(ids[2:], NOW)
    assert store.outbox.count_pending() == 0 and pump.pump(104.0) == 0 and len(sent) == 2


def test_pump_sends_again_what_was_not_acknowledged(store: _Store) -> None:
    sent: list[bytes] = []
    pump = OutboxPump(store.outbox, sent.append, ack_timeout_s=15.0)
    eid = store.add("ticket_issued", {"n": 1})
    pump.pump(100.0)
    assert pump.pump(114.0) == 0  # within the acknowledgement time
    assert pump.pump(115.5) == 1  # lost on the way: sent again (the centre dedupes)
    pump.reset()  # a new connection: no waiting for the old one's acknowledgement
    assert pump.pump(116.0) == 1
    assert _sent(sent) == [[eid]] * 3


def test_pump_masks_id_numbers_but_passes_sealed_payloads_untouched(store: _Store) -> None:
    sent: list[bytes] = []
    pump = OutboxPump(store.outbox, sent.append)
    store.add("note", {"text": f"证件 {ID_NUMBER}"})
    sealed = {"box": f"ciphertext-{ID_NUMBER}"}
    store.add("legal_aid_application", sealed)
    pump.pump(1.0)
    events = {e.kind: e.payload for e in topics.EventBatch.from_bytes(sent[0]).events}
    assert ID_NUMBER not in json.dumps(events["note"], ensure_ascii=False) and "证件" in events["note"]["text"]
    assert events["legal_aid_application"] == sealed


# ---- ConfigApplier --------------------------------------------------------------------------
class _Kiosk:
    """Whether the kiosk is idle, and the configurations it was given live."""

    def __init__(self) -> None:
        self.idle = True
        self.applied: list[KioskConfig] = []
        self.reports = 0
        self.refuse = False

    def apply(self, config: KioskConfig) -> None:
        if self.refuse:
            raise RuntimeError("the screens could not take it")
        self.applied.append(config)

    def reported(self) -> None:
        self.reports += 1


def _applier(tmp_path: Path, state: AgentState, kiosk: _Kiosk, *, live: bool = True) -> ConfigApplier:
    return ConfigApplier(state, tmp_path / "kiosk.toml", KioskConfig(terminal_id="P1"), now=lambda: NOW, is_idle=lambda: kiosk.idle,
                         apply_config=kiosk.apply if live else None, reported_changed=kiosk.reported)


def test_config_waits_for_the_idle_moment_then_is_written_and_applied(tmp_path: Path, state: AgentState) -> None:
    kiosk = _Kiosk()
    kiosk.idle = False
    applier = _applier(tmp_path, state, kiosk)
    rep = applier.offer(1, {"timeouts": {"idle_seconds": 120}})
    assert rep.state == "pending" and rep.desired_version == 1 and kiosk.reports == 1
    assert applier.apply_if_idle() is False and kiosk.applied == [] and not (tmp_path / "kiosk.toml").exists()
    # A restart in the middle of the visit keeps what is pending (it is in the agent's state).
    applier = _applier(tmp_path, state, kiosk)
    assert applier.has_pending
    kiosk.idle = True
    assert applier.apply_if_idle() is True
    assert kiosk.applied[0].timeouts.idle_seconds == 120
    assert load_config(tmp_path / "kiosk.toml", tmp_path).timeouts.idle_seconds == 120
    rep = applier.reported()
    assert (rep.state, rep.version, rep.restart_required) == ("applied", 1, False)
    assert applier.version() == 1 and not applier.has_pending and applier.config.timeouts.idle_seconds == 120


def test_invalid_or_local_config_is_refused_at_once_with_the_reason(tmp_path: Path, state: AgentState) -> None:
    kiosk = _Kiosk()
    applier = _applier(tmp_path, state, kiosk)
    rep = applier.offer(1, {"timeouts": {"idle_seconds": 1}})
    assert rep.state == "rejected" and rep.version == 0 and "timeouts.idle_seconds" in (rep.error or "")
    rep = applier.offer(2, {"fleet": {"broker": "mqtt://127.0.0.1:1"}})
    assert rep.state == "rejected" and "fleet" in (rep.error or "")
    assert applier.apply_if_idle() is False and kiosk.applied == [] and not (tmp_path / "kiosk.toml").exists()
    assert applier.reported().state == "rejected" and kiosk.reports == 2


def test_a_failed_live_apply_puts_the_old_file_back(tmp_path: Path, state: AgentState) -> None:
    old = 'terminal_id = "P1"\nhotline = "12348"\n'
    (tmp_path / "kiosk.toml").write_text(old, encoding="utf-8")
    kiosk = _Kiosk()
    kiosk.refuse = True
    applier = _applier(tmp_path, state, kiosk)
    assert applier.offer(1, {"hotline": "12345"}).state == "pending"
    assert applier.apply_if_idle() is True
    assert (tmp_path / "kiosk.toml").read_text(encoding="utf-8") == old
    rep = applier.reported()
    assert rep.state == "rejected" and rep.version == 0 and "could not take it" in (rep.error or "")


def test_an_old_version_is_not_applied_again(tmp_path: Path, state: AgentState) -> None:
    kiosk = _Kiosk()
    applier = _applier(tmp_path, state, kiosk, live=False)
    applier.offer(3, {"hotline": "12345"})
    applier.apply_if_idle()
    assert applier.reported().restart_required is True  # nothing live to apply it: at the next start
    rep = applier.offer(2, {"hotline": "12399"})
    assert (rep.state, rep.version) == ("applied", 3) and not applier.has_pending
    assert load_config(tmp_path / "kiosk.toml", tmp_path).hotline == "12345"


# ---- CommandRunner ----------------------------------------------------------------------------
class _Context:
    """What a command may use (commands.CommandContext), as plain attributes."""

    def __init__(self, tmp: Path) -> None:
        self.session = 7
        self.kiosk_config = KioskConfig(terminal_id="P1")
        self.log_file = tmp / "logs" / "kiosk.log"
        self.restarts: list[int] = []
        self.restart: Callable[[], None] | None = lambda: self.restarts.append(1)
        self.screenshot: Callable[[], bytes | None] | None = lambda: b"\x89PNG fake"
        self.volume: int | None = None
        self.offers: list[tuple[int, dict[str, Any]]] = []

    def now(self) -> datetime:
        return NOW

    def telemetry(self) -> topics.Telemetry:
        return topics.Telemetry(at=NOW, session=self.session, devices=[topics.DeviceReport(kind="printer", state="ready")])

    def printer(self) -> None:
        return None

    def set_volume(self, level: int) -> bool:
        self.volume = level
        return True

    def config_version(self) -> int:
        return 0

    def offer_config(self, version: int, config: dict[str, Any]) -> topics.Reported:
        self.offers.append((version, config))
        return topics.Reported(version=0, state="pending", desired_version=version)


class _Runner:
    """A runner with its replies and its slow jobs kept, run when the test says."""

    def __init__(self, tmp: Path, state: AgentState) -> None:
        self.ctx = _Context(tmp)
        self.replies: list[tuple[topics.CommandResult, Callable[[], None] | None]] = []
        self.slow: list[Callable[[], None]] = []
        self.runner = CommandRunner("P1", state, self.ctx, now=lambda: NOW, submit=self.slow.append)

    def send(self, name: str, args: dict[str, Any] | None = None, *, cid: str = "c1", expires: datetime | None = None) -> None:
        cmd = topics.Command(id=cid, name=name, args=args or {}, expires_at=expires)
        self.runner.receive(cmd.to_bytes(), cid.encode(), lambda result, after: self.replies.append((result, after)))

    def last(self) -> topics.CommandResult:
        return self.replies[-1][0]


@pytest.fixture
def runner(tmp_path: Path, state: AgentState) -> _Runner:
    return _Runner(tmp_path, state)


def test_quick_commands_are_answered_where_they_arrive(runner: _Runner) -> None:
    runner.send("ping")
    assert runner.slow == [] and runner.last().ok and runner.last().result["session"] == 7
    runner.send("set_volume", {"level": 40}, cid="c2")
    assert runner.ctx.volume == 40 and runner.last().result == {"volume": 40, "applied": True}


def test_slow_commands_go_to_the_pool_and_restart_only_after_the_reply(runner: _Runner) -> None:
    runner.send("restart_app")
    assert runner.replies == [] and len(runner.slow) == 1  # nothing ran on the receiving thread
    runner.slow.pop()()
    result, after = runner.replies[-1]
    assert result.ok and result.result == {"restarting": True} and runner.ctx.restarts == []
    assert after is not None
    after()  # once the reply has been acknowledged
    assert runner.ctx.restarts == [1]


def test_bad_unknown_expired_and_refused_commands_get_error_replies(runner: _Runner) -> None:
    runner.runner.receive(b"\xff not json", b"corr-9", lambda result, after: runner.replies.append((result, after)))
    assert (runner.last().id, runner.last().error) == ("corr-9", "bad_request")
    runner.send("format_disk", cid="c2")
    assert runner.last().error == "unknown_command"
    runner.send("ping", cid="c3", expires=NOW - timedelta(seconds=1))
    assert runner.last().error == "expired"
    runner.send("set_volume", {"level": 101}, cid="c4")
    assert runner.last().error == "bad_request" and runner.ctx.volume is None
    runner.send("print_test", cid="c5")
    runner.slow.pop()()
    assert runner.last().error == "no_device"
    runner.send("set_config", {"config": "timeouts"}, cid="c6")
    runner.slow.pop()()
    assert runner.last().error == "bad_request" and runner.ctx.offers == []


def test_a_repeated_command_id_is_answered_from_the_journal_and_not_run_again(runner: _Runner) -> None:
    runner.send("set_volume", {"level": 30}, cid="same")
    runner.send("set_volume", {"level": 90}, cid="same")
    assert runner.ctx.volume == 30
    first, second = runner.replies[0][0], runner.replies[1][0]
    assert second.duplicate and second.result == first.result == {"volume": 30, "applied": True}


def test_a_failing_command_is_an_error_reply_with_the_id_number_masked(tmp_path: Path, state: AgentState) -> None:
    def explode(ctx: commands.CommandContext, args: dict[str, Any]) -> commands.Outcome:
        raise RuntimeError(f"card {ID_NUMBER} jammed")

    replies: list[topics.CommandResult] = []
    runner = CommandRunner("P1", state, _Context(tmp_path), now=lambda: NOW, submit=lambda job: job(), handlers={"explode": explode})
    runner.receive(topics.Command(id="x1", name="explode").to_bytes(), b"x1", lambda result, after: replies.append(result))
    assert replies[0].error == "failed" and ID_NUMBER not in (replies[0].message or "") and "jammed" in (replies[0].message or "")


def test_the_journal_keeps_no_screenshot(runner: _Runner, state: AgentState) -> None:
    runner.send("screenshot", cid="shot")
    runner.slow.pop()()
    assert runner.last().ok and runner.last().result["bytes"] == len(b"\x89PNG fake")
    runner.send("screenshot", cid="shot")  # a repeat is answered from the journal
    assert runner.last().duplicate and runner.last().result == {"bytes": len(b"\x89PNG fake")}


def test_replies_go_only_under_the_terminals_own_response_leaves(runner: _Runner) -> None:
    ok = runner.runner.usable_response_topic
    assert ok(topics.response_topic("P1", "w1"))
    assert not ok(topics.response_topic("P2", "w1")) and not ok(topics.topic("P1", topics.STATUS)) and not ok(None)


# ---- DeviceWatch ---------------------------------------------------------------------------------
class _Printer:
    """A device whose health the test sets."""

    kind = DeviceKind.PRINTER
    url = "sim:"

    def __init__(self) -> None:
        self.state = DeviceState.READY

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def health(self) -> DeviceHealth:
        detail = f"paper out at {ID_NUMBER}" if self.state is DeviceState.FAULT else ""
        return DeviceHealth(DeviceKind.PRINTER, self.url, self.state, detail)

    def status(self) -> PrinterStatus:
        return PrinterStatus.PAPER_OUT if self.state is DeviceState.FAULT else PrinterStatus.READY


def test_device_fault_and_recovery_are_recorded_once_each_even_across_a_restart(state: AgentState) -> None:
    printer = _Printer()
    events: list[tuple[str, dict[str, Any]]] = []
    watch = DeviceWatch(state, lambda: {DeviceKind.PRINTER: printer}, lambda kind, payload: events.append((kind, payload)))
    assert watch.check() is True and events == []  # first sight: ready, as assumed
    assert watch.check() is False
    printer.state = DeviceState.FAULT
    assert watch.check() is True and watch.check() is False
    assert [k for k, _ in events] == ["device_fault"] and ID_NUMBER not in events[0][1]["detail"]
    watch = DeviceWatch(state, lambda: {DeviceKind.PRINTER: printer}, lambda kind, payload: events.append((kind, payload)))
    assert watch.check() is False and len(events) == 1  # a restart does not repeat the fault
    printer.state = DeviceState.UNKNOWN
    assert watch.check() is False and len(events) == 1  # not knowing is no transition
    printer.state = DeviceState.READY
    assert watch.check() is True
    assert [k for k, _ in events] == ["device_fault", "device_recovered"]


# ---- PendingAsks -----------------------------------------------------------------------------
def test_an_ask_gets_its_own_answer_from_another_thread() -> None:
    asks: PendingAsks

    def centre(request: topics.Ask, timeout: float) -> None:
        # Someone else's late answer first: dropped, not mistaken for ours.
        assert not asks.answered(topics.Answer(id="not-ours", ok=True, result={"x": 0}))
        threading.Thread(target=asks.answered, args=(topics.Answer(id=request.id, ok=True, result={"echo": request.args["q"]}),)).start()

    asks = PendingAsks(centre)
    assert asks.ask("lookup", {"q": "法律援助"}, timeout=5) == {"echo": "法律援助"}


def test_an_ask_raises_on_an_error_answer_and_on_silence() -> None:
    asks: PendingAsks
    sent: list[topics.Ask] = []

    def refuse(request: topics.Ask, timeout: float) -> None:
        sent.append(request)
        asks.answered(topics.Answer(id=request.id, ok=False, error="full", message="no slot"))

    asks = PendingAsks(refuse)
    with pytest.raises(CentreError) as err:
        asks.ask("book", {})
    assert err.value.code == "full" and sent[0].expires_at is not None
    asks = PendingAsks(lambda request, timeout: None)
    with pytest.raises(CentreUnavailable):
        asks.ask("book", {}, timeout=0.2)


# ---- the agent routes ----------------------------------------------------------------------------
def test_the_agent_routes_each_inbox_item_to_its_part_without_a_broker(tmp_path: Path) -> None:
    config = KioskConfig(terminal_id="R1", fleet=FleetSettings(broker="mqtt://127.0.0.1:1", password="x"))
    terminal = build_terminal(config, tmp_path / "R1", simulate=True, with_devices=False)
    agent = Agent(terminal, config.fleet)  # never started: nothing connects
    try:
        got: list[bytes] = []
        def broken(payload: bytes) -> None:
            raise RuntimeError("a handler's own fault")

        agent.subscribe(topics.CALL_IN, broken)  # a broken handler stops nobody
        agent.subscribe(topics.CALL_IN, got.append)
        with transaction(agent._conn) as c:
            eid = add_event(c, "ticket_issued", {"n": 1}, NOW)
        agent.outbox_pump.pump(1.0)  # (publishing while offline is paho's no-op)
        for leaf, payload in [
            (topics.ACK, topics.Ack(event_ids=[eid]).to_bytes()),
            (topics.DESIRED, topics.Desired(version=1, config={"hotline": "12345"}).to_bytes()),
            (topics.DESIRED, b"{broken"),
            (topics.CALL_IN, b"ring"),
        ]:
            agent._post(Message(topics.topic("R1", leaf), payload))
        agent._post(Message(topics.topic("R2", topics.CALL_IN), b"not ours"))
        assert agent.work() is False
        assert Outbox(agent._conn).count_pending() == 0 and agent.outbox_pump.in_flight == frozenset()
        assert agent.config_applier.has_pending and agent.config_applier.reported().desired_version == 1
        assert got == [b"ring"]
        agent._post(Close())
        assert agent.work() is True and agent.stopping()
    finally:
        agent.close(timeout=0.1)
        terminal.close()
