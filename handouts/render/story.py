"""The story: a Handout (or a packet's cover and notes) and placeholder values in; its flowables, in reading order, out."""
from __future__ import annotations

from typing import Mapping

from reportlab.platypus import Flowable, KeepTogether
from reportlab.platypus import PageBreak as PageBreakFlowable

from . import fonts, styles
from .. import blocks, model
from ..locales import Locale, base_language
from .flowables import Box, KeepHeadingWithNext, MarkedItem
from .pieces import SignatureLine
from .kit import Kit
from .markup import NO_BREAK, Text, literal, span
from .styles import STANDARD, Geometry, Look
from .tags import Node


def story(handout: model.Handout, values: Mapping[str, str], geometry: Geometry, accent: str | None = None,
          outline_prefix: str = "", outline_level: int = 0, look: Look = STANDARD,
          part: Node | None = None) -> list[Flowable]:
    """The flowables of HANDOUT, in reading order, with placeholders filled from VALUES, tagged under PART
    (title H1, the summary, section headings H2, then each block's structure).

    Section headings become outline entries at OUTLINE_LEVEL, keyed under OUTLINE_PREFIX."""
    fonts.register()
    kit = Kit(handout, values, geometry, accent, look, part)
    out: list[Flowable] = [kit.para(handout.title, styles.accented(look.title, accent), role="H1")]
    if handout.summary:
        out.append(kit.box("summary", None, lambda: [kit.para(handout.summary, look.summary)]))
    heading_style = styles.accented(look.heading, accent)
    for number, section in enumerate(handout.sections, start=1):
        heading = kit.para(section.heading, heading_style, role="H2")
        heading.outline = (f"{outline_prefix}section-{number}", model.plain(section.heading, values, styles.BLANK),
                           outline_level)
        heading.source_line = section.heading.line
        flowables = []
        for block in section.blocks:
            for flowable in blocks.BY_MODEL[type(block)].lay_out(block, kit):
                flowable.source_line = next(blocks.texts(block), section.heading).line
                flowables.append(flowable)
        while flowables and isinstance(flowables[0], PageBreakFlowable):
            out.append(flowables.pop(0))      # a break at the top of a section goes before its heading
        if any(blocks.BY_MODEL[type(block)].keeps_section_together for block in section.blocks) \
                and not any(isinstance(flowable, PageBreakFlowable) for flowable in flowables):
            # What is signed stays on the page of its signature lines.
            out.append(KeepTogether([heading] + flowables))
            continue
        out += [KeepHeadingWithNext(heading, flowables[0] if flowables else None, geometry.frame_height, look), heading]
        out += flowables
    return out


def notes_box(notes: str, geometry: Geometry, locale: Locale, look: Look = STANDARD, parent: Node | None = None,
              heading: str = "H3") -> Box:
    """The care team's notes for this patient, typed by staff: printed as written, never read as markup;
    tagged under PARENT as a group whose title is a HEADING."""
    group = (parent if parent is not None else Node("Sect")).add("Div", lang=locale.tag)    # the packet's language
    title = group.add(heading)
    paragraphs = [Text(literal(model.fold_spaces(line)), look.box_text, tag=group.add("P"))
                  for line in notes.splitlines() if line.strip()]
    return Box(look.box_styles["care_team"], locale.notes_title, paragraphs, {}, geometry.frame_height, locale,
               look=look, tag=title)


def _enclosed(handout: model.Handout, values: Mapping[str, str], locale: Locale) -> str:
    """A handout's title on the cover as markup, saying its language when it is not the cover's
    ("… (in English)"): the title then a span tagged in its own language."""
    title = literal(model.plain(handout.title, values, styles.BLANK))
    language = base_language(handout.language)
    if language == base_language(locale.tag):
        return title
    said = literal(locale.in_language.get(language, handout.language))
    return f"{span(title, 'Span', handout.language)} ({said})"


def cover(handouts: list[model.Handout], patient: model.Patient, clinic: model.Clinic, values: Mapping[str, str],
          geometry: Geometry, locale: Locale, accent: str | None = None, notes: str | None = None,
          look: Look = STANDARD, part: Node | None = None) -> list[Flowable]:
    """A first page for the nurse and the patient: whose packet, how to reach the clinic, and a
    checklist of the enclosed handouts to tick while going over each one; tagged under PART."""
    part = part if part is not None else Node("Sect")

    def text(shown: str, style, role: str = "P") -> Text:
        return Text(shown, style, tag=part.add(role))

    def line(*pairs: tuple[str, str | None]) -> Text:
        # A phone number or date breaks across lines only between label and value, never inside.
        shown = [f"{literal(label)}: <b>{literal(model.fold_spaces(value).replace(' ', NO_BREAK)) if value else styles.BLANK}</b>"
                 for label, value in pairs]
        return text("&nbsp;&nbsp;&nbsp;&nbsp;".join(shown), look.item)

    heading = styles.accented(look.heading, accent)
    out: list[Flowable] = [text(literal(locale.cover_title), styles.accented(look.title, accent), "H1"),
                           text(literal(locale.cover_patient), heading, "H2"),
                           text(literal(model.fold_spaces(patient.name or "")) or styles.BLANK, look.cover_name),
                           line((locale.mrn_label, patient.mrn), (locale.born_label, values.get("patient.dob")))]
    if notes:
        out.append(notes_box(notes, geometry, locale, look, part))
    out.append(text(literal(locale.cover_contacts), heading, "H2"))
    out.append(line((locale.cover_phone, clinic.phone), (locale.cover_after_hours, clinic.after_hours_phone),
                    (locale.cover_emergency, clinic.emergency_number)))
    out.append(_enclosed_box(handouts, values, geometry, locale, look, part))
    out.append(SignatureLine(text(literal(locale.cover_reviewed_by), look.line_label), locale.date_label, look,
                             part.add("P")))
    return out


def _enclosed_box(handouts: list[model.Handout], values: Mapping[str, str], geometry: Geometry, locale: Locale,
                  look: Look, part: Node) -> Box:
    """The cover's checklist of enclosed handouts; a title in another language than the cover's is tagged so."""
    group = part.add("Div")
    title = group.add("H3")
    checklist: list[Flowable] = [Text(literal(locale.cover_enclosed_hint), look.box_text, tag=group.add("P"))]
    listed = group.add("L")
    for handout in handouts:
        item = listed.add("LI")
        label = item.add("Lbl", actual=locale.tick_box)
        checklist.append(MarkedItem("checkbox", Text(_enclosed(handout, values, locale), look.checklist_item,
                                                     tag=item.add("LBody")), 0, look=look, label_tag=label))
    return Box(look.box_styles["checklist"], locale.cover_enclosed, checklist, {}, geometry.frame_height, locale,
               look=look, tag=title)
