"""The centre's web app, composed in one place: the security headers, the staff sign-in,
then each page set adding its own routes (the technicians' dashboard, the appointment
slots, the lawyer desk, the legal-aid intake, the bureau's figures, the versions and
rollouts, the release repository). A new page set is one ``setup(app, centre)`` function and one line in
``PAGE_SETS``."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Sequence

from aiohttp import web

from fleet import web_headers
from fleet.appointments import web as appointments_web
from fleet.center import release_web
from fleet.center.auth.proxies import parse_proxies
from fleet.center.auth.users import Users
from fleet.center.auth.web import setup as auth_setup
from fleet.center.service import CenterLink
from fleet.center.web_context import CentreContext
from fleet.dashboard import figures as figures_page
from fleet.dashboard import publicity as publicity_page
from fleet.dashboard import rollouts as rollouts_page
from fleet.dashboard.server import DashboardPages
from fleet.desk import server as desk
from fleet.intake import web as intake_web
from fleet.mediation import web as mediation_web

PageSet = Callable[[web.Application, CentreContext], object]

# After the technicians' dashboard (which owns "/"), in this order.
PAGE_SETS: tuple[PageSet, ...] = (
    appointments_web.setup,  # the terminals' appointment asks + the slots page
    desk.setup,  # the lawyer desk (video consultation)
    intake_web.setup,  # legal-aid intake + the public progress look-up
    figures_page.setup,  # the bureau's figures
    rollouts_page.setup,  # versions per site and the rollouts of releases
    publicity_page.setup,  # the bureau's publicity: upload, schedule, preview, publish
    release_web.setup,  # signed updates: /updates/metadata, /updates/targets
    mediation_web.setup,  # the mediator's desk, the phone party's page, the media server relayed
)


class CentreWebApp:
    """The centre's whole web app; ``start``/``stop`` in the caller's event loop."""

    def __init__(self, link: CenterLink, data_dir: Path, offline_minutes: float = 5.0, users: Users | None = None,
                 trusted_proxies: Iterable[str] = (), page_sets: Sequence[PageSet] = PAGE_SETS) -> None:
        self.link = link
        self.page_sets = tuple(page_sets)
        self.store = link.store
        self.data_dir = data_dir
        self.centre = CentreContext(link, link.store, data_dir)
        # Staff accounts: no page of the centre is served anonymously.
        self.users = users or Users(self.store)
        # Reverse proxies whose X-Forwarded-* headers are believed (fleet/center/auth/proxies.py).
        self.trusted_proxies = parse_proxies(trusted_proxies)
        self.dashboard = DashboardPages(self.centre, offline_minutes)
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        """The aiohttp application with every page set."""
        app = web_headers.install(web.Application())  # CSP, nosniff on every response
        auth_setup(app, self.users, self.data_dir, [str(n) for n in self.trusted_proxies])
        self.dashboard.setup(app)
        for add in self.page_sets:
            add(app, self.centre)
        return app

    async def start(self, host: str, port: int) -> int:
        """Listen; returns the bound port (0 picks a free one)."""
        self._runner = web.AppRunner(self.app())
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        for addr in self._runner.addresses:
            return int(addr[1])
        raise RuntimeError("the web app listens on no address")

    async def stop(self) -> None:
        """Close the server."""
        if self._runner is not None:
            await self._runner.cleanup()

    def notify(self, changed: set[str]) -> None:
        """From any thread: tell open dashboard pages which terminals changed."""
        self.dashboard.notify(changed)
