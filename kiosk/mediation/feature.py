"""Remote mediation as a feature of the visit: the invitation tile, consent, the ID card
check, the room, signing. Every question to the centre runs on the one ``CentreAsker``
worker (asks ``mediation.*``, answered by fleet/mediation/web.py) and comes back as an
event; nothing here waits on the network.

Personal data: the card's name never leaves the terminal; the centre is sent a hash of
the session and the name (``name_proof``) and answers whether it is the invited party's.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Callable, Mapping

from kiosk import events as ev
from kiosk.announce import Announcer, CallAnnounced
from kiosk.availability import AVAILABLE, Availability, HomeTile, Unavailable
from kiosk.centre_asker import CentreAsker
from kiosk.errors import QueueError
from kiosk.events import Event
from kiosk.feature import FeatureBase, FeatureContext, State
from kiosk.identity import IdentityCard
from kiosk.i18n import Translator
from kiosk.mediation.events import (MediationConsented, MediationCopyFailed, MediationCopyPrinted, MediationCopyReady, MediationFailed,
                                    MediationHungUp, MediationInvitations, MediationJoined, MediationOpened, MediationSigned,
                                    MediationSignOpened, MediationUpdated)
from kiosk.mediation.media import RoomMedia
from kiosk.mediation.party_copy import CopyError, checked, fetch_agreement, marked, print_copy
from kiosk.mediation.states import MediationState as M
from kiosk.outbox import add_event
from kiosk.ports import A4Printer, CentreError, CentreUnavailable, Clock, Device, DeviceKind, DeviceState, Speaker
from kiosk.queue import QueueService
from kiosk.states import VisitState
from kiosk.store import DB_FILENAME, connect
from kiosk.tickets import TicketState

log = logging.getLogger(__name__)

# The service whose tickets a party is called by (人民调解) and where the call sends them.
CALL_SERVICE = "mediation"
CALL_PLACE = "terminal"
# How often the terminal asks the centre whether a party here is invited or called: often
# while a session invites someone here (a call is heard within seconds), rarely otherwise.
POLL_INVITED_S = 3.0
POLL_IDLE_S = 20.0
CALL_TEMPLATE_KEY = "mediation_call.announce"
DEFAULT_CALL_TEMPLATE = "请{number}到自助终端参加远程调解"
_NUMBER = re.compile(r"^[A-Z][0-9]{3}$")

TRANSITIONS: dict[tuple[State, type[Event]], State] = {
    (VisitState.HOME, MediationOpened): M.INVITE,
    # The invitation offered on the attract screen to a party called by their ticket.
    (VisitState.ATTRACT, MediationOpened): M.INVITE,
    (M.INVITE, ev.BackPressed): VisitState.HOME,
    (M.INVITE, ev.HomePressed): VisitState.HOME,
    (M.INVITE, ev.Finished): VisitState.ATTRACT,
    (M.REFUSED, ev.HomePressed): VisitState.HOME,
    (M.REFUSED, ev.BackPressed): VisitState.HOME,
    (M.REFUSED, ev.Finished): VisitState.ATTRACT,
    (M.CONNECTING, MediationJoined): M.ROOM,
    (M.CONNECTING, MediationFailed): M.INVITE,
    (M.CONNECTING, ev.Finished): VisitState.ATTRACT,
    (M.ROOM, MediationSignOpened): M.SIGN,
    (M.ROOM, MediationHungUp): M.ENDED,
    (M.ROOM, ev.Finished): VisitState.ATTRACT,
    (M.SIGN, MediationSigned): M.ROOM,
    (M.SIGN, ev.BackPressed): M.ROOM,
    (M.SIGN, MediationHungUp): M.ENDED,
    (M.SIGN, ev.Finished): VisitState.ATTRACT,
    (M.ENDED, ev.HomePressed): VisitState.HOME,
    (M.ENDED, ev.BackPressed): VisitState.HOME,
    (M.ENDED, ev.Finished): VisitState.ATTRACT,
}


def name_proof(session_id: str, name: str) -> str:
    """The hash the centre compares with the invited party's name (same formula there:
    fleet/mediation/sessions.py); the name itself is never sent."""
    return hashlib.sha256(f"{session_id}:{name.strip()}".encode()).hexdigest()


class MediationFeature(FeatureBase):
    """The invited party's steps; the centre's answers come as events."""

    name = "mediation"
    states = tuple(M)
    transitions = TRANSITIONS
    events = (MediationInvitations, MediationOpened, MediationConsented, MediationJoined, MediationFailed, MediationUpdated,
              MediationSignOpened, MediationSigned, MediationHungUp, MediationCopyReady, MediationCopyFailed, MediationCopyPrinted)
    # Nobody is timed out while talking to the mediator or signing (elder mode or not).
    untimed = frozenset({M.CONNECTING, M.ROOM, M.SIGN})
    final = frozenset({M.ENDED, M.REFUSED})
    multi_step = frozenset({M.INVITE})
    screens = {
        "mediation_invite": "screens.mediation.screens:MediationInviteScreen",
        "mediation_refused": "screens.mediation.screens:MediationRefusedScreen",
        "mediation_connecting": "screens.mediation.screens:MediationConnectingScreen",
        "mediation_room": "screens.mediation.screens:MediationRoomScreen",
        "mediation_sign": "screens.mediation.screens:MediationSignScreen",
        "mediation_ended": "screens.mediation.screens:MediationEndedScreen",
    }

    def __init__(self, asker: CentreAsker, data_dir: Path | None = None, clock: Clock | None = None,
                 devices: Callable[[], Mapping[DeviceKind, Device]] | None = None, translator: Translator | None = None, *,
                 queue: QueueService | None = None, speaker: Callable[[], Speaker | None] | None = None,
                 call_template: str | None = None, language: str = "zh_CN") -> None:
        self.asker = asker
        self.data_dir = data_dir
        self.clock = clock
        self.devices = devices or dict
        self.translator = translator or Translator()
        self.joined = False  # this visit took part in the session (counted once when it ends)
        self.invitations: tuple[dict[str, Any], ...] = ()  # at this terminal now (from the centre)
        self.session: dict[str, Any] | None = None  # the invitation being taken up
        self.room_pass: dict[str, Any] | None = None
        self.doc: dict[str, Any] = {}  # the centre's latest word on the session
        self.signed = False
        # The party's copy of the signed agreement: "" (none yet), fetching, printing,
        # printed (on A4), receipt (the receipt with the QR instead; copy_reason says why).
        self.copy = ""
        self.copy_reason: str | None = None
        # The party's media, made when a session is joined (kiosk.bootstrap wires it;
        # None: this terminal has no camera stack, the room shows no pictures).
        self.media_factory: Callable[[], RoomMedia] | None = None
        # Calling a party by their ticket (docs/mediation.md, "Called by the ticket"):
        # the queue the ticket is in, the speaker that says the call, the words.
        self.queue = queue
        self._speaker = speaker or (lambda: None)
        self._announcer_template = call_template or DEFAULT_CALL_TEMPLATE
        self._language = language
        # session → {"number", "masked", "call_id"}: a party called here and not yet
        # joined, offered the invitation on the attract screen. It belongs to the
        # terminal, not to a visit: a wipe keeps it.
        self.called: dict[str, dict[str, str]] = {}
        # session → the call held while another visitor uses the terminal.
        self.held: dict[str, dict[str, Any]] = {}
        # call id → what this terminal did with it; the ids whose answer reached the centre.
        # A call is acted on once: an answer lost on the way is told again, not redone.
        self._results: dict[str, str] = {}
        self._told: set[str] = set()
        self._poll_stop = threading.Event()
        self._poller: threading.Thread | None = None

    # ---- the home tile -------------------------------------------------------------------
    def availability(self) -> Availability:
        """Offered only while this terminal has an invited party now."""
        return AVAILABLE if self.invitations else Unavailable("mediation.none", hidden=True)

    def tiles(self) -> list[HomeTile]:
        """The invitation, first of all tiles when there is one."""
        return [HomeTile("mediation.tile", "mediation.tile_hint", "video", "mediation:open", order=6,
                         spoken_key="mediation.tile", availability=self.availability)]

    def observe(self, flow: Any, old: State, new: State, event: Event) -> None:
        """On the way to home (and on the attract screen) ask the centre whether a
        party is invited here now."""
        if new in (VisitState.HOME, VisitState.ATTRACT) and old != new:
            self.refresh_invitations()
        if new is M.ENDED and old is not M.ENDED:
            self.start_copy()
        if new is VisitState.ATTRACT and old is not VisitState.ATTRACT and self.held:
            # The visitor who had the terminal is done: the calls held for them now.
            for sid, call in list(self.held.items()):
                self._call(flow, sid, call)
        if self._poller is None:
            self.start_polling()

    # ---- the party's copy of the agreement ----------------------------------------------------
    def a4_printer(self) -> A4Printer | None:
        """This terminal's A4 printer, or None."""
        device = self.devices().get(DeviceKind.A4PRINTER)
        return device if isinstance(device, A4Printer) else None

    def start_copy(self) -> None:
        """The session ended with a confirmed agreement: its A4 copy where this terminal
        has a usable A4 printer (fetched, checked, marked, printed on workers), else the
        receipt with the QR (``copy`` says which; the app prints the receipt)."""
        sha = str(self.doc.get("sha256") or "")
        if self.session is None or not sha or self.copy:
            return
        sid = str(self.session["session_id"])
        printer = self.a4_printer()
        if printer is None:
            self._copy_on_receipt("mediation_a4.no_a4")
            return
        health = printer.health()
        if health.state in (DeviceState.ABSENT, DeviceState.FAULT):
            self._copy_on_receipt(health.message_key or "a4printer.absent")
            return
        self.copy, self.copy_reason = "fetching", None
        tr = self.translator.t
        marks = [tr("mediation_a4.mark", "zh_CN", sid=sid), tr("mediation_a4.mark_hash", "zh_CN", h=sha)]

        def job() -> Event:
            try:
                pdf = marked(checked(fetch_agreement(self.asker.ask, sid), sha), marks)
            except CopyError as exc:
                log.warning("mediation %s: no A4 copy: %s", sid, exc)
                return MediationCopyFailed(sid, exc.message_key)
            return MediationCopyReady(sid, pdf)

        self.asker.run(job, "mediation.agreement")

    def _copy_on_receipt(self, reason: str) -> None:
        self.copy, self.copy_reason = "receipt", reason

    def _print_copy(self, flow: Any, event: MediationCopyReady) -> None:
        printer = self.a4_printer()
        if printer is None:
            self._copy_on_receipt("mediation_a4.no_a4")
            return
        self.copy = "printing"
        post = flow.inbox.post

        def work() -> None:
            # On a thread of its own: CUPS may take a minute, the asks must not wait for it.
            try:
                print_copy(printer, event.pdf, event.session_id)
            except CopyError as exc:
                post(MediationCopyFailed(event.session_id, exc.message_key))
                return
            post(MediationCopyPrinted(event.session_id))

        threading.Thread(target=work, name="mediation-a4", daemon=True).start()

    def start_polling(self) -> None:
        """Ask the centre for invitations and calls on a timer, whatever the screen
        shows (a call must reach a terminal sitting on its attract screen)."""
        if self._poller is not None:
            return
        self._poll_stop.clear()
        self._poller = threading.Thread(target=self._poll_loop, name="mediation-invited", daemon=True)
        self._poller.start()

    def stop_polling(self) -> None:
        """Stop the timer (the app stops; a test ends)."""
        self._poll_stop.set()
        if self._poller is not None:
            self._poller.join(timeout=5)
            self._poller = None

    def _poll_loop(self) -> None:
        last = time.monotonic()
        # Looks every second whether a poll is due: a terminal that has just learnt of
        # an invitation goes over to the short period at once.
        while not self._poll_stop.wait(1.0):
            if time.monotonic() - last < (POLL_INVITED_S if self.invitations else POLL_IDLE_S):
                continue
            last = time.monotonic()
            try:
                self.refresh_invitations()
            except RuntimeError:  # the asker's worker was shut down: the terminal is closing
                return

    def refresh_invitations(self) -> None:
        """Ask the centre (on the asker's worker) which sessions invite a party here."""
        if not self.asker.online():
            return

        def job() -> Event | None:
            try:
                got = self.asker.ask("mediation.invited", {}, timeout=5.0)
            except (CentreUnavailable, CentreError) as exc:
                log.info("mediation invitations: %s", exc)
                return None
            return MediationInvitations(tuple(got.get("invitations") or ()))

        self.asker.run(job, "mediation.invited")

    # ---- the steps ------------------------------------------------------------------------
    def on_event(self, flow: Any, event: Event, target: State | None) -> State | None:
        """Answer the feature's events (the table gives the plain steps)."""
        if isinstance(event, MediationInvitations):
            self.invitations = event.invitations
            self._follow_calls(flow)
            return None
        if isinstance(event, MediationOpened):
            found = [i for i in self.invitations if not event.session_id or i["session_id"] == event.session_id]
            if flow.state is VisitState.ATTRACT and not event.session_id:
                found = []  # from the attract screen only the called party's own invitation
            if not found or target is None:
                return None
            self.session = dict(found[0])
            return target
        if isinstance(event, MediationConsented) and flow.state is M.INVITE and self.session is not None:
            if not event.yes:
                self._ask_join(consent=False)
                return M.REFUSED
            return flow.ask_for_card("mediation.card_purpose", self._card_read, M.INVITE)
        if isinstance(event, MediationJoined):
            self.room_pass = dict(event.room_pass)
            self.joined = True
            if self.session is not None:
                self._finish_call(str(self.session["session_id"]), TicketState.DONE)
            return target
        if isinstance(event, MediationFailed):
            flow.set_notice(f"mediation.failed_{event.reason}" if event.reason in (
                "not_verified", "offline", "not_invited") else "mediation.failed_failed")
            return target
        if isinstance(event, MediationUpdated):
            self.doc = dict(event.doc)
            if self.doc.get("state") in ("closed", "cancelled") and flow.state in (M.ROOM, M.SIGN):
                self._count()
                return M.ENDED
            return None
        if isinstance(event, MediationSigned) and flow.state is M.SIGN and self.session is not None:
            self._ask("sign", {"png": base64.b64encode(event.png).decode()})
            self.signed = True
            return target
        if isinstance(event, (MediationCopyReady, MediationCopyFailed, MediationCopyPrinted)):
            # An answer for a visit that has ended (wiped) changes nothing on screen.
            if self.session is None or event.session_id != str(self.session["session_id"]):
                return None
            if isinstance(event, MediationCopyReady):
                self._print_copy(flow, event)
            elif isinstance(event, MediationCopyFailed):
                self._copy_on_receipt(event.reason)
            else:
                self.copy, self.copy_reason = "printed", None
            return None
        if isinstance(event, MediationHungUp) and self.session is not None:
            self._ask("leave", {})
            self._count()
            return target
        return target

    # ---- called by the ticket ------------------------------------------------------------
    def _follow_calls(self, flow: Any) -> None:
        """What the centre's answer says of calls: a new call is checked against the
        queue and called (or held while someone else uses the terminal); a session that
        no longer invites anyone here ends its call (the ticket a no-show)."""
        open_sids = {str(i.get("session_id")) for i in self.invitations}
        for sid in [s for s in self.called if s not in open_sids]:
            self._finish_call(sid, TicketState.NO_SHOW)
        for sid in [s for s in self.held if s not in open_sids]:
            del self.held[sid]
        for inv in self.invitations:
            call = inv.get("call")
            if not isinstance(call, dict):
                continue
            sid, cid = str(inv["session_id"]), str(call.get("id", ""))
            if cid in self._results:
                if cid not in self._told:
                    self._tell(sid, call, self._results[cid])
                continue
            if sid in self.held and self.held[sid]["id"] == call.get("id"):
                continue  # already held, already told
            number = str(call.get("number", "")).strip().upper()
            refused = self._check_ticket(number)
            if refused is not None:
                self._tell(sid, call, refused)
                continue
            entry = {"id": str(call["id"]), "number": number, "masked": str(inv.get("masked", ""))}
            if flow.state is not VisitState.ATTRACT:
                # Someone is in the middle of a visit: their screen is theirs, and the
                # terminal says nothing over it. The call is made when the visit ends.
                self.held[sid] = entry
                self._tell(sid, call, "busy")
                log.info("mediation %s: call of %s held while the terminal is in use", sid, number)
                continue
            self._call(flow, sid, entry)

    def _check_ticket(self, number: str) -> str | None:
        """None if ``number`` is a ticket of today for mediation that can be called
        here; otherwise why not (the desk shows it)."""
        if self.queue is None:
            return "no_queue"
        if not _NUMBER.match(number):
            return "bad_number"
        ticket = self.queue.find(number)
        if ticket is None:
            return "unknown_ticket"
        if ticket.service != CALL_SERVICE:
            return "wrong_service"
        if ticket.state is TicketState.WAITING or (ticket.state is TicketState.CALLED and ticket.window is None):
            return None
        return "not_waiting"  # at a window now, or finished

    def _call(self, flow: Any, sid: str, entry: dict[str, Any]) -> None:
        """Record the call in the queue (as a window's call is), say it twice as calls
        are said, and offer the invitation on the attract screen."""
        self.held.pop(sid, None)
        assert self.queue is not None
        number = entry["number"]
        try:
            self.queue.call_number(number, CALL_SERVICE, CALL_PLACE)
        except QueueError as exc:
            log.info("mediation %s: call of %s refused: %s", sid, number, exc)
            self._tell(sid, entry, "not_waiting")
            return
        self.called[sid] = {"number": number, "masked": entry["masked"], "call_id": entry["id"]}
        speaker = self._speaker()
        if speaker is not None:
            Announcer(speaker, self._language, self._announcer_template).announce(CallAnnounced(number, 0, CALL_SERVICE))
        self._tell(sid, entry, "called")

    def _finish_call(self, sid: str, state: TicketState) -> None:
        """The called party joined (done) or the session is over without them (no-show)."""
        called = self.called.pop(sid, None)
        if called is not None and self.queue is not None:
            self.queue.finish_number(called["number"], state)

    def _tell(self, sid: str, call: dict[str, Any], result: str) -> None:
        """The centre's answer to a call (on the asker's worker; nobody waits for it)."""
        call_id = str(call.get("id", ""))
        if result != "busy":
            self._results[call_id] = result

        def job() -> Event | None:
            try:
                self.asker.ask("mediation.called", {"session_id": sid, "call_id": call_id, "result": result})
            except (CentreUnavailable, CentreError) as exc:
                log.warning("mediation %s: call answer %s: %s", sid, result, exc)  # told again at the next poll
                return None
            if result != "busy":
                self._told.add(call_id)
            return None

        self.asker.run(job, "mediation.called")

    def offered(self) -> tuple[str, dict[str, str]] | None:
        """The called party whose invitation the attract screen offers (the latest call)."""
        for sid, called in reversed(list(self.called.items())):
            if any(str(i.get("session_id")) == sid for i in self.invitations):
                return sid, called
        return None

    def _card_read(self, flow: Any, card: IdentityCard) -> State:
        """The card is checked against the invitation by the centre (a hash, never the name)."""
        assert self.session is not None
        sid = str(self.session["session_id"])
        proof = name_proof(sid, card.name)

        def job() -> Event:
            try:
                if not self.asker.ask("mediation.verified", {"session_id": sid, "name_proof": proof}).get("verified"):
                    return MediationFailed("not_verified")
                got = self.asker.ask("mediation.join", {"session_id": sid, "consent": True})
            except CentreUnavailable:
                return MediationFailed("offline")
            except CentreError as exc:
                log.warning("mediation %s: %s", sid, exc)
                return MediationFailed("not_invited")
            if not isinstance(got.get("pass"), dict):
                return MediationFailed("failed")
            return MediationJoined(got["pass"])

        self.asker.run(job, "mediation.join")
        return M.CONNECTING

    def _ask_join(self, consent: bool) -> None:
        self._ask("join", {"consent": consent})

    def _ask(self, what: str, args: dict[str, Any]) -> None:
        """An ask whose answer nobody waits for (its effect shows in the next update)."""
        if self.session is None:
            return
        sid = str(self.session["session_id"])

        def job() -> Event | None:
            try:
                self.asker.ask(f"mediation.{what}", {"session_id": sid, **args})
            except (CentreUnavailable, CentreError) as exc:
                log.warning("mediation %s: %s: %s", sid, what, exc)
            return None

        self.asker.run(job, f"mediation.{what}")

    def poll(self) -> None:
        """Ask the centre for the session's state (the room screen does this every
        second): the agreement, the side-room, muting, the hash once signed."""
        if self.session is None:
            return
        sid = str(self.session["session_id"])
        last = dict(self.doc)

        def job() -> Event | None:
            try:
                return MediationUpdated(self.asker.ask("mediation.state", {"session_id": sid}, timeout=5.0))
            except CentreError as exc:
                # The session is gone at the centre (closed): the room is over; what was
                # last said of it (the agreement's hash) stays on screen.
                log.info("mediation %s: %s", sid, exc)
                return MediationUpdated({**last, "state": "closed"})
            except CentreUnavailable:
                return None

        self.asker.run(job, "mediation.state")

    def _count(self) -> None:
        """The bureau's figure: a session a party here took part in, and whether it
        ended with a signed agreement (an outbox event, no person)."""
        if not self.joined or self.data_dir is None or self.clock is None:
            return
        self.joined = False
        at = self.clock.now()
        try:
            conn = connect(self.data_dir / DB_FILENAME)
            try:
                with conn:  # one transaction: the event is stored or not at all
                    add_event(conn, "mediation_session", {"day": at.date().isoformat(), "agreement": bool(self.doc.get("sha256"))}, at)
            finally:
                conn.close()
        except sqlite3.Error:
            log.exception("mediation_session event not recorded")

    def wipe(self) -> None:
        """The next person sees nothing of this session (the invitations stay: they
        belong to the terminal, not to the person)."""
        self.session = None
        self.room_pass = None
        self.doc = {}
        self.signed = False
        self.copy = ""
        self.copy_reason = None


def setup(ctx: FeatureContext) -> MediationFeature:
    """The feature, from the terminal's parts (its media are made by the app's side)."""
    template = ctx.translator.t(CALL_TEMPLATE_KEY)
    return MediationFeature(ctx.asker, ctx.data_dir, ctx.clock, ctx.devices, ctx.translator, queue=ctx.queue,
                            speaker=lambda: _speaker(ctx),
                            call_template=template if template != CALL_TEMPLATE_KEY else None, language=ctx.config.language)


def _speaker(ctx: FeatureContext) -> Speaker | None:
    device = ctx.devices().get(DeviceKind.SPEAKER)
    return device if isinstance(device, Speaker) else None
