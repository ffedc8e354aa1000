"""PDF writing: handouts (one, or a patient's packet), a clinic profile and paper size in; PDF bytes out."""
from __future__ import annotations

import io
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfutils import asciiBase85Decode
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import Flowable

from .. import __version__, model
from . import fonts, layout, markup, pdffile, styles, tagtree
from .story import cover, notes_box, story
from .furniture import Furniture, PartLook, patient_chunks
from ..locales import Locale, for_language
from .styles import Geometry
from .tags import Node, Tagger, artifact, marked, shows_text


@dataclass(frozen=True)
class Rendered:
    data: bytes
    pages: int


@dataclass(frozen=True)
class Written:
    path: Path
    pages: int
    size: int


@dataclass(frozen=True)
class Packet:
    """What one PDF holds: handouts in order, and optionally whose they are, a cover and notes."""

    handouts: tuple[model.Handout, ...]
    patient: model.Patient | None = None
    language: str = "en"          # of the cover, the notes and the header labels outside a handout
    cover: bool = False
    notes: str | None = None
    large_print: bool = False


class _SpacedText(PDFTextObject):
    """A text object whose lines of a paragraph end with a space: ReportLab drops the space where it
    breaks a line, so a reader that takes the text of a tagged paragraph as it stands ("Know" "when")
    would read the last word of a line and the first of the next as one ("Knowwhen").

    Drawing a paragraph with spans (links, words in another language), it holds the paragraph's marks."""

    def __init__(self, canvas, x=0, y=0, direction=None):
        super().__init__(canvas, x, y, direction)
        self._shown = " "             # the last text shown (a line's first piece needs no space before it)
        self.after_mark = False       # whether a span began or ended after it
        tagger = canvas.tagger
        self.inline = tagger.paragraph if tagger is not None else None
        if self.inline is not None:
            self.inline.begin(self._code)

    def getCode(self):
        if self.inline is not None:
            self.inline.end(self._code)
        return super().getCode()

    def _linkRecord(self, link, kind):
        # ReportLab's note that link (number, address) begins or ends on the line being drawn.
        if kind == "start" and self.inline is not None:
            self.inline.segment(link[0])

    def _textOut(self, text, TStar=0):
        if TStar and text and not text.endswith(" "):
            text += " "
        elif TStar and not text and self.after_mark and self.inline is not None and not self._shown.endswith(" "):
            self._space_before_mark()
        if text:
            self._shown, self.after_mark = text, False
        super()._textOut(text, TStar)

    def _space_before_mark(self) -> None:
        """The space of a line that ends in a span's mark (zero-width: the line's last piece is empty),
        shown with the words before the mark. (An empty last piece after no mark ends the first part of
        a word too long for a line, which needs no space.)"""
        code, begun, space = self._code, self.inline.begun, self._formatText(" ")
        # Moved back past the mark only: nothing shown and no font set since the words before it (the
        # space is formatted for the font in use now, which must be theirs).
        between = code[begun - 2:]          # the EMC ending their sequence, the mark's BDC, what followed
        if between[0] == "EMC" and not shows_text(between) and not any("Tf" in part for part in between + [space]):
            code.insert(begun - 2, space)
            self.inline.begun += 1
        else:
            code.append(space)
        self._shown = " "


class _DeferredCanvas(Canvas):
    """Holds every page until the end, so header and footer can say "Page X of Y" for each part.

    Its streams are compressed and never ASCII85-encoded, whatever ReportLab's process-wide rl_config says.
    With a TAGGER, what is drawn is marked as it is drawn, header and footer are artifacts, and the
    structure tree is written on saving."""

    def __init__(self, *args, decorate: Furniture, tagger: Tagger | None = None, logo_tag: Node | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict] = []
        self._decorate = decorate
        self.part_index = 0
        self._page_bookmarks: list[tuple[str, dict]] = []
        self.tagger = tagger
        self.logo_tag = logo_tag if tagger is not None else None     # the logo's Figure, on the first page
        self.setNamedCB(markup.SPAN_CALLBACK, self._span)

    def beginText(self, x=0, y=0, direction=None):
        return _SpacedText(self, x, y, direction=direction)

    def _span(self, canvas, kind, label):
        """A span of a paragraph's text begins (LABEL "+...") or ends ("-") in the text object being drawn."""
        inline = self.tagger.paragraph if self.tagger is not None else None
        if inline is not None:
            text = self._curr_tx_info["tx"]
            text.after_mark = True
            if label.startswith("+"):
                inline.start(text._code)
            else:
                inline.stop(text._code)

    def _addAnnotation(self, annotation, name=None, addtopage=1):
        super()._addAnnotation(annotation, name, addtopage)
        if self.tagger is not None and annotation.dict.get("Subtype") == pdfdoc.PDFName("Link"):
            # A link says where it goes to a screen reader (PDF/UA: an annotation's alternate description).
            action = annotation.dict.get("A")
            target = action.dict.get("URI") if action is not None else None
            if target is not None:
                annotation["Contents"] = pdfdoc.PDFString(target.s)
            self.tagger.link(annotation, name or f"NUMBER{self._annotationCount}")

    def bookmarkPage(self, key, **where):
        # A bookmark points at the page being written, which here happens only in save().
        self._page_bookmarks.append((key, where))

    def showPage(self):
        self._held_pages.append(dict(self.__dict__))
        self._page_bookmarks = []
        if self.tagger is not None:
            self.tagger.new_page()
        self._startPage()

    def save(self):
        parts = [state["part_index"] for state in self._held_pages]
        totals = Counter(parts)
        seen: Counter = Counter()
        for index, (state, part) in enumerate(zip(self._held_pages, parts)):
            self.__dict__.update(state)
            seen[part] += 1
            figure = self.logo_tag if not index else None
            if figure is not None:
                self.tagger.page = 0
                with marked(self, figure):
                    self._decorate.draw_logo(self)
            with artifact(self, "Pagination"):
                self._decorate(self, part, seen[part], totals[part], logo=figure is None)
            for key, where in state["_page_bookmarks"]:
                super().bookmarkPage(key, **where)
            super().showPage()
        self.page_count = len(parts)
        _without_ascii85(self._doc)
        if self.tagger is not None:
            title, language = self._doc.info.title, self._doc.Catalog.Lang
            tagtree.write(self._doc, self.tagger, getattr(title, "s", title), getattr(language, "s", language))
        self._filename.write(pdffile.write(self._doc, self))


def _without_ascii85(doc: pdfdoc.PDFDocument) -> None:
    """Flate alone for the page streams and pictures of DOC, a document not yet written out.

    ReportLab encodes them in ASCII85 too while rl_config.useA85 is set, which only makes every PDF a
    quarter larger. That setting is the whole process's: set here, per document, instead, so neither do
    other callers' PDFs change nor do ours when a caller changes it. Decoding what ReportLab encoded
    gives back its flate stream byte for byte."""
    for item in list(doc.idToObject.values()):
        if isinstance(item, pdfdoc.PDFPage) and item.Contents is None and item.stream and item.compression:
            # What PDFPage.check_format would make, without asking rl_config.
            contents = pdfdoc.PDFStream(content=item.stream, filters=[pdfdoc.PDFZCompress])
            contents.__Comment__ = "page stream"
            item.Contents = contents
        elif isinstance(item, pdfdoc.PDFImageXObject) and tuple(item._filters[:1]) == ("ASCII85Decode",):
            item.streamContent = asciiBase85Decode(item.streamContent)
            item._filters = tuple(item._filters[1:])


def _facts(handout: model.Handout, locale: Locale) -> list[str]:
    facts = [handout.id]
    if handout.version:
        facts.append(f"{locale.version_label} {handout.version}")
    if handout.reviewed:
        facts.append(f"{locale.reviewed_label} {handout.reviewed.isoformat()}")
    return facts


def placeholder_values(clinic: model.Clinic, patient: model.Patient | None, language: str) -> dict[str, str]:
    """Every placeholder value for a handout in LANGUAGE: the clinic's, then the patient's (dates in words)."""
    locale = for_language(language)
    patient_values = patient.values(locale.format_date) if patient else {}
    return {**clinic.values(), **patient_values}


def render(handout: model.Handout, clinic: model.Clinic, paper: str = "letter",
           patient: model.Patient | None = None, large_print: bool = False) -> Rendered:
    """The PDF of one HANDOUT as bytes, personalized for PATIENT when given."""
    return render_packet(Packet((handout,), patient, handout.language, large_print=large_print), clinic, paper)


def render_packet(packet: Packet, clinic: model.Clinic, paper: str = "letter", keywords: str = "",
                  shared_characters: str = "", tagged: bool = True) -> Rendered:
    """The PDF of PACKET as bytes: each handout starts a page and numbers its own pages.

    Each handout's header and footer are in its own language; the cover is in the packet's. A lone
    handout without a cover lists its sections at the top of the outline; in a packet each handout is
    an outline entry with its sections under it. Packets given the same SHARED_CHARACTERS embed them in
    the same first font subsets, which a print file of those packets then stores once.

    TAGGED (the default), it is a tagged PDF (PDF/UA-1): a structure tree in reading order, page
    furniture and decoration as artifacts."""
    fonts.register()
    locale = for_language(packet.language)
    packet_values = placeholder_values(clinic, packet.patient, packet.language)
    lone = len(packet.handouts) == 1 and not packet.cover
    look = styles.look(packet.large_print)
    looks: list[PartLook] = []
    # Each handout's values in its own language: dates in its words.
    values_of = [placeholder_values(clinic, packet.patient, handout.language) for handout in packet.handouts]
    if packet.cover:
        mrn = [packet.patient.mrn] if packet.patient and packet.patient.mrn else []
        looks.append(PartLook(locale.cover_title, mrn, None, patient_chunks(packet.patient, locale, packet_values)))
    for handout, values in zip(packet.handouts, values_of):
        handout_locale = for_language(handout.language)
        looks.append(PartLook(model.plain(handout.title, values, styles.BLANK), _facts(handout, handout_locale),
                              handout_locale.page_of, patient_chunks(packet.patient, handout_locale, values)))
    furniture = Furniture(clinic, paper, looks, look)
    buffer = io.BytesIO()
    with ExitStack() as leases:       # the cached layouts drawn, this render's alone until it ends
        parts = _laid_out_parts(packet, clinic, furniture.geometry, locale, looks, lone, packet_values, values_of,
                                leases)
        canv = _canvas(buffer, packet, clinic, furniture, locale, looks, lone, keywords, Tagger() if tagged else None)
        fonts.share_subsets(canv._doc, shared_characters)
        for part, (pages, outline) in enumerate(parts):
            layout.draw_pages(canv, part, pages, outline)
        canv.save()
    return Rendered(buffer.getvalue(), canv.page_count)


def _canvas(buffer: io.BytesIO, packet: Packet, clinic: model.Clinic, furniture: Furniture, locale: Locale,
            looks: list[PartLook], lone: bool, keywords: str, tagger: Tagger | None) -> _DeferredCanvas:
    """A canvas for PACKET writing to BUFFER, with the document's properties set."""
    first = packet.handouts[0]
    titles = [part.title for part in looks[1 if packet.cover else 0:]]
    geometry = furniture.geometry
    # pageCompression given, not left to rl_config, which any caller in the process may change.
    logo = None
    if tagger is not None and clinic.logo_alt and furniture.logo is not None:
        logo = Node("Figure", alt=model.plain(clinic.logo_alt, clinic.values(), ""))
        tagger.parts.append(logo)          # read first, once: on every later page it is decoration
    canv = _DeferredCanvas(buffer, decorate=furniture, tagger=tagger, logo_tag=logo,
                           pagesize=(geometry.page_width, geometry.page_height),
                           invariant=1, pageCompression=1, initialFontName=fonts.MAIN,
                           lang=packet.language if not lone else first.language)
    canv.setAuthor(model.fold_spaces(clinic.name or ""))
    canv.setTitle(titles[0] if lone else f"{locale.cover_title}: {'; '.join(titles)}")
    canv.setSubject(first.kind if lone else ", ".join(dict.fromkeys(h.kind for h in packet.handouts)))
    canv.setCreator(f"handouts {__version__}")
    canv.setKeywords(keywords)
    canv.setViewerPreference("DisplayDocTitle", "true")
    canv.showOutline()
    return canv


def _laid_out_parts(packet: Packet, clinic: model.Clinic, geometry: Geometry, locale: Locale,
                    looks: list[PartLook], lone: bool, packet_values: dict[str, str],
                    values_of: list[dict[str, str]],
                    leases: ExitStack) -> list[tuple[list[layout.Page], tuple[str, str, int] | None]]:
    """Each part of PACKET laid out in GEOMETRY (handouts from the cache when they read the same, held
    until LEASES end), with the outline entry of its first page; PACKET_VALUES fill the cover, VALUES_OF
    each handout. Each part's first page begins with its section of the structure tree."""
    look = styles.look(packet.large_print)
    parts: list[tuple[list[layout.Page], tuple[str, str, int] | None]] = []
    if packet.cover:
        section = Node("Sect", lang=packet.language)
        flowables = cover(list(packet.handouts), packet.patient or model.Patient(), clinic, packet_values,
                          geometry, locale, clinic.color, packet.notes, look, section)
        pages = layout.lay_out(flowables, geometry, packet.handouts[0].path)
        pages[0].insert(0, ("structure", section))
        parts.append((pages, ("cover", locale.cover_title, 0)))
    for handout, values in zip(packet.handouts, values_of):
        part = len(parts)
        notes = packet.notes if packet.notes and not packet.cover and part == 0 else None

        def lay_out(handout=handout, values=values, part=part, notes=notes) -> list[layout.Page]:
            section = Node("Sect", lang=handout.language)
            # Notes before the title head the part: their title is its first heading.
            flowables: list[Flowable] = [notes_box(notes, geometry, locale, look, section, "H1")] if notes else []
            for flowable in story(handout, values, geometry, clinic.color, outline_prefix=f"part-{part}-",
                                  outline_level=0 if lone else 1, look=look, part=section):
                flowable.source_path = handout.path
                flowables.append(flowable)
            pages = layout.lay_out(flowables, geometry, handout.path)
            pages[0].insert(0, ("structure", section))
            return pages

        printed = tuple(values.get(name) for name in layout.cache.placeholders(handout))
        key = (part, lone, geometry, packet.large_print, clinic.color, notes, packet.language if notes else None,
               printed)
        pages = leases.enter_context(layout.cache.pages(handout, key, lay_out))
        parts.append((pages, None if lone else (f"part-{part}", looks[part].title, 0)))
    return parts


def output_name(handout: model.Handout, patient: model.Patient | None = None, large_print: bool = False) -> str:
    """<id>.<language>.pdf (<id>.<language>.large.pdf in large print), with the MRN in front for one
    patient's copy (never the name)."""
    prefix = f"{patient.mrn}." if patient is not None and patient.mrn else ""
    return f"{prefix}{handout.id}.{handout.language}{'.large' if large_print else ''}.pdf"
