"""The ``CardReader`` port on top of the polling driver, and the registry's factories.

The adapter turns what the poller sees into the core's events, once per transition:
``CardRead`` (with ``id_number_valid``), ``CardRejected`` (with a message key for the
person at the kiosk), ``CardRemoved``, ``DeviceFaulted`` and ``DeviceRecovered``.

Policy decided here:
- an expired card is rejected (``card.expired``): the kiosk then offers the services
  that need no card, so nobody is turned away;
- a card whose number fails validation is still delivered, with
  ``id_number_valid=False``: the check could be wrong about a genuine card (one of the
  foreign formats is only partly documented), so the visit flow decides what to allow
  and shows ``card.invalid_number``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from functools import partial
from typing import Callable
from urllib.parse import parse_qsl, urlsplit

from devices.idcard.driver import (
    HEALTHY_STATES,
    CardPoller,
    DriverOptions,
    ReaderState,
    parse_device_url,
)
from devices.idcard.simulator import DEMO_CARDS, Fault, ResponseDelays, SamModel, SamSimulator, load_cards
from devices.registry import DeviceContext
from kiosk.errors import DeviceError
from kiosk.events import (
    CardRead,
    CardRejected,
    CardRemoved,
    DeviceEvent,
    DeviceFaulted,
    DeviceRecovered,
)
from kiosk.identity import IdentityCard
from kiosk.idnumber import check_number
from kiosk.ports import DeviceHealth, DeviceKind, DeviceState, SimAction

log = logging.getLogger(__name__)

Sink = Callable[[DeviceEvent], None]

_FAULT_KEYS = {
    ReaderState.NO_READER: "idcard.absent",
    ReaderState.FAULT: "idcard.sam_fault",
}


class SerialCardReader:
    """A SAM ID-card reader on a serial line (or ``socket://``, ``loop://``, ``spy://``).

    ``open()`` starts the polling thread and never raises for a missing reader: the
    health says ABSENT and a ``DeviceFaulted`` event follows, and the reader is picked
    up by itself when it appears.
    """

    kind = DeviceKind.IDCARD

    def __init__(
        self,
        url: str,
        context: DeviceContext,
        *,
        port_url: str | None = None,
        options: DriverOptions | None = None,
    ) -> None:
        self.url = url
        self._context = context
        parsed_port, parsed_options = parse_device_url(url) if port_url is None else (port_url, DriverOptions())
        self.port_url = parsed_port
        self.options = options or parsed_options
        self._sinks: list[Sink] = []
        self._poller: CardPoller | None = None
        self._faulted = False
        self._lock = threading.Lock()

    # --- CardReader --------------------------------------------------------------

    def open(self) -> None:
        """Start polling the reader."""
        if self._poller is not None:
            return
        self._poller = CardPoller(self.port_url, self.options, _Listener(self))
        self._poller.start()

    def close(self) -> None:
        """Stop polling and release the port."""
        if self._poller is not None:
            self._poller.stop()
            self._poller = None

    def health(self) -> DeviceHealth:
        """ABSENT without a reader, FAULT when its SAM fails, else READY."""
        poller = self._poller
        if poller is None:
            return DeviceHealth(self.kind, self.url, DeviceState.UNKNOWN, "not open")
        state = poller.state
        if state is ReaderState.NO_READER:
            return DeviceHealth(self.kind, self.url, DeviceState.ABSENT, poller.detail, "idcard.absent")
        if state is ReaderState.FAULT:
            return DeviceHealth(self.kind, self.url, DeviceState.FAULT, poller.detail, "idcard.sam_fault")
        return DeviceHealth(self.kind, self.url, DeviceState.READY, state.value)

    def subscribe(self, sink: Sink) -> None:
        """Deliver this reader's events to ``sink`` (on the poller's thread)."""
        with self._lock:
            self._sinks.append(sink)

    @property
    def state(self) -> ReaderState | None:
        """The poller's state (None before ``open``), for diagnostics and tests."""
        return self._poller.state if self._poller else None

    # --- from the poller -----------------------------------------------------------

    def _emit(self, event: DeviceEvent) -> None:
        with self._lock:
            sinks = list(self._sinks)
        for sink in sinks:
            try:
                sink(event)
            except Exception:  # noqa: BLE001 - one bad subscriber must not stop the reader
                log.exception("idcard: event sink failed on %s", type(event).__name__)

    def _on_card(self, card: IdentityCard) -> None:
        today = self._context.clock.now().date()
        if card.is_expired(today):
            assert card.valid_to is not None
            log.info("idcard: %s card rejected: expired", card.card_type.value)
            self._emit(CardRejected(self.kind, message_key="card.expired", detail=f"expired on {card.valid_to.isoformat()}"))
            return
        check = check_number(card.id_number, birth_date=card.birth_date, gender=card.gender, today=today)
        kind_matches = check.kind is not None and check.kind.value == card.card_type.value
        valid = check.valid and kind_matches
        if not valid:
            problems = [p.value for p in check.problems] + ([] if kind_matches else ["kind_mismatch"])
            log.info("idcard: ID number failed validation (%s)", ", ".join(problems))
        self._emit(CardRead(self.kind, card=card, id_number_valid=valid))

    def _on_failed(self, message_key: str, detail: str) -> None:
        self._emit(CardRejected(self.kind, message_key=message_key, detail=detail))

    def _on_removed(self) -> None:
        self._emit(CardRemoved(self.kind))

    def _on_state(self, old: ReaderState, new: ReaderState, detail: str) -> None:
        healthy = new in HEALTHY_STATES
        if not healthy and not self._faulted:
            self._faulted = True
            self._emit(DeviceFaulted(self.kind, detail=f"{self.url}: {detail}", message_key=_FAULT_KEYS[new]))
        elif healthy and self._faulted:
            self._faulted = False
            self._emit(DeviceRecovered(self.kind))


class _Listener:
    """Adapts the poller's callbacks to the adapter (keeps them off its public API)."""

    def __init__(self, reader: SerialCardReader) -> None:
        self._reader = reader

    def card_read(self, card: IdentityCard) -> None:
        """See :class:`devices.idcard.driver.PollerListener`."""
        self._reader._on_card(card)

    def card_failed(self, message_key: str, detail: str) -> None:
        """See :class:`devices.idcard.driver.PollerListener`."""
        self._reader._on_failed(message_key, detail)

    def card_removed(self) -> None:
        """See :class:`devices.idcard.driver.PollerListener`."""
        self._reader._on_removed()

    def state_changed(self, old: ReaderState, new: ReaderState, detail: str) -> None:
        """See :class:`devices.idcard.driver.PollerListener`."""
        self._reader._on_state(old, new, detail)


class SimCardReader:
    """The ``sim:`` ID-card reader: the simulator on a pty, read by the real serial
    driver, so the app exercises the same code path as with hardware.

    URL parameters: ``cards`` (JSON file; default the demo cards), ``baudrate``,
    ``delays`` (``realistic`` default, or ``none``), ``insert`` (a card id to place at
    open), ``transport`` (``pty`` default, or ``tcp``).
    """

    kind = DeviceKind.IDCARD

    def __init__(self, url: str, context: DeviceContext) -> None:
        self.url = url
        self._context = context
        params = dict(parse_qsl(urlsplit(url).query))
        unknown = set(params) - {"cards", "baudrate", "delays", "insert", "transport"}
        if unknown:
            raise DeviceError(f"idcard: unknown parameter(s) in {url!r}: {', '.join(sorted(unknown))}")
        try:
            cards = load_cards(params.get("cards") or DEMO_CARDS)
            baudrate = int(params.get("baudrate", 115200))
        except (OSError, ValueError, KeyError) as exc:
            raise DeviceError(f"idcard: {url!r}: {exc}") from exc
        delays = ResponseDelays.none() if params.get("delays") == "none" else ResponseDelays()
        self._insert = params.get("insert")
        if self._insert and self._insert not in {c.card_id for c in cards}:
            raise DeviceError(f"idcard: {url!r}: no card {self._insert!r}")
        self.model = SamModel(cards)
        self.simulator = SamSimulator(
            self.model, baudrate=baudrate, delays=delays, transport=params.get("transport", "pty")
        )
        self._options = DriverOptions(baudrate=baudrate, reconnect_interval=0.5)
        self._reader: SerialCardReader | None = None
        self._sinks: list[Sink] = []

    def open(self) -> None:
        """Start the simulator, then the serial driver on its port."""
        if self._reader is not None:
            return
        device = self.simulator.start()
        reader = SerialCardReader(self.url, self._context, port_url=device, options=self._options)
        for sink in self._sinks:
            reader.subscribe(sink)
        self._reader = reader
        reader.open()
        if self._insert:
            self.model.insert(self._insert)

    def close(self) -> None:
        """Stop the driver, then the simulator."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self.simulator.stop()

    def health(self) -> DeviceHealth:
        """The driver's view of the simulated reader."""
        if self._reader is None:
            return DeviceHealth(self.kind, self.url, DeviceState.UNKNOWN, "not open")
        return replace(self._reader.health(), url=self.url)

    def subscribe(self, sink: Sink) -> None:
        """Deliver events to ``sink`` (on the poller's thread)."""
        self._sinks.append(sink)
        if self._reader is not None:
            self._reader.subscribe(sink)

    @property
    def state(self) -> ReaderState | None:
        """The poller's state (None before ``open``)."""
        return self._reader.state if self._reader else None

    def sim_actions(self) -> list[SimAction]:
        """Insert each card, remove it, inject each fault, unplug/plug the reader."""
        # Action ids carry the device ("idcard.…") so they never clash with another
        # simulator's on the technician screen; label keys follow as sim.<id>.
        names = [f"insert_{c}" for c in self.model.cards] + ["remove"]
        runs = [partial(self.model.insert, c) for c in self.model.cards] + [self.model.remove]
        names += [f"fault_{f.value}" for f in Fault] + ["clear_faults", "unplug", "plug"]
        runs += [partial(self.model.inject, f) for f in Fault]
        runs += [self.model.clear_faults, self.simulator.unplug, self.simulator.plug]
        actions = [SimAction(f"idcard.{n}", f"sim.idcard.{n}", run) for n, run in zip(names, runs)]
        return actions


def open_serial_reader(url: str, context: DeviceContext) -> SerialCardReader:
    """Registry factory for ``serial:``, ``spy+serial:``, ``socket:``, ``loop:`` and bare
    paths (not yet opened)."""
    return SerialCardReader(url, context)


def open_sim_reader(url: str, context: DeviceContext) -> SimCardReader:
    """Registry factory for ``sim:`` (not yet opened)."""
    return SimCardReader(url, context)
