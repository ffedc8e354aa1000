"""Reading level: a handout (and the jargon list beside it) in; measures per handout and section, and findings at PATH:LINE, out."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from .. import blocks, model
from ..errors import ContentError, ContentWarning
from ..locales import base_language, reading_for, reading_languages

# Each language says how its text is measured (locales). Vague headings and abbreviations of every
# language count in every handout.
_READINGS = tuple(reading_for(language) for language in reading_languages())
VAGUE_HEADINGS = frozenset().union(*(reading.vague_headings for reading in _READINGS))
_ACTION_BLOCKS = (model.Checklist, model.Steps)
_URL = re.compile(r"(?:https?://|www\.)\S+")     # read out as an address, not as words of a sentence
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,]\d+)*")
# A sentence ends at . ! or ? followed by a space; "4.5 kg" and "Dr. Lee" do not end one.
_SENTENCE_END = re.compile("".join(rf"(?<!\b{re.escape(abbreviation)})" for abbreviation in
                                   sorted({a for reading in _READINGS for a in reading.abbreviations}))
                           + r"(?<=[.!?])[\"”’)]*\s+")


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
        """The grade the limits are checked against, as the language measures it (locales): Flesch–Kincaid
        for English; for Spanish, from the INFLESZ score."""
        return reading_for(self.language).grade(self)

    @property
    def long_word_share(self) -> float:
        return self.long_words / self.words if self.words else 0.0

    def summary(self) -> str:
        parts = [f"Flesch–Kincaid {self.flesch_kincaid:.1f}", f"SMOG {self.smog:.1f}"]
        scale = reading_for(self.language).scale
        if scale is not None:
            parts.append(scale.format(m=self))
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
    summary = _sentences([handout.summary] if handout.summary else [])
    per_section = [(section.heading, _sentences(_body_texts(section))) for section in handout.sections]
    whole = summary + [sentence for _, sentences in per_section for sentence in sentences]
    return Level(handout, _measures(whole, handout.language),
                 tuple(SectionLevel(heading, _measures(sentences, handout.language))
                       for heading, sentences in per_section), tuple(whole))


def level_findings(level: Level, limits: Limits) -> list[ContentError | ContentWarning]:
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
        scale = reading_for(handout.language).grade_name
        findings.append((ContentError if over_max else ContentWarning)(
            handout.path, handout.title.line, key="reading level",
            expected=f"grade {limit:g} or below", found=f"grade {grade:.1f} ({scale})",
            fix="use shorter sentences and shorter, everyday words" + hint))
    for section in level.sections:
        if round(section.measures.grade, 1) > limits.max_grade:
            findings.append(ContentWarning(
                handout.path, section.heading.line, key="reading level",
                expected=f"grade {limits.max_grade:g} or below in section '{section.heading}'",
                found=f"grade {section.measures.grade:.1f}", fix="use shorter sentences and everyday words"))
    for sentence in level.sentences:
        if len(sentence.words) > limits.max_sentence_words:
            findings.append(ContentWarning(
                handout.path, sentence.line, key="sentence length",
                expected=f"sentences of at most {limits.max_sentence_words} words",
                found=f"{len(sentence.words)} words ('{' '.join(sentence.words[:6])} …')",
                fix="split it in two"))
    return findings


def jargon_findings(handout: model.Handout, jargon: model.Jargon | None) -> list[ContentWarning]:
    """A warning for each jargon term whose first use in HANDOUT is not explained there: its plain
    words in the same text, as in "stitches (sutures)". Once explained, a term may be used again."""
    terms = jargon.terms.get(base_language(handout.language), ()) if jargon else ()
    endings = reading_for(handout.language).plural_endings
    findings = []
    for term, plain_words in terms:
        uses = [text for text in blocks.handout_texts(handout) if _contains(text.lower(), term.lower(), endings)]
        if uses and not _explained(uses[0].lower(), plain_words.lower(), endings):
            more = f" (and {len(uses) - 1} more times)" if len(uses) > 1 else ""
            findings.append(ContentWarning(
                handout.path, uses[0].line, key="jargon",
                message=f"'{term}' is a medical word{more}; where it is first used, say '{plain_words}' "
                        f"instead, or put '{plain_words}' beside it"))
    return findings


def structure_findings(handout: model.Handout) -> list[ContentWarning]:
    """Warnings after the CDC Clear Communication Index and PEMAT: the main message first, at least
    one action, the warnings a discharge handout owes, and headings that say what is in them."""
    findings = []
    path, line = handout.path, handout.title.line

    def warn(at: int, expected: str, found: str, fix: str) -> None:
        findings.append(ContentWarning(path, at, key="structure", expected=expected, found=found, fix=fix))

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
def _body_texts(section: model.Section) -> Iterator[model.Text]:
    for block in section.blocks:
        yield from blocks.reading(block)


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
    count = reading_for(language).syllables
    syllables = [count(word) for sentence in sentences for word in sentence.words]
    return Measures(language, sentences=len(sentences), words=len(syllables), syllables=sum(syllables),
                    long_words=sum(1 for n in syllables if n >= 3),
                    longest=max(sentences, key=lambda sentence: len(sentence.words), default=None))


def _explained(text: str, plain_words: str, endings: tuple[str, ...]) -> bool:
    """Whether TEXT carries the plain words: each of their words of four letters or more (so "bones
    of the spine" is there in "the small bones that make up your spine")."""
    needed = [word for word in _WORD.findall(plain_words) if len(word) >= 4] or [plain_words]
    return all(_contains(text, word, endings) for word in needed)


def _contains(text: str, phrase: str, endings: tuple[str, ...]) -> bool:
    """Whether TEXT has PHRASE as words of its own, or with one of the language's plural ENDINGS."""
    plural = f"(?:{'|'.join(map(re.escape, endings))})?" if endings else ""
    return re.search(rf"(?<!\w){re.escape(phrase)}{plural}(?!\w)", text) is not None
