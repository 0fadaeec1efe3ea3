"""The bureau's "法治宣传 / Publicity" page: upload slides (pictures, texts, short videos),
schedule each (dates, weekdays, hours, sites), preview what a site shows at a given
moment, and publish them as the next signed publicity package (docs/publicity.md).

Routes, for the bureau (and admins): ``/publicity`` (the page), ``/api/publicity`` (the
items, the sites, the published packages), ``POST /api/publicity/items`` (multipart: a
``schedule`` JSON field and the ``file``), ``POST /api/publicity/items/{id}`` (a new
schedule, JSON), ``POST /api/publicity/items/{id}/delete``, ``GET
/api/publicity/preview?site=S&at=ISO``, ``POST /api/publicity/publish`` and
``/publicity/media/{file}`` (the items' pictures, confined to the media folder).

Uploads are streamed to a private temporary file and cut off at the kind's size limit;
everything typed is shown by the page as text (publicity.js builds it with dom.js).
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, TypeVar

from aiohttp import BodyPartReader, web

from fleet.center.auth.web import require
from fleet.center.confine import OutsideBase, confined
from fleet.center.publicity import PublicityDesk, PublicityError, max_upload
from fleet.center.web_context import CentreContext
from kiosk.files import private_dir
from kiosk.publicity.schedule import CHINA

STATIC = Path(__file__).parent / "static"
ROLE = "bureau"  # admin always passes
MAX_FIELD = 64 * 1024  # a form field other than the file
MEDIA_FILE = re.compile(r"^[a-z0-9-]{1,64}(-poster)?\.(png|jpg)$")
T = TypeVar("T")


def setup(app: web.Application, centre: CentreContext) -> None:
    """Add the page, its API and its media route to the centre's web app."""
    desk = PublicityDesk(centre.data_dir)

    async def off_loop(fn: Callable[..., T], *a: Any) -> T:
        """Files, Pillow and OpenCV off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(None, fn, *a)

    def bad(exc: Exception) -> web.Response:
        return web.json_response({"error": str(exc)[:500]}, status=400)

    async def page(request: web.Request) -> web.StreamResponse:
        await require(request, ROLE)
        return web.FileResponse(STATIC / "publicity.html")

    def overview() -> dict[str, Any]:
        sites = sorted({str(r["site"]) for r in centre.store.terminal_rows() if r.get("site")})
        return {"items": desk.items(), "sites": sites, "published": desk.published(), "can_publish": desk.can_publish()}

    async def api(request: web.Request) -> web.Response:
        await require(request, ROLE)
        return web.json_response(await off_loop(overview))

    async def add(request: web.Request) -> web.Response:
        await require(request, ROLE)
        try:
            reader = await request.multipart()
        except (ValueError, AssertionError):
            return bad(PublicityError("send the item as a multipart form"))
        schedule: dict[str, Any] = {}
        kind = ""
        upload: Path | None = None
        ext = ""
        with tempfile.TemporaryDirectory(dir=private_dir(desk.base)) as tmp:
            try:
                while (part := await reader.next()) is not None:
                    if not isinstance(part, BodyPartReader):
                        raise PublicityError("nested multipart is not accepted")
                    if part.name == "file" and part.filename:
                        if not kind:
                            raise PublicityError("send the kind and schedule before the file")
                        ext = Path(part.filename).suffix.lower()
                        upload = Path(tmp) / "upload"
                        await _stream(part, upload, max_upload(kind))
                    elif part.name in ("kind", "schedule"):
                        raw = await part.read(decode=True)
                        if len(raw) > MAX_FIELD:
                            raise PublicityError(f"{part.name} is too long")
                        if part.name == "kind":
                            kind = raw.decode("utf-8", "replace")
                        else:
                            schedule = _schedule(raw)
                    else:
                        await part.release()
                item = await off_loop(desk.add, kind, schedule, upload, ext)
            except PublicityError as exc:
                return bad(exc)
        return web.json_response(item)

    async def reschedule(request: web.Request) -> web.Response:
        await require(request, ROLE)
        try:
            raw = await request.content.read(MAX_FIELD + 1)
            if len(raw) > MAX_FIELD:
                raise PublicityError("the schedule is too long")
            item = await off_loop(desk.schedule, request.match_info["id"], _schedule(raw))
        except PublicityError as exc:
            return bad(exc)
        return web.json_response(item)

    async def delete(request: web.Request) -> web.Response:
        await require(request, ROLE)
        try:
            await off_loop(desk.remove, request.match_info["id"])
        except PublicityError as exc:
            return bad(exc)
        return web.json_response({"ok": True})

    async def preview(request: web.Request) -> web.Response:
        await require(request, ROLE)
        site = request.query.get("site", "")[:200]
        try:
            at = datetime.fromisoformat(request.query.get("at", ""))
        except ValueError:
            return bad(PublicityError("at must be a date and time, e.g. 2026-12-04T10:00"))
        if at.tzinfo is None:
            at = at.replace(tzinfo=CHINA)  # the bureau means China time
        return web.json_response({"site": site, "at": at.isoformat(), "due": await off_loop(desk.preview, site, at)})

    async def publish(request: web.Request) -> web.Response:
        await require(request, ROLE)
        try:
            return web.json_response(await off_loop(desk.publish))
        except PublicityError as exc:
            return bad(exc)

    async def media(request: web.Request) -> web.StreamResponse:
        await require(request, ROLE)
        name = request.match_info["file"]
        if not MEDIA_FILE.fullmatch(name):
            raise web.HTTPNotFound()
        try:
            path = confined(desk.media_dir, name)
        except OutsideBase:
            raise web.HTTPNotFound() from None
        if not path.is_file():
            raise web.HTTPNotFound()
        kind = "image/png" if name.endswith(".png") else "image/jpeg"
        return web.FileResponse(path, headers={"Content-Type": kind, "Cache-Control": "private, no-store"})

    app.router.add_get("/publicity", page)
    app.router.add_get("/api/publicity", api)
    app.router.add_post("/api/publicity/items", add)
    app.router.add_post("/api/publicity/items/{id}", reschedule)
    app.router.add_post("/api/publicity/items/{id}/delete", delete)
    app.router.add_get("/api/publicity/preview", preview)
    app.router.add_post("/api/publicity/publish", publish)
    app.router.add_get("/publicity/media/{file}", media)


def _schedule(raw: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PublicityError("the schedule is not JSON") from None
    if not isinstance(doc, dict):
        raise PublicityError("the schedule is not an object")
    return doc


async def _stream(part: BodyPartReader, dest: Path, limit: int) -> None:
    """Write an uploaded file to ``dest`` (0600), refusing it past ``limit`` bytes."""
    size = 0
    with open(dest, "wb") as out:
        dest.chmod(0o600)
        while chunk := await part.read_chunk(1 << 16):
            size += len(chunk)
            if size > limit:
                raise PublicityError(f"the file is larger than {limit // (1024 * 1024)} MB")
            out.write(chunk)
