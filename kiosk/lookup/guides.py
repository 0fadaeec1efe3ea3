"""办事指南 as validated data (``data/guides.toml``): for each common dispute, what the law
says in two sentences, the steps, what to bring, time limits, where to go and the service
to take next — every statement with the articles it rests on."""

from __future__ import annotations

import functools
import re
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kiosk.catalog import load_catalog
from kiosk.datafile import parse_toml
from kiosk.errors import CatalogError
from kiosk.i18n import Translator
from kiosk.lookup.calc import CALCULATORS, Citation, chinese_translator
from kiosk.lookup.library import LibraryError
from kiosk.lookup.query import vocabulary

_CITE = re.compile(r"^(?P<title>\S.*?)\s+(?P<number>\d+)(?:-(?P<sub>\d+))?$")


class Cite(BaseModel):
    """``劳动合同法 47`` (``刑法 17-1`` for 第十七条之一)."""

    model_config = ConfigDict(frozen=True)
    title: str
    article: int
    sub: int = 0

    @classmethod
    def parse(cls, text: str) -> Cite:
        """Read ``TITLE NUMBER[-SUB]``."""
        m = _CITE.match(text.strip())
        if not m:
            raise ValueError(f"citation must be 'TITLE NUMBER', e.g. '劳动合同法 47': {text!r}")
        return cls(title=m.group("title"), article=int(m.group("number")), sub=int(m.group("sub") or 0))


class Statement(BaseModel):
    """A sentence and the articles it rests on (at least one)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str = Field(min_length=2)
    cite: tuple[Cite, ...] = Field(min_length=1)

    @field_validator("cite", mode="before")
    @classmethod
    def _cites(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            return tuple(Cite.parse(v) if isinstance(v, str) else v for v in value)
        return value


class Guide(BaseModel):
    """One guide."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    title: str
    topic: str
    keywords: tuple[str, ...] = ()
    service: str
    video: bool = True
    legal_aid: bool = False
    law: tuple[Statement, Statement]
    steps: tuple[Statement, ...] = Field(min_length=1)
    bring: tuple[str, ...] = Field(min_length=1)
    time_limits: tuple[Statement, ...] = ()
    where: tuple[Statement, ...] = Field(min_length=1)
    # Calculators (kiosk/lookup/calc.py CALCULATORS) the guide offers directly.
    calculators: tuple[str, ...] = ()
    # Fill-in documents (文书) the guide leads to, by the names the feature that prints
    # documents gives them (e.g. "labour-arbitration"). Each is shown only when a
    # registered feature offers it; nothing here depends on such a feature.
    documents: tuple[str, ...] = ()

    @field_validator("documents")
    @classmethod
    def _documents(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [d for d in value if not re.fullmatch(r"[a-z][a-z0-9_-]*", d)]
        if bad or len(set(value)) != len(value):
            raise ValueError(f"documents must be distinct template names (a-z, 0-9, -): {list(value)}")
        return value

    @field_validator("calculators")
    @classmethod
    def _calculators(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [c for c in value if c not in CALCULATORS]
        if unknown:
            raise ValueError(f"unknown calculators {unknown}; known: {', '.join(CALCULATORS)}")
        return value

    def statements(self) -> list[Statement]:
        """Every cited statement of the guide."""
        return [*self.law, *self.steps, *self.time_limits, *self.where]

    def lines(self, tr: Translator | None = None, *, short: bool = False) -> list[str]:
        """The guide as text lines for the screen and the receipt (headings from the
        catalogue). ``short``: the steps and where to go without their citations (what
        the law says and the time limits keep theirs), for paper a person takes away."""
        tr = tr or chinese_translator()

        def cited(s: Statement) -> str:
            return s.text + "（" + "、".join(str(Citation(c.title, c.article)) + (f"之{c.sub}" if c.sub else "") for c in s.cite) + "）"

        def plain(s: Statement) -> str:
            return s.text if short else cited(s)

        out = [f"【{self.title}】", tr.t("lookup.guide_law")]
        out += [f"  {cited(s)}" for s in self.law]
        out.append(tr.t("lookup.guide_steps"))
        out += [f"  {i}. {plain(s)}" for i, s in enumerate(self.steps, 1)]
        out.append(tr.t("lookup.guide_bring"))
        out += [f"  · {b}" for b in self.bring]
        if self.time_limits:
            out.append(tr.t("lookup.guide_time"))
            out += [f"  {cited(s)}" for s in self.time_limits]
        out.append(tr.t("lookup.guide_where"))
        out += [f"  {plain(s)}" for s in self.where]
        names = {s.code: s.name.zh_CN for s in load_catalog().services}
        nxt = [tr.t("lookup.guide_ticket", service=names.get(self.service, self.service))]
        nxt += [tr.t("lookup.guide_video")] if self.video else []
        nxt += [tr.t("lookup.guide_aid")] if self.legal_aid else []
        out.append(tr.t("lookup.guide_next", items="；".join(nxt)))
        return out


class Guides(BaseModel):
    """All guides, ids unique, services from the catalogue."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    guides: tuple[Guide, ...] = Field(min_length=1)

    @field_validator("guides")
    @classmethod
    def _unique(cls, guides: tuple[Guide, ...]) -> tuple[Guide, ...]:
        ids = [g.id for g in guides]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"guide ids used twice: {sorted(dup)}")
        return guides

    def find(self, query: str, limit: int = 3) -> list[Guide]:
        """Guides a plain question is about, best first: a keyword or the title inside
        the question counts most, then each pair of neighbouring characters of the
        question found in a guide's title or keywords (so 工资 finds the wage guides).
        Phrases that carry no meaning (怎么办, 请问…) are taken out first."""
        text = query.strip()
        for phrase in sorted(vocabulary().stop_phrases, key=len, reverse=True):
            text = text.replace(phrase, " ")
        runs = [r for r in re.split(r"[^\u4e00-\u9fff]+", text) if r]
        pairs = {r[i:i + 2] for r in runs for i in range(len(r) - 1)} | {r for r in runs if len(r) == 1}
        if not pairs:
            return []
        scored: list[tuple[float, int, Guide]] = []
        for i, g in enumerate(self.guides):
            words = (g.title, *g.keywords)
            whole = sum(3 for w in words if len(w) >= 2 and w in query)
            hay = " ".join(words)
            shared = sum(1 for p in pairs if p in hay)
            if whole or shared:
                scored.append((whole + shared, -i, g))
        scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
        return [g for _, _, g in scored[:limit]]

    def get(self, name: str) -> Guide:
        """A guide by id, title or keyword; ``LibraryError`` listing the ids when none fits."""
        for g in self.guides:
            if name in (g.id, g.title):
                return g
        for g in self.guides:
            if any(name in k or k in name for k in g.keywords) or name in g.title:
                return g
        raise LibraryError(f"no guide {name!r}; guides: {', '.join(g.id for g in self.guides)}", message_key="lookup.no_text")


def parse_guides(text: str, source: str) -> Guides:
    """Validate guides TOML; every ``service`` must be a code of the shipped catalogue."""
    guides = parse_toml(text, source, Guides, "guides", CatalogError)
    codes = {s.code for s in load_catalog().services}
    bad = [f"{g.id}: unknown service {g.service!r}" for g in guides.guides if g.service not in codes]
    if bad:
        raise CatalogError(f"{source}: invalid guides\n  " + "\n  ".join(bad))
    return guides


@functools.cache
def load_guides() -> Guides:
    """The shipped guides."""
    text = resources.files("kiosk.lookup.data").joinpath("guides.toml").read_text(encoding="utf-8")
    return parse_guides(text, "kiosk/lookup/data/guides.toml")
