"""法治宣传 as a feature of the terminal: the installed package's due items, played on the
attract screen while nobody uses the kiosk, each showing counted for the bureau.

It owns no visit state and no home tile: the slideshow lies over the attract screen
(``screens/publicity/``). Anything may stop it at once by handing the visit flow a
``PublicityInterrupted`` event (the presence detector does on someone's approach); a
touch stops it too and starts a visit.

Each time a slide is shown a ``publicity_played`` outbox event goes to the centre:
``{"day", "item", "package"}`` — the item's id and the package version, never anything
of a person.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from kiosk.events import Event
from kiosk.feature import FeatureBase, FeatureContext, State
from kiosk.outbox import add_event
from kiosk.ports import Clock
from kiosk.publicity.package import Item, Manifest, current_dir, default_publicity_dir, load_installed
from kiosk.publicity.schedule import china_time, due
from kiosk.store import transaction
from kiosk.visit import VisitFlow

log = logging.getLogger(__name__)

PLAYED = "publicity_played"  # the outbox event of one showing
START_AFTER_S = 20.0  # seconds on the attract screen, untouched, before the slideshow starts


@dataclass(frozen=True)
class PublicityInterrupted(Event):
    """Stop the slideshow now (someone approaches the kiosk); the attract screen stays."""

    reason: str = "approach"


@dataclass(frozen=True)
class Slide:
    """One due item with the files it shows (absolute paths in the unpacked package)."""

    item: Item
    picture: Path | None  # the image, or the video's poster; None for a text slide
    video: Path | None


class PublicityFeature(FeatureBase):
    """The package that plays on this terminal, what is due, and the plays."""

    name = "publicity"
    events = (PublicityInterrupted,)

    def __init__(self, dest: Path, site: str, clock: Clock, conn: sqlite3.Connection,
                 start_after_s: float = START_AFTER_S) -> None:
        self.dest = dest
        self.site = site
        self.clock = clock
        self.conn = conn
        self.start_after_s = start_after_s
        self.interruptions = 0
        self._loaded: tuple[Path, Manifest] | None = None
        self._loaded_dir: Path | None = None

    def on_event(self, flow: VisitFlow, event: Event, target: State | None) -> State | None:
        """Counted; the slideshow (a listener of the flow) stops itself on it."""
        self.interruptions += 1
        return None

    def installed(self) -> tuple[Path, Manifest] | None:
        """The unpacked package that plays, read again when the updater swapped it."""
        where = current_dir(self.dest)
        if where != self._loaded_dir:
            self._loaded_dir = where
            self._loaded = load_installed(self.dest)
            if self._loaded is not None:
                log.info("publicity package %s: %d items", self._loaded[1].version, len(self._loaded[1].items))
        return self._loaded

    def due_now(self) -> list[Slide]:
        """The slides due now at this site (none when no package is installed)."""
        got = self.installed()
        if got is None:
            return []
        where, manifest = got
        out = []
        for item in due(manifest.items, self.clock.now(), self.site):
            picture = item.poster if item.kind == "video" else item.file
            out.append(Slide(item, where / picture if picture else None, where / item.file if item.kind == "video" else None))
        return out

    def version(self) -> str:
        """The version of the package that plays ("" for none)."""
        got = self.installed()
        return got[1].version if got is not None else ""

    def record_play(self, slide: Slide) -> None:
        """One showing of ``slide``, into the outbox for the bureau's figures."""
        day = china_time(self.clock.now()).date().isoformat()
        with transaction(self.conn) as c:
            add_event(c, PLAYED, {"day": day, "item": slide.item.id, "package": self.version()[:64]}, self.clock.now())


def setup(ctx: FeatureContext) -> PublicityFeature:
    """The feature, from the terminal's parts: the package under ``<data>/publicity``."""
    return PublicityFeature(default_publicity_dir(ctx.data_dir), ctx.config.site_name, ctx.clock, ctx.queue.connection)
