"""The dashboard's "版本与更新 / Versions & updates" page: which software and law-library
versions run at each site, and each release's rollout with its waves as progress bars.

Routes: ``/rollouts`` (the page) and ``/api/rollouts`` (JSON), for technicians (and
admins). The rollouts come from their records (``DATA/updates/rollouts/``, written by
``kiosk-center release rollout``) and the terminals' reports, which the centre stores as
they arrive; the versions from each terminal's latest telemetry. Everything a terminal
sent is drawn as text by the page (rollouts.js), never as markup.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from aiohttp import web

from fleet.center import update_rollout
from fleet.center.auth.web import require
from fleet.center.store import Store
from fleet.center.web_context import CentreContext

STATIC = Path(__file__).parent / "static"
SHOWN = ("kiosk", "library")  # the versions counted per site: the software, the law library
MAX_ROLLOUTS = 20


def sites(store: Store) -> list[dict[str, Any]]:
    """Per site: its number of terminals and how many run each version of the software
    and of the law library ("" : not reported yet)."""
    out: dict[str, dict[str, Any]] = {}
    for row in store.terminal_rows():
        site = out.setdefault(row["site"], {"site": row["site"], "terminals": 0, "versions": {k: {} for k in SHOWN}})
        site["terminals"] += 1
        versions = row.get("versions") or {}
        for kind in SHOWN:
            v = str(versions.get(kind) or "")[:64]
            site["versions"][kind][v] = site["versions"][kind].get(v, 0) + 1
    return sorted(out.values(), key=lambda s: str(s["site"]))


def overview(store: Store, updates_dir: Path) -> dict[str, Any]:
    """What the page shows: the rollouts (newest first) and the versions per site."""
    reports = store.update_reports()
    rollouts = [update_rollout.progress(r, reports) for r in update_rollout.records(updates_dir)[:MAX_ROLLOUTS]]
    return {"rollouts": rollouts, "sites": sites(store)}


def setup(app: web.Application, centre: CentreContext) -> None:
    """Add the page and its API to the centre's web app."""
    updates_dir = centre.data_dir / "updates"

    async def page(request: web.Request) -> web.StreamResponse:
        await require(request, "technician")
        return web.FileResponse(STATIC / "rollouts.html")

    async def api(request: web.Request) -> web.Response:
        await require(request, "technician")
        doc = await asyncio.get_running_loop().run_in_executor(None, overview, centre.store, updates_dir)
        return web.json_response(doc)

    app.router.add_get("/rollouts", page)
    app.router.add_get("/api/rollouts", api)
