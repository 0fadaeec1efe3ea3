"""Fixtures of the update tests: a tiny real "legal-kiosk" project of several versions
(real wheels, real bundles, real venvs), a real TUF repository at the centre, and the
centre's real web routes on loopback."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import shutil
import socket
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from fleet.center import release_web
from fleet.center.releases import ReleaseRepo
from fleet.update.bundle import write_bundle
from fleet.update.client import TerminalUpdater, UpdateOptions
from fleet.update.layout import Layout

MODULE = "legal_kiosk_fake"


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def make_wheel(dest: Path, version: str, *, broken: bool = False) -> Path:
    """A real wheel of a tiny ``legal-kiosk`` whose ``python -m legal_kiosk_fake`` prints
    its version (or, ``broken``, crashes at start like a bad release)."""
    main = "raise SystemExit('crashed at start')\n" if broken else f"print('legal-kiosk {version}')\n"
    dist = f"legal_kiosk-{version}.dist-info"
    files = {
        f"{MODULE}/__init__.py": f"__version__ = {version!r}\n".encode(),
        f"{MODULE}/__main__.py": main.encode(),
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: legal-kiosk\nVersion: {version}\n".encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{n},{_record_hash(d)},{len(d)}\n" for n, d in files.items()) + f"{dist}/RECORD,,\n"
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / f"legal_kiosk-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for n, d in files.items():
            z.writestr(n, d)
        z.writestr(f"{dist}/RECORD", record)
    return path


def make_bundle(tmp: Path, version: str, *, broken: bool = False, debs: tuple[str, ...] = ("coreutils",)) -> Path:
    """A real bundle of the tiny project at ``version``."""
    house = tmp / f"house-{version}"
    make_wheel(house, version, broken=broken)
    return write_bundle(house, tmp / "dist" / f"legal-kiosk-{version}.bundle", name="legal-kiosk", version=version, debs=debs)


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class CentreWeb:
    """The centre's update routes (fleet.center.releases) served by aiohttp on loopback."""

    def __init__(self, repo: ReleaseRepo) -> None:
        self.repo = repo
        self.loop = asyncio.new_event_loop()
        self.port = free_port()
        self._runner: web.AppRunner | None = None
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> "CentreWeb":
        """Listen on 127.0.0.1:port."""
        self.thread.start()

        async def up() -> None:
            app = web.Application()
            release_web.add_routes(app, self.repo)
            self._runner = web.AppRunner(app)
            await self._runner.setup()
            await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

        asyncio.run_coroutine_threadsafe(up(), self.loop).result(10)
        return self

    @property
    def url(self) -> str:
        """The base URL of the update routes."""
        return f"http://127.0.0.1:{self.port}/updates"

    def stop(self) -> None:
        """Close the server and its loop."""
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class Rig:
    """A centre repository with releases, and one terminal's layout with 1.0 running."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.offline = tmp / "usb-keys"
        self.repo = ReleaseRepo(tmp / "centre" / "updates")
        self.layout = Layout(tmp / "terminal")
        self.web: CentreWeb | None = None

    def release(self, version: str, **kw: Any) -> Path:
        """Build the bundle of ``version`` and add it at the centre."""
        bundle = make_bundle(self.tmp, version, **kw)
        self.repo.add(bundle, self.offline)
        return bundle

    def install_running(self, version: str = "1.0") -> None:
        """What the installer does: ``version`` installed and current."""
        from fleet.update.bundle import install

        install(make_bundle(self.tmp, version), self.layout)
        self.layout.switch_to(version)

    def updater(self, url: str | None = None, **opts: Any) -> TerminalUpdater:
        """The terminal's updater trusting the centre's root (as installed)."""
        assert self.web is not None
        return TerminalUpdater(self.layout, UpdateOptions(centre_url=url or self.web.url,
                                                          trusted_root=self.repo.metadata_dir / "1.root.json", **opts))


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    """Centre repository (initialised, served) and a terminal running 1.0."""
    r = Rig(tmp_path)
    r.repo.init(r.offline)
    r.web = CentreWeb(r.repo).start()
    try:
        yield r
    finally:
        r.web.stop()
        shutil.rmtree(tmp_path / "terminal", ignore_errors=True)
