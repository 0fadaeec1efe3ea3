"""The appointment part of the centre's web server: the asks terminals send (answered
on the dashboard's link), and the slots page for staff (``/appointments``): admins and
technicians publish slots; the bureau may look.

``setup(app, centre)`` is called once from ``CentreWebApp.app()`` (fleet/center/webapp.py).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, time
from pathlib import Path
from typing import Any, Callable, TypeVar

from aiohttp import web

from fleet.appointments.answers import Answers
from fleet.appointments.store import AppointmentBook, SlotSpec, load_key
from fleet.center.auth.web import require
from fleet.center.web_context import CentreContext
from kiosk.catalog import load_catalog

log = logging.getLogger(__name__)
T = TypeVar("T")
STATIC = Path(__file__).parent / "static"
PUBLISH = ("technician",)  # and admin, who always passes
VIEW = ("technician", "bureau")


def setup(app: web.Application, centre: CentreContext) -> None:
    """Answer the terminals' appointment asks and add the staff page and its API."""
    book = AppointmentBook(centre.store.engine, load_key(centre.data_dir))

    def site_of(terminal_id: str) -> str | None:
        """The site a terminal is registered with."""
        row = centre.store.terminal(terminal_id)
        return row.get("site") if row else None

    Answers(book, site_of).register(centre.link)

    async def run(fn: Callable[..., T], *args: Any) -> T:
        """Run blocking store work off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    async def page(request: web.Request) -> web.StreamResponse:
        """The slots page (sign-in required)."""
        await require(request, *VIEW)
        return web.FileResponse(STATIC / "slots.html", headers={"Cache-Control": "no-store"})

    async def page_setup(request: web.Request) -> web.Response:
        """Who is signed in, whether they may publish, the sites and services."""
        user = await require(request, *VIEW)
        lang = "en" if request.query.get("lang") == "en" else "zh_CN"
        rows = await run(centre.store.terminal_rows)
        return web.json_response({
            "user": user.display_name or user.name,
            "can_publish": user.role in ("admin", *PUBLISH),
            "sites": sorted({r["site"] for r in rows if r.get("site")}),
            "services": [{"code": s.code, "name": s.name.get(lang)} for s in load_catalog(None).services if s.code != "video"],
        })

    async def list_slots(request: web.Request) -> web.Response:
        """Published slots from a day on (of one site or all)."""
        await require(request, *VIEW)
        rows = await run(book.all_slots, request.query.get("site") or None, request.query.get("from", ""))
        return web.json_response({"slots": rows})

    async def publish(request: web.Request) -> web.Response:
        """Publish slots (admins and technicians)."""
        user = await require(request, *PUBLISH)
        try:
            b = await request.json()
            spec = SlotSpec(str(b["site"]), str(b["service"]), date.fromisoformat(b["from"]), date.fromisoformat(b.get("to") or b["from"]),
                            time.fromisoformat(b.get("start", "09:00")), time.fromisoformat(b.get("end", "17:00")),
                            int(b.get("every_minutes", 30)), int(b.get("capacity", 1)))
            n = await run(book.publish, spec)
        except (KeyError, TypeError, ValueError) as exc:
            return web.json_response({"error": "bad_request", "detail": str(exc)[:200]}, status=400)
        log.info("%s published %d slots for %s / %s", user.name, n, spec.site, spec.service)
        return web.json_response({"published": n})

    app.router.add_get("/appointments", page)
    app.router.add_static("/appointments/static/", STATIC)
    app.router.add_get("/api/appointments/setup", page_setup)
    app.router.add_get("/api/appointments/slots", list_slots)
    app.router.add_post("/api/appointments/slots", publish)
