"""Recognised Chinese text → what the person wants (an ``Intent``), by sound.

Recognisers get Chinese wrong in predictable ways: homophones (发律原助 for 法律援助),
near-homophones (flat/retroflex, n/l, front/back nasals), dropped characters, fillers
(嗯, 那个, 我想问一下) and colloquial phrasing ("我想问问离婚的事"). So both what was said
and every phrase of the vocabulary become toneless pinyin, and each phrase is aligned
against the utterance allowing alike-sounding syllables, one dropped syllable and an
inserted one. The best-scoring target wins if it is sure enough; otherwise ``none``.

Pure: standard library, pydantic and pypinyin (imported on first use).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from kiosk.catalog import Catalog
from kiosk.voice.numbers import cardinal_zh, parse_small_number
from kiosk.voice.pinyin import final_class, normalize_text, similarity, syllables
from kiosk.voice.vocabulary import IntentName, Vocabulary, load_vocabulary

log = logging.getLogger(__name__)

_DROP = 0.25  # a syllable of the phrase the recogniser lost
_INSERT = 0.3  # an extra syllable inside the phrase
_ALIKE = 0.5  # below this two syllables count as different
_TOPIC_WEIGHT = 0.85  # naming a matter is less sure than naming the service
_NOT_OFFERED = 0.75  # an intent the current screen does not offer
_AMBIGUOUS = 0.03  # two different targets this close: neither is sure
_PICK = re.compile(r"^(?:选|要|点|按)?第?([零〇一二两三四五六七八九十\d]{1,3})(?:个|号|项|条|位)?(?:服务)?$")


class Intent(BaseModel):
    """What was asked for: an intent, the service code for ``service``, and how sure
    the matcher is (0–1; for ``none``, how far the best guess fell short)."""

    model_config = ConfigDict(frozen=True)

    intent: IntentName
    service: str | None = None
    confidence: float = Field(ge=0, le=1)

    def as_json(self) -> dict[str, object]:
        """The JSON shape printed by ``kiosk voice intent --json``."""
        return {"intent": self.intent.value, "service": self.service, "confidence": self.confidence}


@dataclass(frozen=True)
class ScreenOffers:
    """What one screen offers to voice: its intents (the global ones are added), the
    services it lists in display order (so "第二个" picks the second), and whether it
    takes free text (then the recogniser runs without a grammar)."""

    name: str | None = None
    intents: tuple[IntentName, ...] = ()
    services: tuple[str, ...] = ()
    free_text: bool = False

    @property
    def offers_services(self) -> bool:
        """True when a person may name a service here."""
        return IntentName.SERVICE in self.intents


@dataclass(frozen=True)
class _Pattern:
    intent: IntentName
    service: str | None
    text: str
    syls: tuple[str, ...]
    weight: float
    whole: bool = False
    finals: tuple[str, ...] = ()


@dataclass
class _Hit:
    confidence: float
    start: int
    end: int
    pattern: _Pattern = field(repr=False)


class IntentMatcher:
    """Matches recognised text against the vocabulary, for the services of ``catalog``."""

    def __init__(self, catalog: Catalog, vocabulary: Vocabulary | None = None) -> None:
        self.catalog = catalog
        self.vocabulary = vocabulary or load_vocabulary()
        self._fillers = sorted({normalize_text(f) for f in self.vocabulary.fillers if normalize_text(f)}, key=len, reverse=True)
        self._negators = tuple(normalize_text(n) for n in self.vocabulary.negators)
        self._patterns = self._compile()

    # --- the vocabulary as pinyin patterns ------------------------------------------

    def _compile(self) -> list[_Pattern]:
        out: list[_Pattern] = []
        seen: set[tuple[str, str | None, str]] = set()

        def add(intent: IntentName, service: str | None, text: str, weight: float, whole: bool = False) -> None:
            syls = syllables(text)
            key = (intent.value, service, "".join(syls))
            if syls and key not in seen:
                seen.add(key)
                out.append(_Pattern(intent, service, text, syls, weight, whole, tuple(final_class(x) for x in syls)))

        for words in self.vocabulary.intents:
            for phrase in words.phrases:
                add(words.name, None, phrase, 1.0)
            for word in words.whole:
                add(words.name, None, word, 1.0, whole=True)
        codes = set(self.catalog.codes())
        for service in self.catalog.services:
            # The catalogue's own name always works, even for a site's extra service.
            add(IntentName.SERVICE, service.code, service.name.zh_CN, 1.0)
        for sw in self.vocabulary.services:
            if sw.code not in codes:
                continue  # this site does not offer it
            for phrase in sw.phrases:
                add(IntentName.SERVICE, sw.code, phrase, 1.0)
            for topic in sw.topics:
                add(IntentName.SERVICE, sw.code, topic, _TOPIC_WEIGHT)
        return out

    # --- screens ---------------------------------------------------------------------

    def offers(self, screen: "str | ScreenOffers | None") -> ScreenOffers:
        """What ``screen`` offers: a ScreenOffers as given, a screen named in the
        vocabulary's [screens.offers], or (None) everything."""
        if isinstance(screen, ScreenOffers):
            return screen
        every_service = tuple(self.catalog.codes())
        if screen is None:
            return ScreenOffers(None, tuple(i for i in IntentName if i is not IntentName.NONE), every_service)
        table = self.vocabulary.screens.offers
        if screen not in table:
            raise ValueError(f"unknown screen {screen!r} (known: {', '.join(sorted(table))})")
        intents = table[screen]
        return ScreenOffers(screen, intents, every_service if IntentName.SERVICE in intents else ())

    def _available(self, offers: ScreenOffers) -> set[IntentName]:
        return set(offers.intents) | set(self.vocabulary.screens.global_)

    # --- matching --------------------------------------------------------------------

    def strip_fillers(self, text: str) -> str:
        """The normalised text without filler words (or unchanged if nothing else is left)."""
        norm = normalize_text(text)
        stripped = norm
        for filler in self._fillers:
            stripped = stripped.replace(filler, "")
        return stripped or norm

    def match(self, text: str, screen: "str | ScreenOffers | None" = None) -> Intent:
        """The intent in ``text`` (as recognised), on ``screen`` (a name or ScreenOffers)."""
        offers = self.offers(screen)
        core = self.strip_fillers(text)
        if not core:
            return Intent(intent=IntentName.NONE, confidence=1.0)
        picked = self._pick_by_number(core, offers)
        if picked is not None:
            return picked
        utt = syllables(core)
        utt_finals = {final_class(x) for x in utt}
        available = self._available(offers)
        best: dict[tuple[IntentName, str | None], _Hit] = {}
        for pattern in self._patterns:
            # Syllables alike enough to count share their final: a phrase with fewer
            # than half of its finals in the utterance cannot reach the threshold.
            if 2 * sum(f in utt_finals for f in pattern.finals) < len(pattern.finals):
                continue
            hit = self._score(pattern, utt, core)
            if hit is None:
                continue
            if pattern.intent not in available or (pattern.service and offers.services and pattern.service not in offers.services):
                hit.confidence *= _NOT_OFFERED
            key = (pattern.intent, pattern.service)
            if key not in best or hit.confidence > best[key].confidence:
                best[key] = hit
        ranked = sorted(best.items(), key=lambda kv: kv[1].confidence, reverse=True)
        if not ranked or ranked[0][1].confidence < self.vocabulary.min_confidence:
            top = ranked[0][1].confidence if ranked else 0.0
            log.debug("voice: no intent (best %.2f)", top)
            return Intent(intent=IntentName.NONE, confidence=round(1.0 - top, 2))
        (intent, service), hit = ranked[0]
        confidence = hit.confidence
        if len(ranked) > 1:
            hit2 = ranked[1][1]
            contains = hit.start <= hit2.start and hit2.end <= hit.end and (hit.end - hit.start) > (hit2.end - hit2.start)
            if hit2.confidence >= confidence - _AMBIGUOUS and not contains:
                confidence *= 0.85  # two things named about equally: say so
        log.debug("voice: intent %s %s (%.2f)", intent.value, service or "", confidence)
        return Intent(intent=intent, service=service, confidence=round(min(confidence, 1.0), 2))

    def _pick_by_number(self, core: str, offers: ScreenOffers) -> Intent | None:
        """"第二个", "选3", "二号": the n-th service the screen lists."""
        if not offers.offers_services or not offers.services:
            return None
        m = _PICK.match(core)
        if m is None:
            return None
        n = parse_small_number(m.group(1))
        if n is None or not 1 <= n <= len(offers.services):
            return None
        return Intent(intent=IntentName.SERVICE, service=offers.services[n - 1], confidence=0.9)

    def _score(self, pattern: _Pattern, utt: tuple[str, ...], core: str) -> _Hit | None:
        m = len(pattern.syls)
        if pattern.whole:
            return self._score_whole(pattern, utt)
        score, start, end = _align(pattern.syls, utt)
        if score <= 0:
            return None
        if self._negated(core, start):
            return None
        # Longer phrases are more specific: 视频咨询 beats the 咨询 inside it.
        specificity = 0.8 + 0.2 * min(m, 4) / 4
        return _Hit(score / m * pattern.weight * specificity, start, end, pattern)

    def _score_whole(self, pattern: _Pattern, utt: tuple[str, ...]) -> _Hit | None:
        """A short word ("是", "对") counts only as (a repetition of) the whole answer:
        "对对对" is yes, "我是来咨询的" is not."""
        if not utt or len(utt) % len(pattern.syls):
            return None
        k = len(pattern.syls)
        sims = [similarity(pattern.syls[i % k], s) for i, s in enumerate(utt)]
        if min(sims) < 0.85:
            return None
        return _Hit(0.9 * sum(sims) / len(sims), 0, len(utt), pattern)

    def _negated(self, core: str, start: int) -> bool:
        before = core[:start]
        return any(before.endswith(n) for n in self._negators if n)

    # --- grammar ---------------------------------------------------------------------

    def grammar(self, screen: "str | ScreenOffers | None" = None) -> list[str]:
        """The phrases a recogniser should listen for on ``screen``: every way of saying
        what it offers, the fillers (so they are heard as fillers, not forced into a
        command) and, where services are listed, the numbers to pick one. An empty list
        means free text: run the recogniser without a grammar."""
        offers = self.offers(screen)
        if offers.free_text:
            return []
        available = self._available(offers)
        words: set[str] = set()
        for p in self._patterns:
            if p.intent is IntentName.SERVICE:
                if offers.offers_services and (not offers.services or p.service in offers.services):
                    words.add(p.text)
            elif p.intent in available:
                words.add(p.text)
        words.update(self.vocabulary.fillers)
        if offers.offers_services and offers.services:
            for n in range(1, len(offers.services) + 1):
                words.update({cardinal_zh(n), f"第{cardinal_zh(n)}个", f"{cardinal_zh(n)}号"})
        return sorted(words)


def _align(phrase: tuple[str, ...], utt: tuple[str, ...]) -> tuple[float, int, int]:
    """Best alignment of the whole ``phrase`` against part of ``utt``: (score, start, end).

    Semi-global: the phrase must be used whole (a lost syllable costs _DROP), the
    utterance only where the phrase sits (an extra syllable inside costs _INSERT).
    """
    n = len(utt)
    if n == 0:
        return 0.0, 0, 0
    prev = [0.0] * (n + 1)
    prev_start = list(range(n + 1))
    for p in phrase:
        cur = [prev[0] - _DROP] + [0.0] * n
        cur_start = [prev_start[0]] + [0] * n
        for j in range(1, n + 1):
            sim = similarity(p, utt[j - 1])
            # A syllable that sounds unlike the phrase's is evidence against it.
            diag = prev[j - 1] + (sim if sim >= _ALIKE else sim - _ALIKE)
            up = prev[j] - _DROP
            left = cur[j - 1] - _INSERT
            if diag >= up and diag >= left:
                cur[j], cur_start[j] = diag, prev_start[j - 1]
            elif up >= left:
                cur[j], cur_start[j] = up, prev_start[j]
            else:
                cur[j], cur_start[j] = left, cur_start[j - 1]
        prev, prev_start = cur, cur_start
    end = max(range(n + 1), key=lambda j: prev[j])
    return prev[end], prev_start[end], end
