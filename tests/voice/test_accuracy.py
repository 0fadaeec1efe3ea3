"""Intent accuracy on Chinese utterances as a recogniser returns them (tests/data).

Two sets: ``utterances.tsv`` (159, written with the vocabulary) and
``utterances_heldout.tsv`` (62, written after the vocabulary was frozen, never used to
tune it). The thresholds sit a few points under the measured figures (docs/voice.md),
so a change to the vocabulary or the matcher that costs accuracy fails here.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kiosk.catalog import load_catalog
from kiosk.voice import IntentMatcher

DATA = Path(__file__).resolve().parents[1] / "data"


def load(name: str) -> list[tuple[str, str | None, str, str | None, str]]:
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, screen, intent, service, kind = line.split("\t")
        rows.append((text, None if screen == "-" else screen, intent, None if service == "-" else service, kind))
    return rows


def accuracy(name: str) -> tuple[float, list[str], Counter[str]]:
    matcher = IntentMatcher(load_catalog())
    misses = []
    kinds: Counter[str] = Counter()
    rows = load(name)
    for text, screen, intent, service, kind in rows:
        got = matcher.match(text, screen=screen)
        kinds[kind] += 1
        if (got.intent.value, got.service) != (intent, service):
            misses.append(f"{text} [{screen}] want {intent}/{service} got {got.intent.value}/{got.service} ({got.confidence})")
    return 1 - len(misses) / len(rows), misses, kinds


@pytest.mark.parametrize("name, threshold, size", [("utterances.tsv", 0.95, 150), ("utterances_heldout.tsv", 0.90, 60)])
def test_accuracy(name: str, threshold: float, size: int) -> None:
    acc, misses, kinds = accuracy(name)
    assert sum(kinds.values()) >= size
    # Every kind of recogniser error is represented.
    assert {"homophone", "near", "dropped", "filler", "colloquial", "negative"} <= set(kinds)
    assert acc >= threshold, "\n".join(misses)
