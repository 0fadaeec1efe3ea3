"""The window console's rating pad: after 办结 the window's tablet turns to the person
served and asks "请评价" with five large faces (fleet/window_console/static/rating.js).

``POST /api/rate`` records the rating of a ticket the window has just finished, once
(kiosk.ratings: anonymous, a ``rating`` event for the centre). ``GET /api/rating/setup``
gives the page its texts from the terminal's catalogue.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol, TypeVar

from aiohttp import web

from kiosk.i18n import LANGUAGES
from kiosk.ratings import REASONS, SCORES, RatingBook, RatingError
from kiosk.terminal import Terminal

T = TypeVar("T")

TEXT_KEYS = ("title", "anonymous", "reasons_title", "submit", "thanks", "already", "not_served", "error", "skip")


class Console(Protocol):
    """What the pad needs of the window console (``server.ConsoleServer``): its terminal,
    its request parsing and PIN check, and its one queue worker."""

    terminal: Terminal

    async def read_body(self, request: web.Request) -> dict[str, Any]:
        """The request's JSON object."""
        ...

    def check_pin(self, request: web.Request, body: dict[str, Any] | None = None) -> None:
        """Refuse a request without the site's PIN."""
        ...

    def window_of(self, value: Any) -> int:
        """The window number a request names."""
        ...

    async def run(self, fn: Callable[[], T]) -> T:
        """Run queue work on the console's worker thread."""
        ...


def setup(app: web.Application, server: Console) -> None:
    """Add the rating routes to the window console."""
    terminal = server.terminal
    book: list[RatingBook] = []  # made on the console's worker thread (its SQLite connection lives there)

    def ratings() -> RatingBook:
        """The rating book on the console worker's connection."""
        if not book:
            book.append(RatingBook(terminal.queue._conn, terminal.clock))  # noqa: SLF001 — the worker's connection
        return book[0]

    async def texts(request: web.Request) -> web.Response:
        """The pad's texts in the page's language."""
        lang = request.query.get("lang", terminal.config.language)
        lang = lang if lang in LANGUAGES else "zh_CN"
        tr = terminal.translator
        return web.json_response({
            "texts": {k: tr.t(f"rating.{k}", lang) for k in TEXT_KEYS},
            "scores": [{"score": s, "label": tr.t(f"rating.s{s}", lang)} for s in SCORES],
            "reasons": {r: tr.t(f"rating.reason.{r}", lang) for r in REASONS},
        })

    async def rate(request: web.Request) -> web.Response:
        """Record the rating of a ticket this window has just finished."""
        body = await server.read_body(request)
        server.check_pin(request, body)
        window = server.window_of(body.get("window"))
        number = str(body.get("number", ""))
        try:
            raw_score: Any = body.get("score")  # a JSON value: int() says whether it is a number
            score = int(raw_score)
            reasons = tuple(str(r) for r in body.get("reasons") or ())
        except (TypeError, ValueError):
            return web.json_response({"error": "rating.error", "detail": "score must be 1..5"}, status=400)

        def record() -> dict[str, Any]:
            ticket = terminal.queue.find(number)
            # Only a ticket this window served: a tablet cannot rate another window's work.
            if ticket is None or ticket.window != window:
                raise RatingError(f"{number!r} was not served at window {window}", message_key="rating.not_served")
            ratings().rate_ticket(ticket, score, reasons)
            return {"ok": True}

        try:
            return web.json_response(await server.run(record))
        except RatingError as exc:
            return web.json_response({"error": exc.message_key, "detail": exc.detail}, status=409)

    app.router.add_get("/api/rating/setup", texts)
    app.router.add_post("/api/rate", rate)
