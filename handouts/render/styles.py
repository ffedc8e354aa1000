"""Styles: nothing in; every font size, colour, spacing and page measure a handout uses out."""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch

from . import fonts

# --- page geometry -----------------------------------------------------------------------------
PAPER_SIZES = {"letter": LETTER, "a4": A4}
MARGIN_SIDE = 0.85 * inch
MARGIN_TOP = 0.75 * inch          # to the top of the header text
MARGIN_BOTTOM = 0.75 * inch       # to the bottom of the footer text
HEADER_HEIGHT = 0.5 * inch        # header text and rule, above the frame (no logo, no patient)
FOOTER_HEIGHT = 0.45 * inch       # footer text and rule, below the frame


@dataclass(frozen=True)
class Geometry:
    paper: str = "letter"
    header: float = HEADER_HEIGHT     # taller with a logo or patient lines: see header_height()
    footer: float = FOOTER_HEIGHT     # taller in large print or when the facts wrap: see footer_height()

    @property
    def page_width(self) -> float:
        return PAPER_SIZES[self.paper][0]

    @property
    def page_height(self) -> float:
        return PAPER_SIZES[self.paper][1]

    @property
    def frame_x(self) -> float:
        return MARGIN_SIDE

    @property
    def frame_y(self) -> float:
        return MARGIN_BOTTOM + self.footer

    @property
    def frame_width(self) -> float:
        return self.page_width - 2 * MARGIN_SIDE

    @property
    def frame_height(self) -> float:
        return self.page_height - MARGIN_TOP - self.header - self.frame_y


# --- colours -------------------------------------------------------------------------------------
INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#4d4d4d")
ACCENT = colors.HexColor("#1f4e79")
RULE = colors.HexColor("#9aa9b8")
SUMMARY_FILL = colors.HexColor("#e6eef7")
NOTE_FILL = colors.HexColor("#f2f2f2")
TABLE_STRIPE = colors.HexColor("#f3f6fa")
WHITE = colors.white

# --- paragraph styles (each named, each with a named parent) -------------------------------------
BODY_SIZE = 12.5
BODY_LEADING = 17.5   # 1.4 x body size


def _style(name: str, parent: ParagraphStyle | None = None, **settings) -> ParagraphStyle:
    return ParagraphStyle(name, parent=parent, **settings)


base = _style("base", fontName=fonts.MAIN, fontSize=BODY_SIZE, leading=BODY_LEADING, textColor=INK,
              alignment=TA_LEFT, allowWidows=0, allowOrphans=0, splitLongWords=1,
              hyphenationLang=None, embeddedHyphenation=0)
body = _style("body", base, spaceAfter=9)
item = _style("item", body, spaceAfter=5)
checklist_item = _style("checklist_item", item, spaceAfter=8)
title = _style("title", base, fontName=fonts.MAIN_BOLD, fontSize=24, leading=30, textColor=ACCENT,
               spaceAfter=12)
heading = _style("heading", base, fontName=fonts.MAIN_BOLD, fontSize=17, leading=22, textColor=ACCENT,
                 spaceBefore=16, spaceAfter=7)
cover_name = _style("cover_name", base, fontName=fonts.MAIN_BOLD, fontSize=20, leading=26, spaceAfter=8)
summary = _style("summary", base, fontName=fonts.MAIN_BOLD, fontSize=14, leading=20)
box_title = _style("box_title", base, fontName=fonts.MAIN_BOLD, fontSize=14, leading=19, spaceAfter=6)
box_text = _style("box_text", body, spaceAfter=6)
table_cell = _style("table_cell", base, fontSize=12, leading=16)
table_header = _style("table_header", table_cell, fontName=fonts.MAIN_BOLD, textColor=WHITE)
fill_in_label = _style("fill_in_label", body, fontName=fonts.MAIN_BOLD, spaceAfter=0)
caption = _style("caption", base, fontSize=11.5, leading=15, textColor=MUTED, spaceAfter=10)
small = _style("small", base, fontSize=10, leading=12, textColor=MUTED)   # footer
line_label = _style("line_label", base, fontSize=11.5, leading=14, textColor=MUTED)   # under signature lines
LINK_COLOR = "#1f4e79"
ACCENTED = ("title", "heading")     # styles that take the clinic's colour, in standard and large print


# Bounded, and locked by lru_cache itself; two threads may both make a style the first time, which is
# harmless: a style is never changed once made, and one is as good as the other.
@lru_cache(maxsize=64)
def accented(style: ParagraphStyle, color: str | None) -> ParagraphStyle:
    """STYLE in the clinic's COLOR (headings follow the clinic's brand); STYLE itself without one."""
    if color is None or style.name.removeprefix("large_") not in ACCENTED:
        return style
    return _style(f"{style.name}-{color}", style, textColor=colors.HexColor(color))

# Table text is drawn by Paragraphs, but Table falls back to Helvetica for anything else it draws.
TABLE_FONT = fonts.MAIN
TABLE_PADDING = 6
TABLE_GRID = 0.75
TABLE_BORDER = 1.2

# --- page header and footer -----------------------------------------------------------------------
HEADER_SIZE = 11
FOOTER_SIZE = 10
PAGE_NUMBER_SIZE = 11
HEADER_RULE_GAP = 7           # from the header baseline down to its rule
FOOTER_RULE_GAP = 7           # from the footer text up to its rule
RULE_WIDTH = 0.8
HEADER_CLINIC_SHARE = 0.45    # of the frame width, before the clinic name is shortened
FOOTER_PAGE_GAP = 18          # between the footer facts and the page number
HEADER_BELOW_RULE = 18        # from the header rule down to the first line of the page
PATIENT_LINE_GAP = 16         # from the clinic line's baseline to the patient line's
PATIENT_SIZE = 11
LOGO_HEIGHT = 0.36 * inch
LOGO_MAX_WIDTH = 1.6 * inch
LOGO_GAP = 8
LOGO_DPI = 300               # a logo is embedded at no more pixels than this prints sharp at


# Below the footer rule: the text's descenders stay inside the bottom margin.
FOOTER_DESCENT = 0.3                # of the footer's type size
FOOTER_ABOVE_RULE = FOOTER_HEIGHT - FOOTER_DESCENT * FOOTER_SIZE - PAGE_NUMBER_SIZE - FOOTER_RULE_GAP

# --- list markers ---------------------------------------------------------------------------------
INDENT_STEP = 22           # per nesting level
MARKER_WIDTH = 24          # space between marker column start and item text
CHECKBOX_SIZE = 13         # side of the drawn square, in points (at least 10 pt to tick with a pen)
CHECKBOX_LINE = 1.4
BULLET_RADIUS = 3

# --- write-in lines --------------------------------------------------------------------------------
WRITE_IN_SPACING = 0.4 * inch    # at least 0.3 in between lines
WRITE_IN_LINE = 0.8
SIGNATURE_GAP = 0.5 * inch       # space above a signature line to sign in
SIGNATURE_SHARE = 0.62           # of the frame width; the date line takes the rest
SIGNATURE_DATE_GAP = 0.3 * inch
BLANK = "_" * 16                 # a placeholder with no value: a write-in line inside the text


# --- boxes ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BoxStyle:
    name: str
    border: colors.Color
    fill: colors.Color | None
    border_width: float
    label: str | None = None      # key of the label word (locales): it survives a black-and-white printer
    icon: str | None = None       # 'triangle', 'circle' or 'octagon', drawn as shapes
    padding: float = 11


BOX_STYLES = {
    "summary": BoxStyle("summary", ACCENT, SUMMARY_FILL, 0, padding=13),
    "checklist": BoxStyle("checklist", ACCENT, None, 1.2),
    "note": BoxStyle("note", MUTED, NOTE_FILL, 0.8),
    "care_team": BoxStyle("care_team", ACCENT, SUMMARY_FILL, 2),
    "caution": BoxStyle("caution", colors.HexColor("#a86a00"), colors.HexColor("#fff6df"), 1.5,
                        label="caution", icon="triangle"),
    "urgent": BoxStyle("urgent", colors.HexColor("#c2410c"), colors.HexColor("#fff0e5"), 3,
                       label="urgent", icon="circle"),
    "emergency": BoxStyle("emergency", colors.HexColor("#b91c1c"), colors.HexColor("#fde8e8"), 5,
                          label="emergency", icon="octagon"),
}
ICON_SIZE = 22
BOX_RADIUS = 5
BOX_SPACE_AFTER = 12

# --- images and QR codes --------------------------------------------------------------------------
IMAGE_WIDTH = 3.0 * inch         # when the content gives none
ALT_TEXT_SIZE = 6                # invisible text over a picture; small so a text selection stays on it
QR_SIDE = 1.25 * inch
QR_GAP = 14


# --- looks: standard print and large print --------------------------------------------------------
@dataclass(frozen=True)
class Look:
    """Every measure that large print changes; flowables take them from here, never from the constants."""

    name: str
    body: ParagraphStyle
    item: ParagraphStyle
    checklist_item: ParagraphStyle
    title: ParagraphStyle
    heading: ParagraphStyle
    cover_name: ParagraphStyle
    summary: ParagraphStyle
    box_title: ParagraphStyle
    box_text: ParagraphStyle
    table_cell: ParagraphStyle
    table_header: ParagraphStyle
    fill_in_label: ParagraphStyle
    caption: ParagraphStyle
    line_label: ParagraphStyle
    checkbox_size: float
    checkbox_line: float
    bullet_radius: float
    marker_width: float
    indent_step: float
    icon_size: float
    table_grid: float
    table_border: float
    table_padding: float
    write_in_spacing: float
    box_styles: dict[str, BoxStyle]
    header_size: float = HEADER_SIZE            # clinic name and handout title
    patient_size: float = PATIENT_SIZE          # the patient's name, MRN and date of birth
    footer_size: float = FOOTER_SIZE            # handout id, version, review date
    page_number_size: float = PAGE_NUMBER_SIZE
    italic: bool = True            # large print sets emphasis in bold: italics are hard to read at low vision


STANDARD = Look("standard", body=body, item=item, checklist_item=checklist_item, title=title, heading=heading,
                cover_name=cover_name, summary=summary, box_title=box_title, box_text=box_text,
                table_cell=table_cell, table_header=table_header, fill_in_label=fill_in_label, caption=caption,
                line_label=line_label, checkbox_size=CHECKBOX_SIZE, checkbox_line=CHECKBOX_LINE,
                bullet_radius=BULLET_RADIUS, marker_width=MARKER_WIDTH, indent_step=INDENT_STEP,
                icon_size=ICON_SIZE, table_grid=TABLE_GRID, table_border=TABLE_BORDER,
                table_padding=TABLE_PADDING, write_in_spacing=WRITE_IN_SPACING, box_styles=BOX_STYLES)

# Large print, after the APH and RNIB guidance: body 18 pt, headings 22 pt and up, line spacing 1.4,
# bold rather than italic, no hyphenation (base has none), heavier rules, 18 pt tick boxes.
LARGE_BODY_SIZE = 18
LARGE_LEADING = 1.4
LARGE_BORDER_SCALE = 1.7


def _large(style: ParagraphStyle, size: float, **settings) -> ParagraphStyle:
    return _style(f"large_{style.name}", style, fontSize=size, leading=round(size * LARGE_LEADING, 1), **settings)


large_body = _large(body, LARGE_BODY_SIZE, spaceAfter=12)
large_item = _large(item, LARGE_BODY_SIZE, spaceAfter=8)
LARGE = Look(
    "large", body=large_body, item=large_item,
    checklist_item=_large(checklist_item, LARGE_BODY_SIZE, spaceAfter=12),
    title=_large(title, 30, spaceAfter=14), heading=_large(heading, 24, spaceBefore=20, spaceAfter=9),
    cover_name=_large(cover_name, 26), summary=_large(summary, 20),
    box_title=_large(box_title, 20, spaceAfter=8), box_text=_large(box_text, LARGE_BODY_SIZE, spaceAfter=8),
    table_cell=_large(table_cell, LARGE_BODY_SIZE), table_header=_large(table_header, LARGE_BODY_SIZE),
    fill_in_label=_large(fill_in_label, LARGE_BODY_SIZE), caption=_large(caption, LARGE_BODY_SIZE),
    line_label=_large(line_label, LARGE_BODY_SIZE),
    checkbox_size=18, checkbox_line=2, bullet_radius=4.5, marker_width=32, indent_step=28, icon_size=30,
    table_grid=TABLE_GRID * LARGE_BORDER_SCALE, table_border=TABLE_BORDER * LARGE_BORDER_SCALE,
    table_padding=8, write_in_spacing=0.55 * inch,
    box_styles={name: replace(style, border_width=style.border_width * LARGE_BORDER_SCALE, padding=14)
                for name, style in BOX_STYLES.items()},
    header_size=14, patient_size=16, footer_size=14, page_number_size=16,   # no text under 14 pt on the page
    italic=False)


def look(large_print: bool) -> Look:
    return LARGE if large_print else STANDARD


def patient_leading(look: Look) -> float:
    """From one patient line's baseline to the next (the first is this far below the clinic line)."""
    return round(look.patient_size * PATIENT_LINE_GAP / PATIENT_SIZE, 1)


def footer_leading(look: Look) -> float:
    return round(look.footer_size * 1.3, 1)


def header_height(logo: bool, patient_lines: int, look: Look = STANDARD) -> float:
    """From the top margin down to the first line of the page, for a header with a logo or not and
    PATIENT_LINES lines about the patient."""
    text = look.header_size + patient_lines * patient_leading(look) + HEADER_RULE_GAP
    return max(text, LOGO_HEIGHT + 4 if logo else 0) + HEADER_BELOW_RULE


def footer_height(fact_lines: int, look: Look = STANDARD) -> float:
    """From the bottom margin up to the last line of the page, for a footer of FACT_LINES lines."""
    facts = look.footer_size + (fact_lines - 1) * footer_leading(look)
    return FOOTER_DESCENT * look.footer_size + max(look.page_number_size, facts) + FOOTER_RULE_GAP \
        + FOOTER_ABOVE_RULE
