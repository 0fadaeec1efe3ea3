"""Translation catalogues: every UI text by key, zh_CN first, English second.

Catalogues are TOML files in ``kiosk/locale``; sections make dotted keys
(``[ticket] title = …`` → ``ticket.title``). Placeholders use ``str.format`` names.
"""

from __future__ import annotations

import logging
import string
import tomllib
from importlib import resources
from typing import Any

from kiosk.datafile import toml_loads_cached
from kiosk.errors import CatalogError

log = logging.getLogger(__name__)

LANGUAGES = ("zh_CN", "en")


def _flatten(prefix: str, data: dict[str, Any], out: dict[str, str]) -> None:
    for key, value in data.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(full, value, out)
        elif isinstance(value, str):
            out[full] = value
        else:
            raise CatalogError(f"locale key {full}: expected text, got {type(value).__name__}")


def load_messages(language: str) -> dict[str, str]:
    """All messages of ``language`` as a flat key → text mapping."""
    if language not in LANGUAGES:
        raise CatalogError(f"unknown language {language!r} (known: {', '.join(LANGUAGES)})")
    text = resources.files("kiosk.locale").joinpath(f"{language}.toml").read_text(encoding="utf-8")
    try:
        data = toml_loads_cached(text)  # read-only here: flattened into a new dict
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"kiosk/locale/{language}.toml: {exc}") from exc
    out: dict[str, str] = {}
    _flatten("", data, out)
    return out


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders of a message."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Translator:
    """Looks up messages in the current language; switchable at run time."""

    def __init__(self, language: str = "zh_CN") -> None:
        self._catalogues = {lang: load_messages(lang) for lang in LANGUAGES}
        self._missing: set[tuple[str, str]] = set()
        self.language = language

    @property
    def language(self) -> str:
        """The current language code."""
        return self._language

    @language.setter
    def language(self, value: str) -> None:
        if value not in self._catalogues:
            raise CatalogError(f"unknown language {value!r}")
        self._language = value

    def has(self, key: str) -> bool:
        """True when ``key`` exists in the current language."""
        return key in self._catalogues[self._language]

    def t(self, key: str, language: str | None = None, **values: object) -> str:
        """The message ``key``, formatted with ``values``. A missing key shows the key
        itself (and is logged once) rather than crashing a public terminal."""
        lang = language or self._language
        text = self._catalogues[lang].get(key)
        if text is None:
            text = self._catalogues["zh_CN"].get(key)
            if (lang, key) not in self._missing:
                self._missing.add((lang, key))
                log.warning("missing message %s in %s", key, lang)
            if text is None:
                return key
        try:
            return text.format(**values) if values else text
        except (KeyError, IndexError, ValueError):
            log.warning("message %s in %s: bad placeholders", key, lang)
            return text
