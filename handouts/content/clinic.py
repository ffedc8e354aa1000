"""Clinic profiles and jargon lists: their YAML files in; validated Clinic and Jargon models out."""
from __future__ import annotations

import re
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode

from . import limits
from .. import model
from ..locales import reading_languages
from .reader import Reader, read_file
from .yamlsource import STR

MIN_CONTRAST = 4.5
MAX_LOGO_PIXELS = 2000
_JARGON_LANGUAGES = reading_languages()     # the languages measured their own way (locales)
_HEX_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")


def load_clinic(path: Path | None) -> model.Clinic:
    """The clinic profile at PATH, or an empty (generic) profile when PATH is None."""
    if path is None:
        return model.Clinic()
    return read_file(path, "a clinic profile (name, phone, ...)", read_clinic)


def load_jargon(path: Path) -> model.Jargon:
    """The jargon list at PATH: for each language, medical words and the plain words to use instead."""
    return read_file(path, "a jargon list (en: and es:, each term: plain words)", read_jargon)


def read_jargon(reader: Reader, node: Node) -> model.Jargon | None:
    languages = reader.mapping(node, "a jargon list by language", optional=_JARGON_LANGUAGES)
    terms = {}
    for language, entries in (languages or {}).items():
        if not isinstance(entries, MappingNode):
            reader.wrong(entries, f"medical words and their plain words ({language}), as term: plain words")
            continue
        pairs = []
        for term_node, plain_node in entries.value:
            term = reader.text(term_node, "a medical word (text)")
            plain_words = reader.text(plain_node, f"the plain words for '{term_node.value}' (text)")
            if term and plain_words:
                pairs.append((term, plain_words))
        terms[language] = tuple(pairs)
    if reader.errors or languages is None:
        return None
    return model.Jargon(reader.path, terms)

def read_clinic(reader: Reader, node: Node) -> model.Clinic | None:
    names = ("name", "phone", "after_hours_phone", "emergency_number", "address", "website")
    fields = reader.mapping(node, "a clinic profile", optional=names + ("logo", "logo_alt", "color"))
    if fields is None:
        return None
    values = {name: reader.text(fields[name], f"the clinic's {name.replace('_', ' ')} (text)",
                                numbers_ok=True)
              for name in names if name in fields}
    logo = reader.image_file(fields["logo"], "logo") if "logo" in fields else None
    if logo is not None:
        logo = _logo_size(reader, fields["logo"], logo)
    color = _color(reader, fields["color"]) if "color" in fields else None
    logo_alt = reader.text(fields["logo_alt"], "the logo's alt text (text)") if "logo_alt" in fields else None
    if "logo_alt" in fields and "logo" not in fields:
        reader.error(fields["logo_alt"], expected="logo_alt only with a logo", found="no logo",
                     fix="add the logo, or remove logo_alt")
    if reader.errors:
        return None
    return model.Clinic(path=reader.path, logo=logo, color=color, logo_alt=logo_alt, **values)

def _logo_size(reader: Reader, node: Node, path: Path) -> Path | None:
    """A logo small enough to decode for every packet (it prints under an inch and a half wide)."""
    width, height = limits.picture_size(path) or (0, 0)
    if max(width, height) > MAX_LOGO_PIXELS:
        reader.error(node, expected=f"a logo at most {MAX_LOGO_PIXELS} pixels on its longest side",
                     found=f"{width}×{height}", fix="save a smaller copy; 600 pixels wide is plenty")
        return None
    return path

def _color(reader: Reader, node: Node) -> str | None:
    """A hex colour dark enough for headings on white paper (WCAG contrast 4.5:1)."""
    if not (isinstance(node, ScalarNode) and node.tag == STR and _HEX_COLOR.fullmatch(node.value.strip())):
        reader.wrong(node, "a colour as #RRGGBB", fix="for example color: \"#1f4e79\" (in quotes)")
        return None
    color = node.value.strip().lower()
    contrast = contrast_on_white(color)
    if contrast < MIN_CONTRAST:
        reader.error(node, expected=f"a colour with contrast at least {MIN_CONTRAST}:1 on white paper",
                     found=f"{color} ({contrast:.1f}:1)", fix="choose a darker shade")
        return None
    return color


def contrast_on_white(color: str) -> float:
    """WCAG 2 contrast ratio of #RRGGBB against white."""
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
    red, green, blue = (linear(int(color[i:i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)
