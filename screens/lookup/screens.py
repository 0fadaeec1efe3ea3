"""The law library's screens (查法律): life topics as big tiles, a topic's key texts, a
text's articles page by page, one article in large type (its title and version date
always shown, read aloud, printed, a QR code for a phone), and search with our own
on-screen pinyin keyboard or a spoken question (free-mode dictation)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from kivy.factory import Factory
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.lookup.feature import LawAsked, LookupFeature, version_line
from kiosk.lookup.library import ArticleHit
from kiosk.ports import DeviceKind
from screens.dictation import Dictation
from screens.flow_screen import FlowScreen
from screens.widgets import KButton

PREVIEW_MAX = 72  # at most this much of an article's words on its row
# The on-screen keyboard: Latin letters for pinyin, in the familiar QWERTY rows.
KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


class KeyButton(KButton):
    """A key of the on-screen keyboard. ``quiet``: not read out among a screen's offers
    in voice mode (twenty-six letters would drown what the screen is for)."""

    quiet = True


def topic_name(tr: Callable[..., str], name: str) -> str:
    """A topic's name in the screen's language (the data names it in Chinese)."""
    return tr(f"lookup.ui.topic.{name}")


def lookup_of(flow: Any) -> LookupFeature:
    """The look-up feature registered with the visit flow."""
    feature = flow.features.get(LookupFeature.name)
    assert isinstance(feature, LookupFeature), "look-up is not registered"
    return feature


def _preview(hit: ArticleHit, chars: int) -> str:
    # The body starts with its own number (第四十七条), already shown in bold before it.
    # Paragraphs run on without spaces: Kivy wraps at a space first, which would break
    # a Chinese line early.
    first = "".join(hit.body.removeprefix(hit.label).split())
    return first if len(first) <= chars else first[:chars] + "…"


class LookupScreen(FlowScreen):
    """What every library screen shares: the feature, and rows of articles."""

    voice_key = ""  # how to answer this screen by voice (said after its offers)

    @property
    def lk(self) -> LookupFeature:
        """The feature."""
        return lookup_of(self.kiosk.terminal.flow)

    def article_row(self, hit: ArticleHit, action: str, with_title: bool = False) -> KButton:
        """One article as a big row: its number (and text), the start of its words."""
        app = self.kiosk
        head = hit.citation if with_title else hit.label
        # Two lines at most: as much of the words as fits beside the number on the
        # screen's width in the type of the moment (wide, portrait, elder).
        row = self.button("", action, markup=True, halign="left", spoken=head)
        per_line = max(8, int((Window.width - 100 * app.scale) / (row.font_size * 1.02)))
        chars = min(PREVIEW_MAX, max(6, per_line * 2 - len(head) - 4))
        row.text = f"[b]{head}[/b]  {_preview(hit, chars)}"
        row.height = app.target() * 1.7
        return row

    def spoken_intro(self) -> str:
        """Title, line under it, message, and how to answer by voice."""
        extra = self.kiosk.guide.text(self.voice_key) if self.voice_key else ""
        return super().spoken_intro() + extra


class TopicsScreen(LookupScreen):
    """The life topics as big tiles, and Search."""

    screen_name = "law_topics"
    voice_key = "lookup.ui.voice_topics"

    def refresh(self) -> None:
        """One tile per topic, with its summary."""
        app, lk = self.kiosk, self.lk
        self.title = app.tr("lookup.ui.topics_title")
        self.subtitle = app.tr("lookup.ui.topics_hint")
        self.message = ""
        box = self.body()
        top = self.grid(3)
        top.add_widget(self.button(app.tr("lookup.ui.search"), "law:search", selected=True))
        top.add_widget(self.button(app.tr("lookup.guide_ui.open"), "law:guides"))
        top.add_widget(self.button(app.tr("lookup.calc_ui.open"), "law:calcs"))
        box.add_widget(top)
        grid = self.grid(2 if app.portrait or app.elder else 3)
        for topic in lk.topics:
            name = topic_name(app.tr, topic.name)
            tile = Factory.TopicTile(text=f"[b]{name}[/b]\n[size={int(app.fs(20))}]{topic.summary}[/size]",
                                     action=f"law:topic:{topic.name}", spoken=name)
            grid.add_widget(tile)
        box.add_widget(grid)


class TextsScreen(LookupScreen):
    """A topic's key texts, each with its version date."""

    screen_name = "law_texts"

    def refresh(self) -> None:
        """One row per text."""
        app, lk = self.kiosk, self.lk
        topic = lk.topic
        self.title = app.tr("lookup.ui.texts_title", topic=topic_name(app.tr, topic.name) if topic else "")
        self.subtitle = app.tr("lookup.ui.texts_hint")
        box = self.body()
        texts = lk.texts_of(topic) if topic is not None else []
        self.message = "" if texts else app.tr("lookup.ui.texts_none")
        # The topic's guides first: what to do, before the texts of the law.
        for guide in (g for g in lk.guides if topic is not None and g.topic == topic.name):
            box.add_widget(self.button(app.tr("lookup.guide_ui.result", title=guide.title), f"law:guide:{guide.id}",
                                       selected=True, spoken=guide.title))
        for text in texts:
            line = version_line(text.version_date, text.current, app.tr)
            row = self.button(f"[b]《{text.short_title}》[/b]\n[size={int(app.fs(20))}]{line}[/size]",
                              f"law:text:{text.id}", markup=True, spoken=text.short_title)
            row.height = app.target() * 1.6
            box.add_widget(row)


class ArticlesScreen(LookupScreen):
    """A text's articles: the topic's key ones first, then all of them page by page."""

    screen_name = "law_articles"

    def refresh(self) -> None:
        """Key articles, then one page of all, then the page buttons."""
        app, lk = self.kiosk, self.lk
        text = lk.text
        if text is None:
            return
        self.title = f"《{text.short_title}》"
        self.subtitle = f"{version_line(text.version_date, text.current, app.tr)} · {app.tr('lookup.ui.articles_hint', n=len(lk.article_rows))}"
        self.message = ""
        box = self.body()
        keys = lk.key_articles()
        if keys and lk.page == 0:
            box.add_widget(self.text(app.tr("lookup.ui.key_articles")))
            for hit in keys:
                box.add_widget(self.article_row(hit, f"law:article:{hit.number}-{hit.sub}"))
        box.add_widget(self.text(app.tr("lookup.ui.all_articles", page=lk.page + 1, pages=lk.pages)))
        for hit in lk.page_rows():
            box.add_widget(self.article_row(hit, f"law:article:{hit.number}-{hit.sub}"))
        if lk.pages > 1:
            nav = self.grid(2)
            prev = self.button(app.tr("lookup.ui.prev_page"), "law:page:prev" if lk.page > 0 else "")
            nxt = self.button(app.tr("lookup.ui.next_page"), "law:page:next" if lk.page < lk.pages - 1 else "")
            for b in (prev, nxt):
                b.disabled = not b.action
                b.opacity = 1 if b.action else 0.3
                nav.add_widget(b)
            box.add_widget(nav)


class ArticleScreen(LookupScreen):
    """One article in large type: the text's title and version date above it; 朗读,
    打印 and a QR code for a phone below."""

    screen_name = "law_article"
    voice_key = "lookup.ui.voice_article"

    def refresh(self) -> None:
        """Title, version, chapter, the article, the actions."""
        app, lk = self.kiosk, self.lk
        hit = lk.article
        if hit is None:
            return
        self.title = f"《{hit.short_title}》{hit.label}"
        self.subtitle = version_line(hit.version_date, hit.current, app.tr)
        self.message = ""
        box = self.body()
        # 朗读 and 打印 above the words, where they are seen without scrolling.
        actions = self.grid(2)
        actions.add_widget(self.button(app.tr("lookup.ui.read_aloud"), "law:read", selected=True))
        actions.add_widget(self.button(app.tr("lookup.ui.print"), "law:print"))
        box.add_widget(actions)
        if hit.chapter:
            box.add_widget(self.text(hit.chapter))
        box.add_widget(Factory.ArticleText(text=hit.body))
        url = lk.article_url(hit)
        if url:
            # deferred: qrcode and PIL are paid only when an article with an address is shown
            from screens.qr import qr_texture

            qr = Factory.ArticleQr()
            qr.ids.image.texture = qr_texture(url)
            qr.ids.caption.text = app.tr("lookup.ui.qr_caption")
            box.add_widget(qr)

    def spoken_intro(self) -> str:
        """What it is (title, article, version) and how to have it read or printed."""
        app, hit = self.kiosk, self.lk.article
        if hit is None:
            return ""
        said = app.tr("lookup.ui.article_spoken", title=hit.short_title, label=hit.label)
        return f"{said}{self.subtitle}。{app.guide.text(self.voice_key)}"

    def read_aloud(self) -> None:
        """Say the article: its title and number, then its words."""
        app, hit = self.kiosk, self.lk.article
        if hit is not None:
            app.speak(app.tr("lookup.ui.article_spoken", title=hit.short_title, label=hit.label) + hit.body)


class SearchScreen(Dictation, LookupScreen):
    """The query, the Hanzi the typed pinyin may mean, our own keyboard, Search and
    说出问题 (a spoken question, written down in free mode)."""

    screen_name = "law_search"
    primary_action = "law:query"
    voice_key = "lookup.ui.voice_search"

    def refresh(self) -> None:
        """The query as typed, the choices, the keys."""
        app, lk = self.kiosk, self.lk
        self.title = app.tr("lookup.ui.search_title")
        self.subtitle = app.tr("lookup.ui.search_hint")
        self.message = app.tr("lookup.ui.listening") if self.dictating else ""
        box = self.body()
        key_height = app.target() * 1.1
        top = BoxLayout(size_hint_y=None, height=key_height, spacing=14 * app.scale)
        shown = lk.query + lk.pinyin
        query = Factory.QueryField(text=shown or app.tr("lookup.ui.search_empty"))
        query.empty = not shown  # declared by its kv rule, so set once made
        if app.portrait:  # too narrow for the query beside its buttons: a line of its own
            query.size_hint_y = None
            query.height = key_height
            box.add_widget(query)
        else:
            top.add_widget(query)
        for label, action, chosen in (("lookup.ui.dictate", "law:dictate", False), ("lookup.ui.search", "law:query", True)):
            b = self.button(app.tr(label), action, selected=chosen, size_hint_x=0.22)
            b.height = key_height
            top.add_widget(b)
        box.add_widget(top)
        cands = lk.candidates()
        row = self.grid(8)
        for c in cands:
            choice = KeyButton(text=c, action=f"law:hanzi:{c}")
            choice.quiet = False  # the characters offered are worth saying
            row.add_widget(choice)
        if not cands:
            row.add_widget(Widget(size_hint_y=None, height=key_height))
        box.add_widget(row)
        # Three rows of ten: the letters, with 退格, 空格 and 清空 at the ends.
        extra = {1: ("back",), 2: ("space", "clear")}
        for i, keys in enumerate(KEY_ROWS):
            line = self.grid(10)
            for k in keys:
                line.add_widget(KeyButton(text=k, action=f"law:key:{k}"))
            for key in extra.get(i, ()):
                word = KeyButton(text=app.tr(f"lookup.ui.keyboard_{key}"), action=f"law:key:{key}")
                word.font_size = app.fs(18 if app.portrait else 22)  # a word on a key meant for one letter
                line.add_widget(word)
            box.add_widget(line)

    # --- a spoken question: free-mode dictation, the way legal aid takes the story ----
    def voice_grammar(self) -> list[str] | None:
        """Free text while dictating (None); the buttons' names otherwise."""
        return None if self.dictating else []

    def dictate(self) -> None:
        """Listen for one question in free mode; it becomes the search."""
        app = self.kiosk
        voice = app.terminal.voice_input
        mic = app.terminal.devices.get(DeviceKind.MIC)
        if voice is None or mic is None:
            app.show_notice("lookup.ui.no_voice")
            return
        self.start_dictation()
        self.message = app.tr("lookup.ui.listening")
        app.speak(app.tr("lookup.ui.listening"))

    def take_speech(self, text: str) -> bool:
        """While dictating, what is heard is the question: it is searched."""
        if not self.dictating:
            return False
        self.stop_dictation()
        # Straight to the flow, not as an action string: what was said is never in a log line.
        self.kiosk.terminal.flow.handle(LawAsked("spoken", text))
        return True


class ResultsScreen(LookupScreen):
    """What a search found, as big rows (text, article, the start of its words)."""

    screen_name = "law_results"

    def refresh(self) -> None:
        """One row per article found, or why none."""
        app, lk = self.kiosk, self.lk
        self.title = app.tr("lookup.ui.results_title", query=lk.searched)
        self.subtitle = app.tr("lookup.ui.results_hint", n=len(lk.results))
        if lk.understood:
            self.subtitle = f"{app.tr('lookup.ui.results_pinyin', hanzi=lk.understood)} · {self.subtitle}"
        self.message = "" if lk.results or lk.guide_results else app.tr("lookup.ui.results_none", query=lk.searched)
        box = self.body()
        # A guide the question is about first: what to do, in plain words, before articles.
        for guide in lk.guide_results:
            row = self.button(app.tr("lookup.guide_ui.result", title=guide.title), f"law:guide:{guide.id}", selected=True,
                              spoken=guide.title)
            box.add_widget(row)
        for i, hit in enumerate(lk.results):
            box.add_widget(self.article_row(hit, f"law:result:{i}", with_title=True))


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
