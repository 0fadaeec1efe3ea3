"""The release repository on the centre's web app: ``GET /updates/metadata/{name}`` and
``/updates/targets/{kind}/{file}``, static and public (signed files; TUF checks them),
confined to the repository, Range-capable (interrupted downloads resume)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from fleet.center.confine import OutsideBase, confined
from fleet.center.releases import METADATA_NAME, TARGET_NAME, ReleaseRepo
from fleet.center.web_context import CentreContext


def setup(app: web.Application, centre: CentreContext) -> None:
    """Serve the data dir's release repository (``DATA_DIR/updates``)."""
    add_routes(app, ReleaseRepo(centre.data_dir / "updates"))


def add_routes(app: web.Application, repo: ReleaseRepo) -> None:
    """Serve ``repo``'s metadata and targets."""

    async def metadata(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if not METADATA_NAME.fullmatch(name):
            raise web.HTTPNotFound()
        return _file(confined(repo.metadata_dir, name), no_store=True)

    async def target(request: web.Request) -> web.StreamResponse:
        name = f"{request.match_info['kind']}/{request.match_info['file']}"
        if not TARGET_NAME.fullmatch(name):
            raise web.HTTPNotFound()
        try:
            path = confined(repo.targets_dir, request.match_info["kind"], request.match_info["file"])
        except OutsideBase:
            raise web.HTTPNotFound() from None
        return _file(path, no_store=False)

    app.router.add_get("/updates/metadata/{name}", metadata)
    app.router.add_get("/updates/targets/{kind}/{file}", target)


def _file(path: Path, *, no_store: bool) -> web.StreamResponse:
    if not path.is_file():
        raise web.HTTPNotFound()
    # FileResponse answers Range requests (206): interrupted downloads resume.
    return web.FileResponse(path, headers={"Cache-Control": "no-store" if no_store else "public, max-age=86400",
                                           "Content-Type": "application/octet-stream"})
