"""Locales: a language tag in; its Locale (the words the package prints and sends, how its text is measured) out."""
from __future__ import annotations

from dataclasses import fields

from . import en, es
from .locale import EmailWords, Locale, Reading

__all__ = ["ENGLISH", "LOCALES", "SPANISH", "EmailWords", "Locale", "Reading", "all_words", "base_language",
           "for_language", "reading_for", "reading_languages"]

# Adding a language: a module like es.py, named here.
LOCALES: dict[str, Locale] = {locale.tag: locale for locale in (en.LOCALE, es.LOCALE)}
ENGLISH = LOCALES["en"]           # for a language without a locale of its own
SPANISH = LOCALES["es"]


def base_language(tag: str) -> str:
    """The language of a tag without its region: "es-MX" -> "es"."""
    return tag.lower().split("-")[0]


def for_language(tag: str) -> Locale:
    """The locale of a language tag ("es-MX" uses "es"); English for a language without one."""
    return LOCALES.get(base_language(tag), ENGLISH)


def reading_for(tag: str) -> Reading:
    """How text in the language of TAG is measured: its own way, else the English way."""
    return for_language(tag).reading or en.READING


def reading_languages() -> tuple[str, ...]:
    """The languages measured their own way: the ones a jargon list may hold words for."""
    return tuple(tag for tag, locale in LOCALES.items() if locale.reading is not None)


def all_words() -> str:
    """Every character any locale prints on paper, so fonts can be prepared for them up front."""
    out = []
    for locale in LOCALES.values():
        for item in fields(locale):
            value = getattr(locale, item.name)
            if not item.metadata.get("on_paper", True):
                continue
            if isinstance(value, str):
                out.append(value)
            elif isinstance(value, tuple):
                out += value
            elif isinstance(value, dict):
                out += value.values()
    return "".join(out)
