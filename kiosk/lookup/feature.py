"""自助查询 as a feature of the visit: browse the law library by life topic, search it
(Hanzi, pinyin, a spoken question), read one article, have it read aloud or printed.

The screens are in ``screens/lookup/``; this module holds the states, the steps between
them, what the person has chosen so far, and whether the tile can work on this terminal
(not when no library is installed: the home screen then says why).
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Protocol
from pathlib import Path
from urllib.parse import quote

from kiosk import events as ev
from kiosk.availability import AVAILABLE, Availability, HomeTile, Unavailable
from kiosk.events import Event
from kiosk.feature import FeatureBase, FeatureContext, State
from kiosk.lookup.calc import CalcError, CalcResult, chinese_translator
from kiosk.lookup.calcform import CalcForm, FormField, form
from kiosk.lookup.guides import Guide, load_guides
from kiosk.lookup.library import ArticleHit, Library, LibraryError, TextInfo, default_library_path
from kiosk.lookup.query import is_pinyin
from kiosk.lookup.topics import Topic, load_topics
from kiosk.receipt import Align, Block, Feed, QrCode, Receipt, Separator, Text, Translate
from kiosk.states import VisitState
from kiosk.visit import VisitFlow

log = logging.getLogger(__name__)

PAGE_SIZE = 8  # article rows per page: each row is a large target
RESULTS = 8  # search results shown
MAX_QUERY = 40  # characters a query may hold (the on-screen keyboard stops there)


class LookupState(enum.StrEnum):
    """Where the person is in the library (each value is a screen's name)."""

    TOPICS = "law_topics"  # the life topics
    TEXTS = "law_texts"  # one topic's key texts
    ARTICLES = "law_articles"  # one text's articles
    ARTICLE = "law_article"  # one article, in large type
    SEARCH = "law_search"  # the on-screen keyboard
    RESULTS = "law_results"  # what a search found
    GUIDES = "law_guides"  # 办事指南: the guides, by life topic
    GUIDE = "law_guide"  # one guide, part by part
    CALCS = "law_calcs"  # 法律计算器: the calculators
    CALC = "law_calc"  # one calculator's questions, one at a time
    CALC_RESULT = "law_calc_result"  # the figure, its formula, numbers and articles


@dataclass(frozen=True)
class LawOpened(Event):
    """The person tapped 查法律 (``start="topics"``) or 办事指南 (``start="guides"``) on
    the home screen."""

    start: str = "topics"


@dataclass(frozen=True)
class LawAsked(Event):
    """One step inside the library: ``step`` (topic, text, article, page, search, key,
    pinyin, hanzi, query, result, spoken; guides, guide, part, cite; calcs, calc,
    answer, skip, field_back) with its ``value``."""

    step: str
    value: str = ""


class LookupFeature(FeatureBase):
    """The library's screens as steps of a visit; the library is opened on first use."""

    name = "lookup"
    states = tuple(LookupState)
    transitions = {
        (VisitState.HOME, LawOpened): LookupState.TOPICS,
        **{(s, ev.HomePressed): VisitState.HOME for s in LookupState},
        **{(s, ev.Finished): VisitState.ATTRACT for s in LookupState},
    }
    events = (LawOpened, LawAsked)
    multi_step = frozenset(LookupState)
    screens = {
        LookupState.TOPICS.value: "screens.lookup.screens:TopicsScreen",
        LookupState.TEXTS.value: "screens.lookup.screens:TextsScreen",
        LookupState.ARTICLES.value: "screens.lookup.screens:ArticlesScreen",
        LookupState.ARTICLE.value: "screens.lookup.screens:ArticleScreen",
        LookupState.SEARCH.value: "screens.lookup.screens:SearchScreen",
        LookupState.RESULTS.value: "screens.lookup.screens:ResultsScreen",
        LookupState.GUIDES.value: "screens.lookup.guide_screens:GuidesScreen",
        LookupState.GUIDE.value: "screens.lookup.guide_screens:GuideScreen",
        LookupState.CALCS.value: "screens.lookup.calc_screens:CalcsScreen",
        LookupState.CALC.value: "screens.lookup.calc_screens:CalcScreen",
        LookupState.CALC_RESULT.value: "screens.lookup.calc_screens:CalcResultScreen",
    }
    config_section = "lookup"

    def __init__(self, path: Path, url_template: str = "", guide_url_template: str = "") -> None:
        self.path = path
        self.url_template = url_template
        self.guide_url_template = guide_url_template
        self.guides: tuple[Guide, ...] = load_guides().guides
        self._library: Library | None = None
        self._opened_mtime: float | None = None
        self.topics: tuple[Topic, ...] = load_topics().topics
        self.wipe()

    # --- the library ------------------------------------------------------------------
    @property
    def library(self) -> Library | None:
        """The installed library, opened (again when a new package replaced it); None
        when there is none or it cannot be read."""
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            self._close()
            return None
        if self._library is None or mtime != self._opened_mtime:
            self._close()
            try:
                self._library = Library(self.path)
                self._opened_mtime = mtime
            except LibraryError as exc:
                log.warning("law library not usable: %s", exc)
                return None
        return self._library

    def _close(self) -> None:
        if self._library is not None:
            self._library.close()
        self._library = None
        self._opened_mtime = None

    def availability(self) -> Availability:
        """Offered only when a library is installed and opens."""
        if not self.path.is_file():
            return Unavailable("lookup.ui.unavailable_missing")
        if self.library is None:
            return Unavailable("lookup.ui.unavailable_broken")
        return AVAILABLE

    def guides_availability(self) -> Availability:
        """The guides need the library (their articles, the search): offered with it.
        Without it 查法律's tile already says why, so this one is not mentioned twice."""
        can = self.availability()
        return Unavailable(can.reason_key, hidden=True) if isinstance(can, Unavailable) else can

    def tiles(self) -> list[HomeTile]:
        """遇到问题怎么办 (the guides: what a person who reads little looks for first) and
        查法律, among the things done here at the terminal."""
        return [HomeTile("lookup.guide_ui.tile", "lookup.guide_ui.tile_hint", "signpost", "law:open:guides", kind="here",
                         order=25, spoken_key="lookup.guide_ui.tile_spoken", availability=self.guides_availability),
                HomeTile("lookup.ui.tile", "lookup.ui.tile_hint", "scales", "law:open", kind="here", order=30,
                         spoken_key="lookup.ui.tile_spoken", availability=self.availability)]

    # --- what the person has chosen ----------------------------------------------------
    def wipe(self) -> None:
        """The next person starts at the topics with an empty query."""
        self.topic: Topic | None = None
        self.text: TextInfo | None = None
        self.article_rows: list[ArticleHit] = []
        self.key_numbers: tuple[tuple[int, int], ...] = ()
        self.page = 0
        self.article: ArticleHit | None = None
        self.query = ""  # Hanzi chosen so far (or a whole spoken question)
        self.pinyin = ""  # Latin letters typed and not yet turned into Hanzi
        self.searched = ""  # the query the results are for
        self.understood = ""  # the Hanzi a pinyin query was read as
        self.results: list[ArticleHit] = []
        self.guide_results: list[Guide] = []  # guides a search found (shown first)
        self.guide: Guide | None = None
        self.part = 0  # the part of the guide shown (see guide_parts)
        self.calc: CalcForm | None = None
        self.answers: dict[str, str] = {}
        self.field = 0  # the question of the calculator shown
        self.calc_result: CalcResult | None = None
        self.problem = ""  # why the last answer was refused (a translation key)
        self.trail: list[State] = []  # where Back leads, newest last

    def texts_of(self, topic: Topic) -> list[TextInfo]:
        """The topic's key texts, in the order it lists them (each once)."""
        lib = self.library
        out: list[TextInfo] = []
        seen: set[int] = set()
        for cite in topic.refs:
            info = lib.find_text(cite.title) if lib is not None else None
            if info is not None and info.id not in seen:
                seen.add(info.id)
                out.append(info)
        return out

    def key_articles(self) -> list[ArticleHit]:
        """The articles of the open text the topic names, first on its list."""
        keys = set(self.key_numbers)
        return [a for a in self.article_rows if (a.number, a.sub) in keys]

    def page_rows(self) -> list[ArticleHit]:
        """The articles on the page shown."""
        return self.article_rows[self.page * PAGE_SIZE:(self.page + 1) * PAGE_SIZE]

    @property
    def pages(self) -> int:
        """How many pages the open text's articles fill."""
        return max(1, -(-len(self.article_rows) // PAGE_SIZE))

    def candidates(self) -> list[str]:
        """Hanzi the typed pinyin may mean: the likeliest phrase first, then words and
        single characters with that reading (so one or two characters can be typed)."""
        lib = self.library
        if lib is None or not self.pinyin:
            return []
        return lib.pinyin_candidates(self.pinyin)

    def article_url(self, hit: ArticleHit) -> str | None:
        """The address to read ``hit`` on a phone, when the terminal has one configured."""
        if not self.url_template:
            return None
        try:
            return self.url_template.format(title=quote(hit.short_title), number=hit.number, sub=hit.sub,
                                            version=quote(hit.version_date or ""))
        except (KeyError, IndexError, ValueError) as exc:
            log.warning("[lookup] url_template cannot be filled: %s", exc)
            return None

    # --- steps ---------------------------------------------------------------------------
    def back(self, flow: VisitFlow, state: State) -> State | None:
        """Back to the screen the person came from (the topics lead home)."""
        if self.trail:
            return self.trail.pop()
        return VisitState.HOME

    def on_event(self, flow: VisitFlow, event: Event, target: State | None) -> State | None:
        """Open at the topics; take one step inside the library."""
        if isinstance(event, LawOpened):
            if target is None:
                return None
            self.wipe()
            return LookupState.GUIDES if event.start == "guides" else target
        if isinstance(event, LawAsked) and flow.state in self.states:
            new = self.asked(flow, event.step, event.value)
            if new is not None and new != flow.state:
                self.trail.append(flow.state)
            return new
        return None

    def asked(self, flow: VisitFlow, step: str, value: str) -> State | None:
        """One step: the state to go to, None to stay."""
        lib = self.library
        if lib is None:
            flow.set_notice("lookup.error")
            return None
        if step == "topic":
            self.topic = next((t for t in self.topics if t.name == value), None)
            return LookupState.TEXTS if self.topic is not None else None
        if step == "text" and value.isdigit():
            return self._open_text(lib, int(value))
        if step == "page" and value in ("next", "prev"):
            self.page = min(self.pages - 1, max(0, self.page + (1 if value == "next" else -1)))
            return None
        if step == "article":
            return self._open_article(value)
        if step == "search":
            return LookupState.SEARCH
        if step == "key":
            return self._key(value)
        if step == "hanzi":
            if len(self.query) + len(value) <= MAX_QUERY:
                self.query += value
            self.pinyin = ""
            return None
        if step == "query":
            return self._search(lib)
        if step == "spoken":
            self.query, self.pinyin = value.strip()[:MAX_QUERY], ""
            return self._search(lib)
        if step == "result" and value.isdigit() and int(value) < len(self.results):
            self.article = self.results[int(value)]
            return LookupState.ARTICLE
        return self._guide_step(flow, lib, step, value)

    # --- guides and calculators --------------------------------------------------------
    def _guide_step(self, flow: VisitFlow, lib: Library, step: str, value: str) -> State | None:
        if step == "guides":
            return LookupState.GUIDES
        if step == "guide":
            guide = next((g for g in self.guides if g.id == value), None)
            if guide is None:
                return None
            self.guide, self.part = guide, 0
            return LookupState.GUIDE
        if step == "part" and self.guide is not None:
            last = len(guide_parts(self.guide)) - 1
            if value == "next":
                self.part = min(last, self.part + 1)
            elif value == "prev":
                self.part = max(0, self.part - 1)
            elif value == "last":
                self.part = last
            return None
        if step == "cite":
            return self._open_cite(flow, lib, value)
        if step == "calcs":
            return LookupState.CALCS
        if step == "calc":
            found = form(value)
            if found is None:
                return None
            self.calc, self.answers, self.field, self.calc_result, self.problem = found, {}, 0, None, ""
            return LookupState.CALC
        if step in ("answer", "skip") and self.calc is not None and flow.state is LookupState.CALC:
            return self._answer(value if step == "answer" else "")
        if step == "field_back" and self.calc is not None:
            self.field, self.problem = max(0, self.field - 1), ""
            return None
        return None

    def _open_cite(self, flow: VisitFlow, lib: Library, value: str) -> State | None:
        """``TITLE|NUMBER|SUB``: the article a guide or a result rests on."""
        title, _, rest = value.partition("|")
        number, _, sub = rest.partition("|")
        try:
            self.article = lib.article(title, number, sub or 0)
        except LibraryError as exc:
            log.warning("cited article not found: %s", exc.detail)
            flow.set_notice(exc.message_key)
            return None
        return LookupState.ARTICLE

    def current_field(self) -> FormField | None:
        """The question of the calculator shown now."""
        if self.calc is None:
            return None
        asked = self.calc.asked(self.answers)
        return asked[self.field] if self.field < len(asked) else None

    def _answer(self, value: str) -> State | None:
        """Take one answer; after the last, work the figure out. A refused answer leaves
        the question on screen with the reason (``self.problem``)."""
        assert self.calc is not None
        question = self.current_field()
        if question is None:
            return None
        value = value.strip()
        if not value and question.optional:
            self.answers.pop(question.id, None)
        else:
            problem = question.problem(value)
            if problem is not None:
                self.problem = problem
                return None
            self.answers[question.id] = str(int(value)) if question.kind == "number" else value
        self.problem = ""
        # Answers to questions no longer asked (a changed choice) are dropped.
        asked = self.calc.asked(self.answers)
        self.answers = {k: v for k, v in self.answers.items() if any(f.id == k for f in asked)}
        if self.field + 1 < len(asked):
            self.field += 1
            return None
        try:
            self.calc_result = self.calc.compute(self.answers)
        except CalcError as exc:
            # Answers each in range, together impossible (no time worked at all).
            log.info("calculator %s refused the answers: %s", self.calc.name, exc.detail)
            self.problem = exc.message_key
            self.field = 0
            return None
        return LookupState.CALC_RESULT

    def _open_text(self, lib: Library, text_id: int) -> State | None:
        text = next((t for t in self.texts_of(self.topic) if t.id == text_id), None) if self.topic else None
        if text is None:
            return None
        self.text = text
        self.article_rows = lib.articles_of(text.title if text.current else text.short_title)
        self.key_numbers = tuple((c.article, c.sub) for c in (self.topic.refs if self.topic else ())
                                 if lib.find_text(c.title) == text)
        self.page = 0
        return LookupState.ARTICLES

    def _open_article(self, value: str) -> State | None:
        number, _, sub = value.partition("-")
        if not number.isdigit():
            return None
        found = next((a for a in self.article_rows if a.number == int(number) and a.sub == int(sub or 0)), None)
        if found is None:
            return None
        self.article = found
        return LookupState.ARTICLE

    def _key(self, key: str) -> State | None:
        if key == "back":
            if self.pinyin:
                self.pinyin = self.pinyin[:-1]
            else:
                self.query = self.query[:-1]
        elif key == "clear":
            self.query, self.pinyin = "", ""
        elif key == "space":
            if self.pinyin and not self.pinyin.endswith(" "):
                self.pinyin += " "
        elif len(key) == 1 and key.isascii() and key.isalpha() and len(self.query) + len(self.pinyin) < MAX_QUERY:
            self.pinyin += key.lower()
        return None

    def _search(self, lib: Library) -> State | None:
        typed = self.pinyin.strip()
        if typed and self.query:
            # Hanzi chosen and pinyin still typed: the pinyin is read as its likeliest Hanzi.
            hanzi = lib.pinyin_to_hanzi(typed)
            query = self.query + (hanzi or typed)
        else:
            query = self.query or typed
        if not query:
            return None
        self.searched = query
        # Shown with the results, so a person who typed the sound sees what was read.
        self.understood = (lib.pinyin_to_hanzi(query) or "") if is_pinyin(query) else ""
        self.results = lib.search(query, limit=RESULTS)
        # The guides a question is about come first: a plain answer before the articles.
        self.guide_results = load_guides().find(self.understood or query)
        return LookupState.RESULTS


def version_line(text_date: str | None, current: bool, tr: Translate) -> str:
    """The line that always goes with a text: its version date, and whether in force."""
    date = text_date or tr("lookup.ui.date_unknown")
    return tr("lookup.ui.version_current" if current else "lookup.ui.version_old").format(date=date)


def article_receipt(hit: ArticleHit, tr: Translate, url: str | None = None) -> Receipt:
    """The article on the receipt printer: the text's title, its version date, the
    article in full; the QR code to read it on a phone when there is an address."""
    blocks: list[Block] = [
        Text(f"《{hit.title}》", align=Align.CENTER, bold=True),
        Text(version_line(hit.version_date, hit.current, tr), align=Align.CENTER),
        Separator("="),
        Text(hit.label, bold=True, width=2, height=2),
    ]
    if hit.chapter:
        blocks.append(Text(hit.chapter))
    blocks.append(Feed(1))
    blocks += [Text(line) for line in hit.body.splitlines() if line.strip()]
    blocks += [Separator("-"), Text(tr("lookup.ui.receipt_note"))]
    if url:
        blocks += [QrCode(url, module=5), Text(tr("lookup.ui.qr_caption"), align=Align.CENTER)]
    return Receipt(title=f"law {hit.short_title} {hit.number}", blocks=tuple(blocks))


GUIDE_PARTS = ("law", "steps", "bring", "time", "where", "next")


def guide_parts(guide: Guide) -> tuple[str, ...]:
    """The parts of a guide shown one at a time: what the law says, the steps, what to
    bring, time limits (when it has any), where to go, what to do next."""
    return tuple(p for p in GUIDE_PARTS if p != "time" or guide.time_limits)


class DocumentOffer(Protocol):
    """A feature that prints fill-in documents (文书) and can open one by name: a guide
    naming documents (``Guide.documents``) shows each only when such a feature offers it."""

    def document_action(self, document: str) -> str | None:
        """The action that opens ``document`` (e.g. ``doc:open:NAME``), None if not offered."""

    def document_title(self, document: str) -> str | None:
        """The document's title as its button names it (劳动人事争议仲裁申请书)."""


def document_action(flow: VisitFlow, document: str) -> str | None:
    """The action of the first registered feature offering ``document``, or None."""
    offer = document_offer(flow, document)
    return offer[1] if offer else None


def document_offer(flow: VisitFlow, document: str) -> tuple[str, str] | None:
    """``(title, action)`` of the first registered feature offering ``document``, or None."""
    if not document:
        return None
    for feature in flow.features:
        offer = getattr(feature, "document_action", None)
        if callable(offer):
            action = offer(document)
            if isinstance(action, str) and action:
                named = getattr(feature, "document_title", None)
                title = named(document) if callable(named) else None
                return (title if isinstance(title, str) and title else document), action
    return None


def document_offers(flow: VisitFlow, documents: tuple[str, ...]) -> list[tuple[str, str]]:
    """``(title, action)`` of each of ``documents`` a registered feature offers, in order."""
    return [o for o in (document_offer(flow, d) for d in documents) if o is not None]


def cite_value(title: str, article: int, sub: int = 0) -> str:
    """A cited article as the value of the ``cite`` step."""
    return f"{title}|{article}|{sub}"


def guide_url(template: str, guide: Guide) -> str | None:
    """The address to read ``guide`` on a phone, when one is configured."""
    if not template:
        return None
    try:
        return template.format(id=quote(guide.id), title=quote(guide.title))
    except (KeyError, IndexError, ValueError) as exc:
        log.warning("[lookup] guide_url_template cannot be filled: %s", exc)
        return None


def guide_receipt(guide: Guide, tr: Translate, url: str | None = None) -> Receipt:
    """The guide's short form on the receipt printer: what the law says (with its
    articles), the steps, what to bring, time limits, where to go, what to take next;
    the QR code for the whole guide on a phone when there is an address."""
    blocks: list[Block] = [Text(guide.title, align=Align.CENTER, bold=True, width=2, height=2), Separator("=")]
    for line in guide.lines(chinese_translator(), short=True)[1:]:
        blocks.append(Text(line, bold=not line.startswith(" ")))
    blocks += [Separator("-"), Text(tr("lookup.guide_ui.receipt_note"))]
    if url:
        blocks += [QrCode(url, module=5), Text(tr("lookup.guide_ui.qr_caption"), align=Align.CENTER)]
    return Receipt(title=f"guide {guide.id}", blocks=tuple(blocks))


def calc_receipt(result: CalcResult, tr: Translate) -> Receipt:
    """A calculator's result on the receipt printer: the figure, the formula, every
    number used and the articles it rests on."""
    lines = result.lines(chinese_translator())
    blocks: list[Block] = [Text(lines[0].strip("【】"), align=Align.CENTER, bold=True), Separator("=")]
    for line in lines[1:]:
        big = line.startswith(chinese_translator().t("lookup.calc_result", amount="").rstrip())
        blocks.append(Text(line, bold=big))
    blocks += [Separator("-"), Text(tr("lookup.calc_ui.receipt_note"))]
    return Receipt(title=f"calc {result.name}", blocks=tuple(blocks))


def setup(ctx: FeatureContext) -> LookupFeature:
    """The feature, on the configured library file (opened when first needed)."""
    settings = ctx.config.lookup
    return LookupFeature(default_library_path(ctx.data_dir, settings.library), settings.url_template,
                         settings.guide_url_template)
