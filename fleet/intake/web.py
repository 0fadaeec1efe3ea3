"""The intake's web side, mounted on the centre's dashboard app (``setup``).

* ``/intake`` — the intake list for legal-aid staff (role ``legal_aid``; admins too;
  technicians never): applications, one opened with its signature, status changes.
* ``/api/intake/…`` — its JSON API (same roles).
* ``/legal-aid/progress?n=NUMBER&c=CODE`` — the public progress page the receipt's QR
  code opens: number and check code, nothing personal on it.
* the terminals' ask ``legal_aid.progress`` (by number, or by a sealed ID number).

Whatever asks, a terminal gets the status only: number, matter code (the kiosk names it
from its own data), status and dates — never the staff's note, which the person reads on
the public page with the receipt's check code. Every look-up is rate-limited and audited
(fleet/center/lookups.py); the public page is throttled per client and per number.
"""

from __future__ import annotations

import asyncio
import html
from pathlib import Path
from typing import Any, Callable, TypeVar

from aiohttp import web

from fleet.center.auth.web import AUTH, require
from fleet.center.lookups import LookupGuard, Throttled
from fleet.center.service import AskError, CenterLink
from fleet.center.web_context import CentreContext
from fleet.intake.keys import IntakeKeys
from fleet.intake.store import STATUSES, Intake
from kiosk.legal_aid.flow import PROGRESS_ASK
from kiosk.legal_aid.sealing import SealError, open_box

STATIC = Path(__file__).parent / "static"
T = TypeVar("T")
INTAKE = web.AppKey("intake", Intake)
GUARD = web.AppKey("intake_guard", LookupGuard)
FAMILY = "legal_aid.progress"
# What a terminal gets of an application (see the module's docstring).
TERMINAL_FIELDS = ("number", "status", "submitted", "status_at")
CARD_FIELDS = TERMINAL_FIELDS + ("matter",)
ROLE = "legal_aid"


def install(link: CenterLink, data_dir: Path) -> Intake:
    """The intake of the centre in ``data_dir``, answering the terminals' progress asks."""
    intake = Intake(link.store.engine, IntakeKeys(data_dir))
    guard = link.lookup_guard

    def progress(terminal_id: str, args: dict[str, Any]) -> dict[str, Any]:
        fields: tuple[str, ...]
        if "number" in args:
            number = str(args["number"])
            if not number.isdigit() or len(number) > 20:
                raise AskError("bad_request", "an application number is digits")
            kind, subject, fields = f"{FAMILY}.number", number, TERMINAL_FIELDS
            _admit(guard, terminal_id, kind, subject)
            # Anyone can type a number at a kiosk: it shows the status only.
            found = intake.progress(number=number)
        elif "sealed_id" in args:
            try:
                id_number = open_box(intake.keys.private, str(args["sealed_id"]), b"progress").decode("utf-8")
            except SealError:
                raise AskError("bad_request", "the sealed ID number does not open") from None
            # The audit keeps the keyed hash the applications are filed under, never the number.
            kind, subject, fields = f"{FAMILY}.card", intake.keys.id_hash(id_number), CARD_FIELDS
            _admit(guard, terminal_id, kind, subject)
            found = intake.progress(id_number=id_number)
        else:
            raise AskError("bad_request", "give number or sealed_id")
        guard.audit(terminal_id, kind, subject, "found" if found else "none", len(found))
        return {"applications": [{k: a[k] for k in fields} for a in found]}

    link.answer(PROGRESS_ASK, progress)
    return intake


def _admit(guard: LookupGuard, terminal_id: str, kind: str, subject: str) -> None:
    try:
        guard.admit(terminal_id, FAMILY, kind, subject)
    except Throttled as exc:
        raise AskError("rate_limited", str(exc)) from None


def setup(app: web.Application, centre: CentreContext) -> None:
    """Mount the intake on the centre's web app (``webapp.py``)."""
    intake = install(centre.link, centre.data_dir)
    app[INTAKE] = intake
    app[GUARD] = centre.link.lookup_guard
    if AUTH in app:
        app[AUTH].homes.setdefault(ROLE, "/intake")  # where legal-aid staff land after signing in
    app.router.add_get("/intake", _page)
    app.router.add_static("/intake/static/", STATIC)
    app.router.add_get("/api/intake/applications", _list)
    app.router.add_get("/api/intake/applications/{app_id}", _detail)
    app.router.add_get("/api/intake/applications/{app_id}/signature.png", _signature)
    app.router.add_post("/api/intake/applications/{app_id}/status", _status)
    app.router.add_get("/legal-aid/progress", _public_progress)


async def _run(request: web.Request, fn: Callable[..., T], *args: Any) -> T:
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
    number, code = request.query.get("n", "").strip()[:20], "".join(request.query.get("c", "").split())[:16]
    found: list[dict[str, Any]] = []
    if number.isdigit() and code:
        guard, who, kind = request.app[GUARD], f"web:{_client(request)}", f"{FAMILY}.web"

        def look() -> list[dict[str, Any]]:
            # Against guessing: a budget per client, and a number whose check code was
            # wrong too often is refused for a while whoever asks.
            guard.admit(who, FAMILY, kind, number)
            guard.check_not_locked(FAMILY, number, who, kind)
            got = request.app[INTAKE].progress(number=number, check_code=code)
            if not got:
                guard.wrong_proof(FAMILY, number)
            guard.audit(who, kind, number, "found" if got else "none", len(got))
            return got

        try:
            found = await _run(request, look)
        except Throttled as exc:
            return web.Response(text=_page_html("<p>查询太频繁，请稍后再试，或拨打12348。<br><small>Too many look-ups: please try again later.</small></p>"),
                                status=429, content_type="text/html",
                                headers={"Cache-Control": "no-store", "Retry-After": str(int(exc.retry_after) + 1)})
    if found:
        a = found[0]
        zh, en = status_text(a["status"])
        note = f"<p class='note'>{html.escape(a['note'])}</p>" if a["note"] else ""
        body = (f"<p>申请编号 Application <b>{html.escape(a['number'])}</b><br>提交日期 Submitted {html.escape(a['submitted'])}</p>"
                f"<p class='status st-{html.escape(a['status'])}'>{html.escape(zh)}<br><small>{html.escape(en)}</small></p>{note}")
    else:
        body = "<p>没有找到这份申请：请核对回执上的编号和查询码。<br><small>No application with this number and check code.</small></p>"
    return web.Response(text=_page_html(body), content_type="text/html", headers={"Cache-Control": "no-store"})


def _client(request: web.Request) -> str:
    """The asking client's address. Behind the site's reverse proxy on this machine every
    request comes from loopback: then the address the proxy appended to X-Forwarded-For
    (its last entry; earlier ones are whatever the client sent)."""
    remote = request.remote or "?"
    forwarded = request.headers.get("X-Forwarded-For", "")
    if remote in ("127.0.0.1", "::1") and forwarded:
        return forwarded.split(",")[-1].strip()[:64] or remote
    return remote


def _page_html(body: str) -> str:
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>法律援助申请进度</title>
<link rel="stylesheet" href="/intake/static/intake.css"></head>
<body class="public"><main><h1>法律援助申请进度<br><small>Legal aid application</small></h1>{body}
<p class="foot">咨询电话 12348</p></main></body></html>"""


__all__ = ["setup", "install", "STATUSES", "status_text"]
