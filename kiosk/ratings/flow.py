"""The rating steps of a visit as a feature: which served ticket, then the faces."""

from __future__ import annotations

from kiosk import events as ev
from kiosk.availability import HomeTile
from kiosk.events import Event
from kiosk.feature import FeatureBase, FeatureContext, State
from kiosk.queue import QueueService
from kiosk.ratings.book import BAD_REASONS, GOOD_REASONS, REASONS, SCORES, VIDEO_SERVICE, RatingBook, RatingError, Source
from kiosk.ratings.events import RatingAsked, RatingOpened
from kiosk.ratings.states import RatingState
from kiosk.states import VisitState
from kiosk.store import DB_FILENAME, connect
from kiosk.tickets import Ticket
from kiosk.visit import VisitFlow

# Rating a served ticket from home (by its digits), or the ticket just taken.
TRANSITIONS: dict[tuple[State, type[Event]], State] = {
    (VisitState.HOME, RatingOpened): RatingState.RATE_TICKET,
    (VisitState.TICKET, RatingOpened): RatingState.RATE,
    (VisitState.DONE, RatingOpened): RatingState.RATE,
}
for _s in RatingState:
    TRANSITIONS[(_s, ev.HomePressed)] = VisitState.HOME
    TRANSITIONS[(_s, ev.Finished)] = VisitState.ATTRACT


class RatingFlow(FeatureBase):
    """The rating steps of a visit (``RatingState``): which ticket (at the kiosk, by the
    digits of its number), then the faces and reasons."""

    name = "ratings"
    states = tuple(RatingState)
    transitions = TRANSITIONS
    events = (RatingOpened, RatingAsked)
    multi_step = frozenset(RatingState)
    screens = {
        "rate_ticket": "screens.ratings.screens:RatingTicketScreen",
        "rate": "screens.ratings.screens:RatingScreen",
    }

    def __init__(self, book: RatingBook, queue: QueueService) -> None:
        self.book = book
        self._queue = queue
        self.wipe()

    def wipe(self) -> None:
        """Forget the choices (a rating holds nothing personal, but the next person starts clean)."""
        self.source = Source.TICKET
        self.ticket: Ticket | None = None
        self.candidates: list[Ticket] = []
        self.searched = False
        self.score: int | None = None
        self.reasons: list[str] = []
        self.given = False

    @property
    def service(self) -> str | None:
        """What is being rated."""
        if self.source is Source.VIDEO:
            return VIDEO_SERVICE
        return self.ticket.service if self.ticket else None

    def open(self, flow: VisitFlow, source: str) -> State:
        """``rate:video`` (after a video call) or ``rate:ticket`` (a served ticket)."""
        self.wipe()
        if source == Source.VIDEO.value:
            self.source = Source.VIDEO
            return RatingState.RATE
        ticket = flow.visit.ticket
        if ticket is not None:
            current = self._queue.get(ticket.ticket_id)
            if current is not None and self.book.can_rate(current):
                self.ticket = current
                return RatingState.RATE
        return RatingState.RATE_TICKET

    def asked(self, flow: VisitFlow, step: str, value: str) -> State | None:
        """One choice on a rating screen."""
        if step == "digits":
            self.candidates = self.book.recently_served(value, self._queue.tickets())
            self.searched = True
            if len(self.candidates) == 1:
                self.ticket = self.candidates[0]
                return RatingState.RATE
            return None
        if step == "ticket":
            chosen = next((t for t in self.candidates if str(t.ticket_id) == value), None)
            if chosen is not None:
                self.ticket = chosen
                return RatingState.RATE
            return None
        if self.given:
            return None
        if step == "score" and value.isdigit() and int(value) in SCORES:
            self.score = int(value)
            # Reasons that praise fit a good score, complaints a poor one: keep only those that fit.
            fitting = GOOD_REASONS if self.score >= 4 else BAD_REASONS if self.score <= 2 else REASONS
            self.reasons = [r for r in self.reasons if r in fitting]
            return None
        if step == "reason" and value in REASONS and self.score is not None:
            if value in self.reasons:
                self.reasons.remove(value)
            else:
                self.reasons.append(value)
            return None
        if step == "submit" and self.score is not None:
            try:
                if self.source is Source.VIDEO:
                    self.book.rate_video(self.score, tuple(self.reasons))
                elif self.ticket is not None:
                    self.book.rate_ticket(self.ticket, self.score, tuple(self.reasons))
                else:
                    return None
            except RatingError as exc:
                flow.set_notice(exc.message_key)
                return None
            self.given = True
            flow.set_notice("rating.thanks")
            return None
        return None

    def reasons_offered(self) -> tuple[str, ...]:
        """The reasons that fit the chosen score (none before a face is chosen)."""
        if self.score is None:
            return ()
        return GOOD_REASONS if self.score >= 4 else BAD_REASONS if self.score <= 2 else REASONS

    def back(self, flow: VisitFlow, state: State) -> State | None:
        """Back from a rating screen: home."""
        return VisitState.HOME

    def on_event(self, flow: VisitFlow, event: Event, target: State | None) -> State | None:
        """Open a rating where the table allows it; take a choice on its own screens."""
        if isinstance(event, RatingOpened):
            return self.open(flow, event.source) if target is not None else None
        if isinstance(event, RatingAsked) and flow.state in self.states:
            return self.asked(flow, event.step, event.value)
        return None

    def tiles(self) -> list[HomeTile]:
        """Rate a served ticket (needs nothing beyond the terminal)."""
        return [HomeTile("rating.home_tile", "rating.home_hint", "star", "rate:ticket", order=50)]


def setup(ctx: FeatureContext) -> RatingFlow:
    """The rating steps, on a connection of their own."""
    return RatingFlow(RatingBook(connect(ctx.data_dir / DB_FILENAME), ctx.clock), ctx.queue)
