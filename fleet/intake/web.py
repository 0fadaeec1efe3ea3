"""The intake's web side, mounted on the centre's dashboard app (``setup``).

* ``/intake`` — the intake list for legal-aid staff (role ``legal_aid``; admins too;
  technicians never): applications, one opened with its signature, status changes.
* ``/api/intake/…`` — its JSON API (same roles).
* ``/legal-aid/progress?n=NUMBER&c=CODE`` — the public progress page the receipt's QR
  code opens: number and check code, nothing personal on it.
* the terminals' ask ``legal_aid.progress`` (by number, or by a sealed ID number).
"""

from __future__ import annotations

import asyncio
import html
from pathlib import Path
from typing import Any

from aiohttp import web

from fleet.center.auth import AUTH, require
from fleet.center.service import AskError, CenterLink
from fleet.intake.keys import IntakeKeys
from fleet.intake.store import STATUSES, Intake
from kiosk.legal_aid.flow import PROGRESS_ASK
from kiosk.legal_aid.sealing import SealError, open_box

STATIC = Path(__file__).parent / "static"
INTAKE = web.AppKey("intake", Intake)
ROLE = "legal_aid"


def install(link: CenterLink, data_dir: Path) -> Intake:
    """The intake of the centre in ``data_dir``, answering the terminals' progress asks."""
    intake = Intake(link.store.engine, IntakeKeys(data_dir))

    def progress(terminal_id: str, args: dict[str, Any]) -> dict[str, Any]:
        if "number" in args:
            number = str(args["number"])
            if not number.isdigit() or len(number) > 20:
                raise AskError("bad_request", "an application number is digits")
            # Anyone can type a number at a kiosk: it shows the status only. The matter
            # and the staff's note need the ID card (or the check code on the public page).
            return {"applications": [{k: a[k] for k in ("number", "status", "submitted", "status_at")} for a in intake.progress(number=number)]}
        if "sealed_id" in args:
            try:
                id_number = open_box(intake.keys.private, str(args["sealed_id"]), b"progress").decode("utf-8")
            except SealError:
                raise AskError("bad_request", "the sealed ID number does not open") from None
            return {"applications": intake.progress(id_number=id_number)}
        raise AskError("bad_request", "give number or sealed_id")

    link.answer(PROGRESS_ASK, progress)
    return intake


def setup(app: web.Application, dash: Any) -> None:
    """Mount the intake on the dashboard's app (``Dashboard.app``)."""
    intake = install(dash.link, dash.data_dir)
    app[INTAKE] = intake
    if AUTH in app:
        app[AUTH].homes.setdefault(ROLE, "/intake")  # where legal-aid staff land after signing in
    app.router.add_get("/intake", _page)
    app.router.add_static("/intake/static/", STATIC)
    app.router.add_get("/api/intake/applications", _list)
    app.router.add_get("/api/intake/applications/{app_id}", _detail)
    app.router.add_get("/api/intake/applications/{app_id}/signature.png", _signature)
    app.router.add_post("/api/intake/applications/{app_id}/status", _status)
    app.router.add_get("/legal-aid/progress", _public_progress)


async def _run(request: web.Request, fn: Any, *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


async def _page(request: web.Request) -> web.StreamResponse:
    await require(request, ROLE)
    return web.FileResponse(STATIC / "intake.html", headers={"Cache-Control": "no-store"})


async def _list(request: web.Request) -> web.Response:
    await require(request, ROLE)
    intake = request.app[INTAKE]
    status = request.query.get("status") or None

    def load() -> list[dict[str, Any]]:
        intake.import_new()
        return intake.list(status)

    return web.json_response(await _run(request, load), headers={"Cache-Control": "no-store"})


async def _detail(request: web.Request) -> web.Response:
    await require(request, ROLE)
    doc = await _run(request, request.app[INTAKE].detail, request.match_info["app_id"])
    if doc is None:
        raise web.HTTPNotFound()
    return web.json_response(doc, headers={"Cache-Control": "no-store"})


async def _signature(request: web.Request) -> web.Response:
    await require(request, ROLE)
    png = await _run(request, request.app[INTAKE].signature_png, request.match_info["app_id"])
    if png is None:
        raise web.HTTPNotFound()
    return web.Response(body=png, content_type="image/png", headers={"Cache-Control": "no-store"})


async def _status(request: web.Request) -> web.Response:
    user = await require(request, ROLE)
    try:
        body = await request.json()
        status, note = str(body["status"]), str(body.get("note") or "")
    except (ValueError, KeyError, TypeError):
        return web.json_response({"error": "bad_request", "message": "expected {status, note}"}, status=400)
    try:
        doc = await _run(request, request.app[INTAKE].set_status, request.match_info["app_id"], status, note, user.name)
    except ValueError as exc:
        return web.json_response({"error": "bad_request", "message": str(exc)}, status=400)
    if doc is None:
        raise web.HTTPNotFound()
    return web.json_response(doc)


_STATUS_TEXT = {
    "submitted": ("已提交，等待受理", "Submitted, waiting to be received"),
    "received": ("已收到，正在审查", "Received, being reviewed"),
    "more_material": ("需要补充材料", "More material needed"),
    "accepted": ("已受理（准予法律援助）", "Accepted: legal aid granted"),
    "refused": ("不予法律援助", "Refused"),
}


def status_text(status: str) -> tuple[str, str]:
    """A status in Chinese and English, as people read it."""
    return _STATUS_TEXT.get(status, (status, status))


async def _public_progress(request: web.Request) -> web.Response:
    # The check code is digits, which people may type in groups ("482 913").
    number, code = request.query.get("n", "").strip(), "".join(request.query.get("c", "").split())
    found: list[dict[str, Any]] = []
    if number.isdigit() and code:
        found = await _run(request, lambda: request.app[INTAKE].progress(number=number, check_code=code))
    if found:
        a = found[0]
        zh, en = status_text(a["status"])
        note = f"<p class='note'>{html.escape(a['note'])}</p>" if a["note"] else ""
        body = (f"<p>申请编号 Application <b>{html.escape(a['number'])}</b><br>提交日期 Submitted {html.escape(a['submitted'])}</p>"
                f"<p class='status st-{html.escape(a['status'])}'>{zh}<br><small>{en}</small></p>{note}")
    else:
        body = "<p>没有找到这份申请：请核对回执上的编号和查询码。<br><small>No application with this number and check code.</small></p>"
    page = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>法律援助申请进度</title>
<link rel="stylesheet" href="/intake/static/intake.css"></head>
<body class="public"><main><h1>法律援助申请进度<br><small>Legal aid application</small></h1>{body}
<p class="foot">咨询电话 12348</p></main></body></html>"""
    return web.Response(text=page, content_type="text/html", headers={"Cache-Control": "no-store"})


__all__ = ["setup", "install", "STATUSES", "status_text"]
