"""The dashboard's "统计 / Figures" page: the bureau's figures with charts, filters and
the Excel/CSV/HTML downloads (fleet/center/figures.py computes, report.py formats).

Routes: ``/figures`` (the page), ``/api/figures`` (JSON), ``/api/figures/export.{fmt}``.
All three are for the bureau and technicians (and admins); ``_allowed`` is the one
place that says so. The figures are recomputed for days with new events on every
request, and every few minutes in the background so a request finds little to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import OrderedDict
from datetime import date
from pathlib import Path
from typing import Any, AsyncIterator, Callable, TypeVar

from aiohttp import web
from sqlalchemy import func, select

from fleet import web_headers
from fleet.center import figures, report
from fleet.center.auth.web import require
from fleet.center.publicity import PublicityDesk
from fleet.center.store import figure_days, terminals
from fleet.center.web_context import CentreContext

log = logging.getLogger(__name__)
T = TypeVar("T")
STATIC = Path(__file__).parent / "static"
ROLES = ("bureau", "technician")  # admin always passes
REFRESH_SECONDS = 300.0
MAX_DAYS = 3 * 366


async def _allowed(request: web.Request) -> None:
    await require(request, *ROLES)


def _query(request: web.Request) -> tuple[str, str, str | None]:
    q = request.query
    d0, d1 = figures.default_range()
    try:
        a = date.fromisoformat(q.get("from") or d0)
        b = date.fromisoformat(q.get("to") or d1)
    except ValueError:
        raise web.HTTPBadRequest(text="dates are YYYY-MM-DD")
    if b < a or (b - a).days > MAX_DAYS:
        raise web.HTTPBadRequest(text=f"a range of 1 to {MAX_DAYS} days, from before to")
    return a.isoformat(), b.isoformat(), q.get("site") or None


def setup(app: web.Application, centre: CentreContext) -> None:
    """Add the page, its API and the background refresh to the centre's web app."""
    engine = centre.store.engine
    desk = PublicityDesk(centre.data_dir)  # the titles of the publicity items counted

    async def loop_run(fn: Callable[..., T], *a: Any) -> T:
        """Blocking store work off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(None, fn, *a)

    cache: OrderedDict[tuple[Any, ...], figures.Report] = OrderedDict()
    lock = threading.Lock()

    def cached(d0: str, d1: str, site: str | None) -> figures.Report:
        # The same range and site again, with no day recomputed since: the same report
        # (a fleet's month takes seconds to merge; the page and its downloads ask twice).
        figures.refresh(engine)
        fd = figure_days
        with engine.connect() as c:
            version = tuple(c.execute(select(func.count(), func.max(fd.c.computed_at)).where(fd.c.day >= d0, fd.c.day <= d1)).one())
        key = (d0, d1, site, version)
        with lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        rep = figures.report(engine, d0, d1, site, fresh=False)
        with lock:
            cache[key] = rep
            while len(cache) > 8:
                cache.popitem(last=False)
        return rep

    def compute(d0: str, d1: str, site: str | None) -> dict[str, Any]:
        rep = cached(d0, d1, site)
        name = figures.service_names("zh_CN")
        name_en = figures.service_names("en")
        doc = rep.to_json(lambda k: figures.ALL in (k[1], k[2]))  # no site × day × service detail
        with engine.connect() as c:
            all_sites = sorted({r[0] for r in c.execute(select(terminals.c.site).distinct())} | set(rep.sites))
        return {**doc, "all_sites": all_sites,
                "service_names": {v: {"zh_CN": name(v), "en": name_en(v)} for v in rep.services},
                "publicity_titles": desk.titles()}

    async def page(request: web.Request) -> web.StreamResponse:
        await _allowed(request)
        return web.FileResponse(STATIC / "figures.html")

    async def api(request: web.Request) -> web.Response:
        await _allowed(request)
        return web.json_response(await loop_run(compute, *_query(request)))

    async def export(request: web.Request) -> web.Response:
        await _allowed(request)
        fmt = request.match_info["fmt"]
        if fmt not in report.FORMATS:
            raise web.HTTPNotFound()
        d0, d1, site = _query(request)

        def make() -> tuple[bytes, str]:
            rep = cached(d0, d1, site)
            return report.render(rep, fmt), report.filename(rep, fmt)

        data, name = await loop_run(make)
        disposition = "inline" if fmt == "html" else f'attachment; filename="{name}"'
        headers = {"Content-Type": report.MEDIA[fmt], "Content-Disposition": disposition, "Cache-Control": "no-store"}
        if fmt == "html":
            # The printable page is one self-contained file: its inline <style>, by hash.
            headers[web_headers.CSP] = web_headers.policy(request.host, [web_headers.style_hash(report.inline_css())])
        return web.Response(body=data, headers=headers)

    async def refresher(app: web.Application) -> AsyncIterator[None]:
        async def loop() -> None:
            while True:
                try:
                    n = await loop_run(figures.refresh, engine)
                    if n:
                        log.info("figures: %d terminal-day(s) recomputed", n)
                except Exception:  # noqa: BLE001 — try again next round; requests refresh too
                    log.exception("figures: background refresh failed")
                await asyncio.sleep(REFRESH_SECONDS)

        task = asyncio.create_task(loop())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.router.add_get("/figures", page)
    app.router.add_get("/api/figures", api)
    app.router.add_get("/api/figures/export.{fmt}", export)
    app.cleanup_ctx.append(refresher)
