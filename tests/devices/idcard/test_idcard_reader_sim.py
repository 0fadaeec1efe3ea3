"""The real serial driver against the simulator over a real pty: every card type,
every fault, the removal rule, unplug/replug, and the sim: device's controls."""

from __future__ import annotations

import dataclasses
import logging
import os
import time
import tty
from datetime import date
from pathlib import Path

import pytest
from tests.devices.idcard.idcard_helpers import FAST, TODAY, Events, sim_and_reader, wait_until

from devices.idcard.adapter import SimCardReader, open_serial_reader, open_sim_reader
from devices.idcard.codec import Command, Status, build_response
from devices.idcard.driver import HEALTHY_STATES, TRANSITIONS, ReaderState, SamLink, open_port, parse_device_url
from devices.idcard.simulator import Fault, ResponseDelays, load_cards
from devices.registry import DeviceContext, resolve
from kiosk.errors import DeviceError
from kiosk.events import CardRead, CardRejected, CardRemoved, DeviceFaulted, DeviceRecovered
from kiosk.identity import CardType, Gender
from kiosk.ports import DeviceKind, DeviceState

DEMO = {c.card_id: c.card for c in load_cards()}
READ = lambda e: isinstance(e, CardRead)  # noqa: E731


@pytest.mark.parametrize(
    "card_id, card_type, age, valid",
    [
        ("elderly", CardType.RESIDENT, 70, True),
        ("adult", CardType.RESIDENT, 35, True),
        ("hk_mo_tw", CardType.HK_MO_TW, 41, True),
        ("foreign_2023", CardType.FOREIGN_2023, 46, True),
        ("foreign_2017", CardType.FOREIGN_2017, 51, True),
        ("invalid_number", CardType.RESIDENT, 31, False),
    ],
)
def test_every_card_type_is_read_over_a_pty(tmp_path: Path, card_id: str, card_type: CardType, age: int, valid: bool) -> None:
    with sim_and_reader(tmp_path) as (model, _sim, reader, events):
        wait_until(lambda: reader.state is ReaderState.IDLE)
        model.insert(card_id)
        event = events.wait_for(READ)
        assert isinstance(event, CardRead)
        card = event.card
        assert card.card_type is card_type
        assert card.age(TODAY) == age
        assert event.id_number_valid is valid
        expected = DEMO[card_id]
        for name in ("name", "name_en", "gender", "nation", "birth_date", "id_number", "address",
                     "authority", "valid_from", "valid_to"):
            assert getattr(card, name) == getattr(expected, name), name
        assert reader.health().state is DeviceState.READY


def test_resident_fields_decoded(tmp_path: Path) -> None:
    with sim_and_reader(tmp_path) as (model, _sim, _reader, events):
        model.insert("adult")
        card = events.wait_for(READ).card  # type: ignore[attr-defined]
        assert card.gender is Gender.MALE and card.nation == "土家"
        assert card.birth_date == date(1991, 6, 8) and card.valid_to == date(2041, 7, 1)
        model.remove()
        model.insert("elderly")
        events.wait_for(lambda e: isinstance(e, CardRead) and e.card.valid_to is None)


def test_expired_card_is_rejected(tmp_path: Path) -> None:
    with sim_and_reader(tmp_path) as (model, _sim, _reader, events):
        model.insert("expired")
        event = events.wait_for(lambda e: isinstance(e, CardRejected))
        assert event.message_key == "card.expired"  # type: ignore[attr-defined]
        assert not events.of(CardRead)


def test_same_card_left_on_the_reader_is_read_once(tmp_path: Path) -> None:
    with sim_and_reader(tmp_path) as (model, _sim, reader, events):
        model.insert("adult")
        events.wait_for(READ)
        wait_until(lambda: reader.state is ReaderState.WAITING_REMOVAL)
        # Many polls later the card is still there: no second read, no error.
        wait_until(lambda: _sim.commands > 30)
        assert len(events.of(CardRead)) == 1
        assert not events.of(CardRejected) and not events.of(DeviceFaulted)
        assert reader.state is ReaderState.WAITING_REMOVAL and reader.health().state is DeviceState.READY
        # Taken away and put back: removal is reported, then a fresh read.
        model.remove()
        model.insert("adult")
        events.wait_for(lambda e: len(events.of(CardRead)) == 2)
        assert len(events.of(CardRemoved)) == 1
        kinds = [type(e) for e in events.items]
        assert kinds.index(CardRemoved) < len(kinds) - 1 and kinds[-1] is CardRead


def test_a_card_that_failed_and_left_the_field_is_reported_removed(tmp_path: Path) -> None:
    with sim_and_reader(tmp_path) as (model, _sim, reader, events):
        wait_until(lambda: reader.state is ReaderState.IDLE)
        model.insert("adult")
        model.inject(Fault.REMOVED_MID_READ)  # the read fails and the card is gone
        events.wait_for(lambda e: isinstance(e, CardRejected))
        events.wait_for(lambda e: isinstance(e, CardRemoved))
        assert not events.of(CardRead)
        # Nothing more while the field stays empty.
        polls = _sim.commands
        wait_until(lambda: _sim.commands > polls + 10)
        assert len(events.of(CardRemoved)) == 1


@pytest.mark.parametrize("fault", [Fault.GARBAGE, Fault.BAD_CHECKSUM, Fault.TIMEOUT])
def test_line_faults_are_retried_transparently(tmp_path: Path, fault: Fault) -> None:
    with sim_and_reader(tmp_path) as (model, _sim, reader, events):
        wait_until(lambda: reader.state is ReaderState.IDLE)
        for _ in range(2):  # two in a row: still within the retry budget
            model.inject(fault)
        model.insert("foreign_2023")
        events.wait_for(READ)
        assert not events.of(DeviceFaulted) and not events.of(CardRejected)


def test_noise_on_the_big_read_response_is_survived(tmp_path: Path) -> None:
    with sim_and_reader(tmp_path) as (model, _sim, reader, events):
        wait_until(lambda: reader.state is ReaderState.IDLE)
        model.insert("elderly")
        model.inject(Fault.GARBAGE)
        model.inject(Fault.BAD_CHECKSUM)
        events.wait_for(READ)


@pytest.mark.parametrize("slow", ["find", "select", "read"])
def test_a_late_answer_is_not_taken_for_the_next_commands(tmp_path: Path, slow: str) -> None:
    # The reader (or a loaded board reading it) answers one command after its timeout:
    # that late answer arrives while the driver waits for the retry's or the next
    # command's answer. The card is read all the same, and an expired one is called
    # expired — not "unreadable" because a SELECT's answer was taken for the READ's.
    timeout = FAST.timeouts[slow.upper()]
    delays = ResponseDelays(**{**dataclasses.asdict(ResponseDelays.none()), slow: timeout * 1.5})
    with sim_and_reader(tmp_path, delays=delays) as (model, _sim, reader, events):
        wait_until(lambda: reader.state is ReaderState.IDLE)
        model.insert("expired")
        event = events.wait_for(lambda e: isinstance(e, CardRejected))
        assert event.message_key == "card.expired", event  # type: ignore[attr-defined]
        model.remove()
        model.insert("adult")
        assert events.wait_for(READ).card.card_type is CardType.RESIDENT  # type: ignore[attr-defined]
        assert not events.of(DeviceFaulted)


def test_an_answer_waiting_at_the_deadline_is_taken(tmp_path: Path) -> None:
    # The driver's thread woken only after the deadline (a busy board), the reader's
    # answer already in the port: that is an answer, not a timeout.
    master, slave = os.openpty()
    tty.setraw(slave)
    port = open_port(os.ttyname(slave), FAST)
    try:
        os.write(master, build_response(Status.OK))
        wait_until(lambda: port.in_waiting > 0)
        link = SamLink(port, FAST)
        response = link._receive(Command.STATUS, deadline=time.monotonic() - 1.0)
        assert response.status == Status.OK and link.timeouts == 0
    finally:
        port.close()
        os.close(master)
        os.close(slave)


def test_sam_self_test_failure_faults_once_and_recovers_once(tmp_path: Path) -> None:
    with sim_and_reader(tmp_path) as (model, _sim, reader, events):
        wait_until(lambda: reader.state is ReaderState.IDLE)
        model.inject(Fault.SAM_FAILURE)
        fault = events.wait_for(lambda e: isinstance(e, DeviceFaulted))
        assert fault.message_key == "idcard.sam_fault"  # type: ignore[attr-defined]
        assert reader.health().state is DeviceState.FAULT
        wait_until(lambda: _sim.commands > 8)  # several status retries while failed
        model.clear_faults()
        events.wait_for(lambda e: isinstance(e, DeviceRecovered))
        model.insert("adult")
        events.wait_for(READ)
        assert len(events.of(DeviceFaulted)) == 1 and len(events.of(DeviceRecovered)) == 1


def test_card_removed_mid_read(tmp_path: Path) -> None:
    with sim_and_reader(tmp_path) as (model, _sim, reader, events):
        wait_until(lambda: reader.state is ReaderState.IDLE)
        model.inject(Fault.REMOVED_MID_READ)
        model.insert("adult")
        rejected = events.wait_for(lambda e: isinstance(e, CardRejected))
        assert rejected.message_key == "card.read_failed"  # type: ignore[attr-defined]
        assert not model.card_present
        wait_until(lambda: reader.state is ReaderState.IDLE)
        model.insert("adult")  # put back: read normally
        events.wait_for(READ)
        assert not events.of(DeviceFaulted)


def test_unknown_card_type_is_reported_once(tmp_path: Path) -> None:
    with sim_and_reader(tmp_path) as (model, _sim, reader, events):
        wait_until(lambda: reader.state is ReaderState.IDLE)
        model.inject(Fault.UNKNOWN_CARD)
        model.insert("adult")
        rejected = events.wait_for(lambda e: isinstance(e, CardRejected))
        assert rejected.message_key == "card.unknown_type"  # type: ignore[attr-defined]
        events.wait_for(READ)  # the next attempt (the fault was one-shot) reads it


def test_unplug_and_replug_recovers_without_restart(tmp_path: Path) -> None:
    with sim_and_reader(tmp_path) as (model, sim, reader, events):
        wait_until(lambda: reader.state is ReaderState.IDLE)
        sim.unplug()
        fault = events.wait_for(lambda e: isinstance(e, DeviceFaulted))
        assert fault.message_key == "idcard.absent"  # type: ignore[attr-defined]
        assert reader.health().state is DeviceState.ABSENT
        time.sleep(0.4)  # it retries a few times while absent, without new events
        sim.plug()
        events.wait_for(lambda e: isinstance(e, DeviceRecovered))
        model.insert("elderly")
        events.wait_for(READ)
        assert len(events.of(DeviceFaulted)) == 1 and len(events.of(DeviceRecovered)) == 1


def test_silent_reader_is_a_fault(tmp_path: Path) -> None:
    with sim_and_reader(tmp_path) as (model, _sim, reader, events):
        wait_until(lambda: reader.state is ReaderState.IDLE)
        for _ in range(4):  # more than the retry budget
            model.inject(Fault.TIMEOUT)
        events.wait_for(lambda e: isinstance(e, DeviceFaulted))
        events.wait_for(lambda e: isinstance(e, DeviceRecovered))


def test_missing_reader_at_start_faults_once(tmp_path: Path) -> None:
    ctx = DeviceContext(data_dir=tmp_path)
    reader = open_serial_reader(f"serial://{tmp_path}/ttyNONE?reconnect=0.05", ctx)
    events = Events()
    reader.subscribe(events)
    reader.open()
    try:
        events.wait_for(lambda e: isinstance(e, DeviceFaulted))
        time.sleep(0.3)
        assert len(events.of(DeviceFaulted)) == 1
        health = reader.health()
        assert health.state is DeviceState.ABSENT and health.message_key == "idcard.absent"
    finally:
        reader.close()


def test_tcp_transport(tmp_path: Path) -> None:
    with sim_and_reader(tmp_path, transport="tcp") as (model, sim, _reader, events):
        assert sim.device and sim.device.startswith("socket://127.0.0.1:")
        model.insert("hk_mo_tw")
        card = events.wait_for(READ).card  # type: ignore[attr-defined]
        assert dict(card.extra)["pass_number"] == "H12345678"


def test_logs_carry_no_personal_data(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with sim_and_reader(tmp_path) as (model, _sim, _reader, events):
        for card_id in ("elderly", "invalid_number", "expired"):
            model.remove()
            model.insert(card_id)
            events.wait_for(lambda e, n=len(events.items): len(events.items) > n)
    text = caplog.text
    for card in DEMO.values():
        for value in (card.name, card.id_number, card.address, card.id_number[-6:]):
            if value:
                assert value not in text


def test_transition_table_is_complete() -> None:
    assert set(TRANSITIONS) == set(ReaderState)
    for state, targets in TRANSITIONS.items():
        assert targets <= set(ReaderState) and state not in targets
    assert ReaderState.NO_READER not in HEALTHY_STATES and ReaderState.WAITING_REMOVAL in HEALTHY_STATES


@pytest.mark.parametrize(
    "url, port, baudrate",
    [
        ("serial:///dev/ttyUSB0?baudrate=57600", "/dev/ttyUSB0", 57600),
        ("/dev/ttyS1", "/dev/ttyS1", 115200),
        ("spy+serial:///dev/ttyUSB0?file=/tmp/x", "spy:///dev/ttyUSB0?file=%2Ftmp%2Fx", 115200),
        ("socket://127.0.0.1:7000", "socket://127.0.0.1:7000", 115200),
        ("loop://", "loop://", 115200),
    ],
)
def test_device_urls(url: str, port: str, baudrate: int) -> None:
    parsed, options = parse_device_url(url)
    assert parsed == port and options.baudrate == baudrate


@pytest.mark.parametrize("url", ["serial:///dev/x?baudrate=1234", "serial:///dev/x?baudrate=fast", "ftp://x"])
def test_bad_device_urls(url: str) -> None:
    with pytest.raises(DeviceError):
        parse_device_url(url)


def test_loop_url_reader_hears_only_itself_and_faults(tmp_path: Path) -> None:
    # loop:// echoes our commands back: they are not responses, so the reader is absent.
    reader = open_serial_reader("loop://?reconnect=0.05&attempts=1", DeviceContext(data_dir=tmp_path))
    events = Events()
    reader.subscribe(events)
    reader.open()
    try:
        events.wait_for(lambda e: isinstance(e, DeviceFaulted), timeout=8)
    finally:
        reader.close()


def test_sim_device_through_the_registry(tmp_path: Path) -> None:
    factory = resolve(DeviceKind.IDCARD, "sim:")
    assert factory is open_sim_reader
    reader = factory("sim:?delays=none", DeviceContext(data_dir=tmp_path))
    assert isinstance(reader, SimCardReader)
    actions = {a.action_id.removeprefix("idcard."): a for a in reader.sim_actions()}
    for needed in ("insert_elderly", "insert_adult", "insert_hk_mo_tw", "insert_foreign_2023", "insert_expired",
                   "insert_invalid_number", "remove", "fault_garbage", "fault_bad_checksum", "fault_timeout",
                   "fault_sam_failure", "fault_removed_mid_read", "unplug", "plug", "clear_faults"):
        assert needed in actions
        assert actions[needed].label_key == f"sim.idcard.{needed}"
    events = Events()
    reader.subscribe(events)
    assert reader.health().state is DeviceState.UNKNOWN
    reader.open()
    try:
        actions["insert_elderly"].run()
        event = events.wait_for(READ)
        assert event.card.age(TODAY) >= 60  # type: ignore[attr-defined]
        assert reader.health().url == "sim:?delays=none"
        device = reader.simulator.device
        assert device is not None and os.path.islink(device)
    finally:
        reader.close()
    assert reader.simulator.device is not None and not os.path.exists(reader.simulator.device)


@pytest.mark.parametrize("url", ["sim:?insert=nobody", "sim:?bogus=1", "sim:?cards=/nonexistent.json"])
def test_bad_sim_urls(tmp_path: Path, url: str) -> None:
    with pytest.raises(DeviceError):
        open_sim_reader(url, DeviceContext(data_dir=tmp_path))
