"""The story of a handout, compared as (type, style, text) before any PDF is written."""
from __future__ import annotations

from pathlib import Path

from reportlab.platypus import Paragraph

from handouts import content
from handouts.render import styles
from handouts.render.markup import markup
from handouts.render.story import story
from story import describe

DATA = Path(__file__).parent / "data"
VALUES = {"clinic.name": "Test Clinic", "clinic.phone": "555-0100", "clinic.emergency_number": "911"}


def test_every_block_type_becomes_the_flowables_a_reader_expects():
    handout = content.load_handout(DATA / "all_blocks.yaml")
    assert describe(story(handout, VALUES, styles.Geometry())) == [
        ("paragraph", "title", "Every Block: A Test Handout"),
        ("box:summary", "box_title", ""),
        ("paragraph", "summary", "Summary first: bold words and italic words stay clear."),
        ("end box", "", ""),
        ("paragraph", "heading", "Paragraphs and placeholders"),
        ("paragraph", "body", 'Call Test Clinic at 555-0100. Signs print as typed: <b>not bold</b> & 5 < 6 > 4, "quoted".'),
        ("paragraph", "body", "Keep your blood sugar ≥ 70 and ≤ 180. Your surgeon: ________________."),
        ("paragraph", "body", "A long address wraps: https://example.org/a/very/long/path/that/keeps/going/and/going/"
                              "without/any/spaces/at/all/so/it/must/wrap/inside/the/frame"),
        ("paragraph", "heading", "Lists"),
        ("bullet", "level 0", "First bullet"),
        ("bullet", "level 0", "Second bullet"),
        ("circle", "level 1", "Nested bullet"),
        ("circle", "level 1", "Deeper bullet"),
        ("dash", "level 2", "Deepest bullet"),
        ("number", "level 0", "1. Step one"),
        ("number", "level 0", "2. Step two"),
        ("number", "level 1", "a. Step two a"),
        ("number", "level 1", "b. Step two b"),
        ("number", "level 0", "3. Step three"),
        ("paragraph", "heading", "Boxes"),
        ("box:checklist", "box_title", "Before you leave"),
        ("checkbox", "level 0", "Ride home arranged"),
        ("checkbox", "level 0", "Medicines list given"),
        ("end box", "", ""),
        ("box:checklist", "box_title", ""),
        ("checkbox", "level 0", "Plain check item"),
        ("end box", "", ""),
        ("box:caution", "box_title", "CAUTION: Call your care team if"),
        ("bullet", "level 0", "You have a fever"),
        ("end box", "", ""),
        ("box:urgent", "box_title", "URGENT: Urgent risks"),
        ("paragraph", "box_text", "Talk to your doctor about these risks."),
        ("end box", "", ""),
        ("box:emergency", "box_title", "EMERGENCY: Get help right away if"),
        ("paragraph", "box_text", "Call 911. Do not drive yourself."),
        ("bullet", "level 0", "You have chest pain"),
        ("end box", "", ""),
        ("box:note", "box_title", ""),
        ("paragraph", "box_text", "A plain note."),
        ("end box", "", ""),
        ("box:note", "box_title", "Note title"),
        ("paragraph", "box_text", "A titled note."),
        ("end box", "", ""),
        ("paragraph", "heading", "Table"),
        ("row", "table_header", "What | How long"),
        ("row", "table_cell", "Procedure | About 1 hour per fracture"),
        ("row", "table_cell", "Recovery room | About 1 hour"),
        ("paragraph", "heading", "Writing"),
        ("paragraph", "fill_in_label", "Follow-up date"),
        ("write-in", "", "1 lines"),
        ("paragraph", "fill_in_label", "Questions to ask"),
        ("write-in", "", "3 lines"),
        ("signature", "", "Patient"),
        ("signature", "", "Nurse"),
        ("paragraph", "heading", "Pictures"),
        ("image", "", "Picture: A drawing of the spine"),
        ("paragraph", "caption", "The spine from the side"),
        ("row", "", "MarkedDrawing | Watch the video https://example.org/kyphoplasty"),
        ("page break", "", ""),
        ("paragraph", "body", "After the page break."),
    ]


def test_content_is_never_markup():
    text = markup('<b>x</b> &amp; <font name="Helvetica">y</font>', {})
    paragraph = Paragraph(text, styles.body)
    assert paragraph.getPlainText() == '<b>x</b> &amp; <font name="Helvetica">y</font>'


def test_emphasis_and_placeholders():
    assert markup("**Call** {{ clinic.name }} *now*", {"clinic.name": "Clinic <A>"}) == \
        "<b>Call</b> Clinic &lt;A&gt; <i>now</i>"


def test_a_phone_number_never_breaks_across_lines():
    assert markup("Call {{ clinic.phone }}.", {"clinic.phone": "(555) 010-4400"}) == "Call (555)\u00a0010-4400."


def test_lone_asterisks_stay_as_typed():
    assert Paragraph(markup("2 * 3 = 6 and a* b", {}), styles.body).getPlainText() == "2 * 3 = 6 and a* b"


def test_a_placeholder_without_a_value_is_a_write_in_line():
    assert markup("Date: {{ followup.date }}.", {}) == f"Date: {styles.BLANK}."


def test_signs_missing_from_noto_sans_come_from_the_fallback_font_run_by_run():
    assert markup("**≥ 70**", {}) == '<b><font face="DejaVuSans">≥</font> 70</b>'
