"""Voice mode's language layer: what was said → what to do, and what to say back.

Pure (standard library, pydantic, pypinyin): no Kivy, no Vosk, no devices. The app
asks the matcher what a recognised text means on the current screen, asks for the
grammar to give the recogniser there, and turns numbers into speech:

    matcher = IntentMatcher(load_catalog())
    matcher.match("我想问问离婚的事", screen="home")  # Intent(service, consultation, 0.9)
    matcher.grammar("service")                       # phrases for the recogniser
    say_number("A001")                               # "A零零一号"
"""

from __future__ import annotations

import functools

from kiosk.catalog import load_catalog
from kiosk.voice.matcher import Intent, IntentMatcher, ScreenOffers
from kiosk.voice.numbers import cardinal_zh, digits_zh, say_number, speakable
from kiosk.voice.vocabulary import IntentName, Vocabulary, load_vocabulary

__all__ = [
    "Intent",
    "IntentMatcher",
    "IntentName",
    "ScreenOffers",
    "Vocabulary",
    "cardinal_zh",
    "default_matcher",
    "digits_zh",
    "grammar_for",
    "load_vocabulary",
    "say_number",
    "speakable",
]


@functools.lru_cache(maxsize=1)
def default_matcher() -> IntentMatcher:
    """A matcher for the shipped catalogue and vocabulary, built on first use (~0.5 s:
    pypinyin's dictionaries load then). A site with its own catalogue builds its own."""
    return IntentMatcher(load_catalog())


def grammar_for(screen_offers: "str | ScreenOffers | None") -> list[str]:
    """The recogniser grammar for a screen (its name, or what it offers), from the
    shipped catalogue; [] means free text (no grammar)."""
    return default_matcher().grammar(screen_offers)
