"""办事指南 on screen: the guides by life topic, and one guide part by part (what the
law says, the steps, what to bring, time limits, where to go, what to do next), each
part read aloud on request, each cited article a button to the article screen, the
guide printed on the receipt printer, and the services to take next as big buttons
(a ticket, a video call, legal aid, the guide's calculators, its document)."""

from __future__ import annotations

import logging
from typing import Any

from kivy.factory import Factory

from kiosk.availability import HomeTile
from kiosk.lookup.calc import Citation
from kiosk.lookup.calcform import form
from kiosk.lookup.feature import cite_value, document_offers, guide_parts
from kiosk.lookup.guides import Guide, Statement
from kiosk.lookup.library import LibraryError
from screens.lookup.screens import LookupScreen, topic_name

log = logging.getLogger(__name__)

# Actions of the home tiles a guide leads to (their availability is the home screen's).
NEXT_TILES = {"video": "call:open", "aid": "la:open"}


def next_tile(app: Any, what: str) -> HomeTile | None:
    """The home tile behind a guide's ``video`` or ``aid`` button, if a feature offers it."""
    action = NEXT_TILES[what]
    return next((t for t in app.terminal.flow.features.tiles() if t.action == action), None)


class GuidesScreen(LookupScreen):
    """Every guide as a big row under its life topic; search and the calculators above."""

    screen_name = "law_guides"
    voice_key = "lookup.guide_ui.voice_guides"

    def refresh(self) -> None:
        """Search, calculators, then the guides by topic."""
        app, lk = self.kiosk, self.lk
        self.title = app.tr("lookup.guide_ui.guides_title")
        self.subtitle = app.tr("lookup.guide_ui.guides_hint")
        self.message = ""
        box = self.body()
        top = self.grid(2)
        top.add_widget(self.button(app.tr("lookup.guide_ui.ask"), "law:search", selected=True))
        top.add_widget(self.button(app.tr("lookup.calc_ui.open"), "law:calcs"))
        box.add_widget(top)
        cols = 1 if app.portrait or app.elder else 2
        for topic in lk.topics:
            guides = [g for g in lk.guides if g.topic == topic.name]
            if not guides:
                continue
            box.add_widget(Factory.GuideText(text=topic_name(app.tr, topic.name), bold=True))
            grid = self.grid(cols)
            for g in guides:
                grid.add_widget(self.button(g.title, f"law:guide:{g.id}"))
            box.add_widget(grid)


class GuideScreen(LookupScreen):
    """One part of one guide, in large type, with 朗读 and 打印 above it, the cited
    articles as buttons, and the way between parts (and straight to 去办理) below."""

    screen_name = "law_guide"
    voice_key = "lookup.guide_ui.voice_guide"

    def refresh(self) -> None:
        """The part shown now."""
        app, lk = self.kiosk, self.lk
        guide = lk.guide
        if guide is None:
            return
        parts = guide_parts(guide)
        part = parts[min(lk.part, len(parts) - 1)]
        self.title = guide.title
        self.subtitle = app.tr("lookup.guide_ui.part_of", n=lk.part + 1, total=len(parts),
                               name=app.tr(f"lookup.guide_ui.part_{part}"))
        self.message = ""
        box = self.body()
        shown = (guide.id, lk.part)
        if shown != getattr(self, "_shown", None):
            self._shown = shown
            box.parent.scroll_y = 1  # a new part starts at its top, not where the last one was scrolled to
        actions = self.grid(2)
        actions.add_widget(self.button(app.tr("lookup.guide_ui.read_part"), "law:read", selected=True))
        actions.add_widget(self.button(app.tr("lookup.guide_ui.print"), "law:print"))
        box.add_widget(actions)
        if part == "law":
            self._statements(box, guide.law)
        elif part == "steps":
            self._statements(box, guide.steps, numbered=True)
        elif part == "bring":
            for item in guide.bring:
                box.add_widget(Factory.GuideText(text=f"· {item}"))
        elif part == "time":
            self._statements(box, guide.time_limits)
        elif part == "where":
            self._statements(box, guide.where)
        else:
            self._next(box, guide)
        last = len(parts) - 1
        # Only the ways that lead somewhere: an empty, greyed button reads as broken.
        ways = [(label, action) for label, action, usable in (
            ("lookup.guide_ui.prev_part", "law:part:prev", lk.part > 0),
            ("lookup.guide_ui.next_part", "law:part:next", lk.part < last),
            ("lookup.guide_ui.to_next", "law:part:last", lk.part < last)) if usable]
        nav = self.grid(len(ways))
        for label, action in ways:
            nav.add_widget(self.button(app.tr(label), action))
        box.add_widget(nav)

    def _statements(self, box: Any, statements: tuple[Statement, ...], numbered: bool = False) -> None:
        """Each sentence in large type, its articles as buttons under it."""
        app, lib = self.kiosk, self.lk.library
        cols = 1 if app.portrait or app.elder else 2
        for i, s in enumerate(statements, 1):
            box.add_widget(Factory.GuideText(text=f"{i}. {s.text}" if numbered else s.text))
            cites = self.grid(cols)
            for c in s.cite:
                try:
                    hit = lib.article(c.title, c.article, c.sub) if lib is not None else None
                except LibraryError as exc:
                    log.warning("guide cites an article the library lacks: %s", exc.detail)
                    continue
                if hit is None:
                    continue
                b = self.button(app.tr("lookup.guide_ui.cite", cite=hit.citation), f"law:cite:{cite_value(c.title, c.article, c.sub)}")
                b.font_size = app.fs(24)
                cites.add_widget(b)
            box.add_widget(cites)

    def _next(self, box: Any, guide: Guide) -> None:
        """The services to take next, as big buttons; a service that cannot work now
        says why instead (the home screen's reasons)."""
        app = self.kiosk
        cols = 1 if app.portrait or app.elder else 2
        grid = self.grid(cols)
        grid.add_widget(self.button(app.tr("lookup.guide_ui.ticket", service=self.service_name(guide.service)),
                                    "law:next:ticket", selected=True))
        why: list[str] = []
        for what, wanted in (("video", guide.video), ("aid", guide.legal_aid)):
            tile = next_tile(app, what) if wanted else None
            if tile is None:
                continue
            can = tile.availability()
            if can:
                grid.add_widget(self.button(app.tr(f"lookup.guide_ui.{what}"), f"law:next:{what}"))
            elif not getattr(can, "hidden", False):
                why.append(app.tr("lookup.guide_ui.why", what=app.tr(f"lookup.guide_ui.{what}"),
                                  reason=app.tr(getattr(can, "reason_key", ""))))
        for name in guide.calculators:
            calc = form(name)
            if calc is not None:
                grid.add_widget(self.button(app.tr("lookup.guide_ui.calc", name=app.tr(calc.title_key)), f"law:calc:{name}"))
        for title, action in document_offers(app.terminal.flow, guide.documents):
            grid.add_widget(self.button(app.tr("lookup.guide_ui.document", title=title), action))
        box.add_widget(grid)
        for reason in why:
            box.add_widget(Factory.GuideText(text=reason, font_size=app.fs(24)))

    def part_words(self) -> str:
        """The part shown, as it is read aloud: its name, then its sentences with the
        articles they rest on."""
        app, lk = self.kiosk, self.lk
        guide = lk.guide
        if guide is None:
            return ""
        parts = guide_parts(guide)
        part = parts[min(lk.part, len(parts) - 1)]
        said = [guide.title if lk.part == 0 else "", app.tr(f"lookup.guide_ui.part_{part}")]

        def cited(s: Statement) -> str:
            return s.text + app.tr("lookup.guide_ui.cite_spoken", cites="、".join(
                str(Citation(c.title, c.article)) for c in s.cite))

        if part == "law":
            said += [cited(s) for s in guide.law]
        elif part == "steps":
            said += [f"第{i}步，{cited(s)}" for i, s in enumerate(guide.steps, 1)]
        elif part == "bring":
            said += list(guide.bring)
        elif part == "time":
            said += [cited(s) for s in guide.time_limits]
        elif part == "where":
            said += [cited(s) for s in guide.where]
        else:
            documents = {action for _, action in document_offers(app.terminal.flow, guide.documents)}
            said += [b.spoken_label() for b in self.kiosk.buttons_on_screen()
                     if b.action.startswith(("law:next:", "law:calc:")) or b.action in documents]
        return "。".join(p.rstrip("。") for p in said if p) + "。"

    def read_aloud(self) -> None:
        """Say the part shown."""
        self.kiosk.speak(self.part_words())
