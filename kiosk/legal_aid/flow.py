"""The legal-aid application as a feature of the visit (``LegalAidState``).

matter → (ID card) → groups → (hardship declaration) → phone → what happened →
commitment letter → signature → submitted (receipt)

A matter outside legal aid, or a person who does not declare hardship when the law
asks for it, goes to ``LA_OUTSIDE``: it says so plainly and offers a consultation
ticket (and a video call where the terminal has one). Progress look-ups (``LA_PROGRESS``)
ask the centre on the centre asker's worker and come back as ``ProgressAnswered``.

``VisitFlow`` hands legal aid's events here (``on_event``); everything personal sits in
``draft``, which ``wipe`` drops whenever the visit ends.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
from dataclasses import replace
from typing import Any, Callable, Mapping

from kiosk import events as ev
from kiosk.availability import AVAILABLE, Availability, HomeTile, Unavailable
from kiosk.centre_asker import CentreAsker
from kiosk.config import KioskConfig
from kiosk.events import Event
from kiosk.feature import FeatureBase, FeatureContext, State
from kiosk.i18n import Translator
from kiosk.identity import IdentityCard
from kiosk.legal_aid.application import SIGN_METHODS, Draft, ensure_schema, submit, terminal_prefix
from kiosk.legal_aid.data import LegalAidData, load_legal_aid
from kiosk.legal_aid.events import LegalAidAnswered, LegalAidOpened, ProgressAnswered, ProgressOpened
from kiosk.phone import is_mobile
from kiosk.legal_aid.states import LegalAidState as S
from kiosk.ports import CentreError, CentreUnavailable, Clock, Device, DeviceKind, DeviceState
from kiosk.states import VisitState
from kiosk.store import DB_FILENAME, connect
from kiosk.visit import VisitFlow

log = logging.getLogger(__name__)

PROGRESS_ASK = "legal_aid.progress"
CARD_PURPOSE = "legal_aid.card_why"  # the CARD screen's "why" (a translation key)
CARD_PURPOSE_PROGRESS = "legal_aid.card_why_progress"
OUTSIDE_TICKET_SERVICE = "consultation"
MAX_STORY = 1000  # characters of dictation kept (a few minutes of speech)

# The entries and the ways out; forward steps are decided by ``answer``, back steps by
# ``back``.
TRANSITIONS: dict[tuple[State, type[Event]], State] = {
    (VisitState.HOME, LegalAidOpened): S.LA_MATTER,
    (VisitState.HOME, ProgressOpened): S.LA_PROGRESS,
    (S.LA_OUTSIDE, ev.TicketRequested): VisitState.TICKET,  # a consultation ticket instead
}
for _s in S:
    TRANSITIONS[(_s, ev.HomePressed)] = VisitState.HOME
    TRANSITIONS[(_s, ev.Finished)] = VisitState.ATTRACT


class LegalAidFlow(FeatureBase):
    """The legal-aid steps of one terminal's visits (UI thread only, like VisitFlow)."""

    name = "legal_aid"
    states = tuple(S)
    transitions = TRANSITIONS
    events = (LegalAidOpened, LegalAidAnswered, ProgressOpened, ProgressAnswered)
    final = frozenset({S.LA_DONE})
    # The middle of an application: the idle question waits longer.
    multi_step = frozenset(set(S) - {S.LA_DONE, S.LA_OUTSIDE})
    screens = {state.value: f"screens.legal_aid.screens:{_cls}" for state, _cls in (
        (S.LA_MATTER, "LaMatterScreen"), (S.LA_OUTSIDE, "LaOutsideScreen"), (S.LA_GROUP, "LaGroupScreen"),
        (S.LA_HARDSHIP, "LaHardshipScreen"), (S.LA_PHONE, "LaPhoneScreen"), (S.LA_STORY, "LaStoryScreen"),
        (S.LA_LETTER, "LaLetterScreen"), (S.LA_SIGN, "LaSignScreen"), (S.LA_DONE, "LaDoneScreen"),
        (S.LA_PROGRESS, "LaProgressScreen"),
    )}
    config_section = "legal_aid"

    def __init__(self, data: LegalAidData, conn: sqlite3.Connection, config: KioskConfig, clock: Clock,
                 translator: Translator, asker: CentreAsker,
                 devices: Callable[[], Mapping[DeviceKind, Device]] | None = None) -> None:
        self.data = data
        self._conn = conn
        ensure_schema(conn)
        self._config = config
        self._clock = clock
        self._tr = translator
        self._asker = asker  # progress look-ups: on its worker, answers to the event inbox
        self._devices = devices  # the terminal's devices, once it runs (the card reader)
        self.draft = Draft()
        self.progress: dict[str, Any] = {}  # the look-up on screen: state, results, message
        self._lookups = itertools.count(1)

    # --- facts for screens ---------------------------------------------------------------

    @property
    def available(self) -> bool:
        """True when applications can be taken (the centre's public key is configured)."""
        return bool(self._config.legal_aid.public_key)

    def availability(self) -> Availability:
        """Can an application be taken here now? Without the centre's key it could
        not be kept unreadable: the person is sent to the window instead."""
        if not self.available:
            return Unavailable("home.why.legal_aid_key")
        # An application starts from the ID card: with the reader down, say so on the home
        # screen, before the person answers the first questions in vain.
        reader = self._devices().get(DeviceKind.IDCARD) if self._devices is not None else None
        if reader is not None and reader.health().state in (DeviceState.ABSENT, DeviceState.FAULT):
            return Unavailable("card_left.legal_aid_no_reader")
        return AVAILABLE

    def progress_availability(self) -> Availability:
        """Can an application's progress be looked up now? Only the centre knows it."""
        if not self._asker.online():
            return Unavailable("home.why.progress_offline")
        return AVAILABLE

    def tiles(self) -> list[HomeTile]:
        """Apply, and follow an application."""
        return [
            HomeTile("home.tiles.apply", "home.tiles.apply_hint", "apply", "la:open", order=10,
                     spoken_key="legal_aid.home_apply", availability=self.availability),
            HomeTile("home.tiles.progress", "home.tiles.progress_hint", "progress", "la:progress_open", order=20,
                     spoken_key="legal_aid.home_progress", availability=self.progress_availability),
        ]

    def on_event(self, flow: VisitFlow, event: Event, target: State | None) -> State | None:
        """Open an application or a look-up where the table allows it; take an answer
        on legal aid's own screens; keep a look-up's answer."""
        if isinstance(event, LegalAidOpened):
            return self.open(flow) if target is not None else None
        if isinstance(event, ProgressOpened):
            return self.open_progress(flow) if target is not None else None
        if isinstance(event, LegalAidAnswered):
            return self.answer(flow, event) if flow.state in self.states else None
        if isinstance(event, ProgressAnswered):
            self.progress_answered(event)
        return None

    def needs_hardship(self) -> bool:
        """True when the chosen matter asks for hardship and no group waives it."""
        if self.draft.matter is None:
            return True
        matter = self.data.matter(self.draft.matter)
        if not matter.hardship:
            return False
        return not any(self.data.group(g).waives_hardship(matter.code) for g in self.draft.groups)

    def summary(self, language: str) -> str:
        """What the person is about to sign, to check first: matter, groups, hardship,
        the phone (masked but for its last four digits) and the start of the story."""
        d, t = self.draft, self._tr.t
        matter = self.data.matter(d.matter).name.get(language) if d.matter else ""
        groups = "、".join(self.data.group(g).name.get(language) for g in d.groups) or t("legal_aid.ways.summary_none", language=language)
        hardship = t("legal_aid.ways.summary_hardship_yes" if d.hardship else "legal_aid.ways.summary_hardship_no", language=language)
        phone = f"{d.phone[:3]}****{d.phone[-4:]}" if len(d.phone) >= 8 else d.phone
        story = d.story if len(d.story) <= 60 else d.story[:60] + "……"
        story = story or t("legal_aid.ways.summary_story_none", language=language)
        return t("legal_aid.ways.summary", language=language, matter=matter, groups=groups, hardship=hardship, phone=phone, story=story)

    def letter_text(self, card: IdentityCard | None, language: str) -> str:
        """The commitment letter (承诺书) as shown, read aloud and signed."""
        name = card.masked_name if card else ""
        number = card.masked_id_number if card else ""
        key = "legal_aid.letter_body" if self.draft.hardship else "legal_aid.letter_body_nohardship"
        return self._tr.t(key, language=language, name=name, id=number)

    # --- steps ---------------------------------------------------------------------------

    def wipe(self) -> None:
        """Forget everything of the last person (the visit ended)."""
        self.draft = Draft()
        self.progress = {}

    def open(self, flow: VisitFlow) -> State | None:
        """Start an application (home → matter)."""
        if not self.available:
            # No key: an application could not be kept unreadable here. Send to the window.
            log.warning("legal aid: no centre public key configured; applications are off")
            flow.set_notice("legal_aid.unavailable")
            return None
        self.draft = Draft()
        return S.LA_MATTER

    def answer(self, flow: VisitFlow, event: LegalAidAnswered) -> State | None:
        """One answer; returns the next state (None: stay, the screen refreshes)."""
        d = self.draft
        step, value = event.step, event.value
        state = flow.state
        if step == "matter" and state is S.LA_MATTER:
            matter = self.data.matter(value)
            d.matter = matter.code
            if not matter.within:
                d.outside_reason = "matter"
                return self._outside(flow)
            d.outside_reason = None
            return flow.ask_for_card(CARD_PURPOSE, self._card_read, back_to=S.LA_MATTER, window_service="legal_aid")
        if step == "group" and state is S.LA_GROUP:
            if value == "done":
                return S.LA_HARDSHIP if self.needs_hardship() else S.LA_PHONE
            if value == "none":
                d.declared_groups.clear()
                return S.LA_HARDSHIP if self.needs_hardship() else S.LA_PHONE
            group = self.data.group(value)
            if not group.from_card:
                d.declared_groups.symmetric_difference_update({group.code})  # press again to take back
            return None
        if step == "hardship" and state is S.LA_HARDSHIP:
            d.hardship = value == "yes"
            if not d.hardship:
                d.outside_reason = "hardship"
                return self._outside(flow)
            return S.LA_PHONE
        if step == "phone" and state is S.LA_PHONE:
            if not is_mobile(value):
                flow.set_notice("numpad.not_mobile")
                return None
            d.phone = value
            return S.LA_STORY
        if step == "story" and state is S.LA_STORY:
            if value == "done":
                return S.LA_LETTER
            if value == "skip":
                d.story = ""
                return S.LA_LETTER
            if value == "clear":
                d.story = ""
                return None
            if value == "redo":
                d.story = ""
                return None
            # Dictated words (kept to a sane length: a person may forget to stop).
            d.story = (d.story + (" " if d.story and not d.story.endswith(" ") else "") + value.strip())[:MAX_STORY]
            return None
        if step == "letter" and state is S.LA_LETTER and value == "agree":
            return S.LA_SIGN
        if step == "progress" and state is S.LA_PROGRESS and value == "card":
            return self.progress_by_card(flow)
        if step == "sign" and state is S.LA_SIGN:
            return self._sign(flow, event.value or "signature", event.data)
        log.warning("legal aid: answer %s out of place in %s", step, state.value)
        return None

    def _outside(self, flow: VisitFlow) -> State:

        # The ticket offered there is for a free consultation with the lawyer on duty.
        codes = {s.code for s in flow.catalog.services}
        service = OUTSIDE_TICKET_SERVICE if OUTSIDE_TICKET_SERVICE in codes else flow.catalog.services[0].code
        flow.visit = replace(flow.visit, service=service)
        return S.LA_OUTSIDE

    def _card_read(self, flow: VisitFlow, card: IdentityCard) -> State:

        self.draft.card_groups = tuple(self.data.card_groups(card.birth_date, self._clock.now().date()))
        return S.LA_GROUP

    def _sign(self, flow: VisitFlow, method: str, png: bytes) -> State | None:

        if method not in SIGN_METHODS:
            log.warning("legal aid: unknown way of signing %r", method)
            flow.set_notice("error.generic")
            return None
        if method != "window" and not png:
            flow.set_notice("legal_aid.ways.fingerprint_empty" if method == "fingerprint" else "legal_aid.sign_empty")
            return None
        # "window": the application is kept, unsigned; staff have the person sign it there.
        self.draft.sign_method = method
        png = png if method != "window" else b""
        card = flow.visit.card
        if card is None or self.draft.matter is None or not self.draft.phone:
            flow.set_notice("error.generic")
            return None
        self.draft.signature_png = png
        cfg = self._config
        try:
            self.draft.submitted = submit(
                self._conn,
                self.draft,
                card,
                public_key=cfg.legal_aid.public_key,
                terminal_id=cfg.terminal_id,
                site=cfg.site_name,
                prefix=terminal_prefix(cfg.terminal_id, cfg.legal_aid.number_prefix),
                at=self._clock.now(),
                language=flow.visit.language,
                letter_text=self.letter_text(card, "zh_CN"),
            )
        except (ValueError, sqlite3.Error) as exc:  # SealError is a ValueError
            # Nothing was written (one transaction): the person is told, the technician logged.
            log.error("legal aid: application not saved: %s", type(exc).__name__)
            flow.set_notice("legal_aid.not_saved")
            return None
        # Only the number goes to the log: it is how staff find it, and names nobody.
        log.info("legal aid: application %s queued for the centre", self.draft.submitted.number)
        return S.LA_DONE

    def back(self, flow: VisitFlow, state: State) -> State | None:
        """One step back from a legal-aid state."""
        d = self.draft
        if state is S.LA_OUTSIDE:
            return S.LA_HARDSHIP if d.outside_reason == "hardship" else S.LA_MATTER
        if state is S.LA_PHONE:
            return S.LA_HARDSHIP if self.needs_hardship() else S.LA_GROUP
        steps: dict[State, State] = {
            S.LA_MATTER: VisitState.HOME,
            S.LA_GROUP: S.LA_MATTER,
            S.LA_HARDSHIP: S.LA_GROUP,
            S.LA_STORY: S.LA_PHONE,
            S.LA_LETTER: S.LA_STORY,
            S.LA_SIGN: S.LA_LETTER,
            S.LA_DONE: VisitState.HOME,  # submitted: there is nothing to go back to
            S.LA_PROGRESS: VisitState.HOME,
        }
        return steps.get(state)

    # --- progress look-up ------------------------------------------------------------------

    def open_progress(self, flow: VisitFlow) -> State:
        """Home → the look-up screen (number on the keypad, or the ID card)."""
        self.progress = {}
        return S.LA_PROGRESS

    def progress_by_card(self, flow: VisitFlow) -> State | None:
        """Look up by ID card: the card step first (skipped when a card was read)."""
        if not self.available:
            # The ID number may only travel sealed: without the centre's key, by number only.
            flow.set_notice("legal_aid.progress_error")
            return None

        def read(flow: VisitFlow, card: IdentityCard) -> State:
            self.lookup(card=card)
            return S.LA_PROGRESS

        return flow.ask_for_card(CARD_PURPOSE_PROGRESS, read, back_to=S.LA_PROGRESS, window_service="legal_aid")

    def lookup(self, number: str | None = None, card: IdentityCard | None = None) -> None:
        """Ask the centre on a worker; the answer comes back as ``ProgressAnswered``."""
        lookup_id = next(self._lookups)
        self.progress = {"id": lookup_id, "state": "asking", "by": "card" if card else "number"}
        from kiosk.legal_aid.sealing import seal  # deferred: cryptography is loaded on first use, not at start-up

        if card is not None:
            # The ID number crosses sealed: only the centre can read it (and keeps only a keyed hash).
            args = {"sealed_id": seal(self._config.legal_aid.public_key, card.id_number.upper().encode(), b"progress")}
        else:
            args = {"number": number or ""}
        asker = self._asker

        def work() -> ProgressAnswered:
            try:
                answer = asker.ask(PROGRESS_ASK, args, timeout=10.0)
                return ProgressAnswered(lookup_id, tuple(answer.get("applications") or ()))
            except CentreUnavailable:
                return ProgressAnswered(lookup_id, (), "legal_aid.progress_offline")
            except CentreError as exc:
                log.warning("progress look-up refused: %s", exc.code)
                return ProgressAnswered(lookup_id, (), "legal_aid.progress_error")
            except Exception:  # noqa: BLE001 — the person is told; the kiosk goes on
                log.exception("progress look-up failed")
                return ProgressAnswered(lookup_id, (), "legal_aid.progress_error")

        asker.run(work, "legal-aid progress")

    def progress_answered(self, event: ProgressAnswered) -> None:
        """Keep the answer for the screen (an older look-up's answer is dropped)."""
        if self.progress.get("id") != event.lookup_id:
            return
        self.progress = {**self.progress, "state": "answered", "applications": list(event.applications), "message_key": event.message_key}


def setup(ctx: FeatureContext) -> LegalAidFlow:
    """Legal aid's steps, on a connection of their own."""
    return LegalAidFlow(load_legal_aid(), connect(ctx.data_dir / DB_FILENAME), ctx.config, ctx.clock, ctx.translator, ctx.asker,
                        ctx.devices)
