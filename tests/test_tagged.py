"""Tagged PDFs (PDF/UA-1): the rule checker's verdict, and the structure tree read back with pdfium and poppler."""
from __future__ import annotations

import io
import re
import subprocess
from datetime import date
from functools import lru_cache
from pathlib import Path

import pikepdf
import pytest

import handouts
from handouts import blocks, model
from handouts.locales import for_language
from handouts.render import styles
from handouts.render.document import placeholder_values
from handouts.render.kit import fill_in_label
from structure import artifact_text, read, reading, unmarked
from tagcheck import assert_parent_tree_matches, elements, failures, long_handout

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CONTENT = ["kyphoplasty-before", "kyphoplasty-before.es", "kyphoplasty-care-after", "kyphoplasty-care-after.es"]
PATIENT = model.Patient(name="Ana Pérez", mrn="A-1001", dob=date(1948, 3, 14))


@lru_cache(maxsize=None)
def clinic() -> model.Clinic:
    return handouts.load_clinic(REPO / "content" / "clinic.yaml")


@lru_cache(maxsize=None)
def load(name: str) -> model.Handout:
    return handouts.load_handout(REPO / "content" / f"{name}.yaml" if name in CONTENT else DATA / f"{name}.yaml")


def expected_texts(handout: model.Handout, values: dict[str, str]) -> list[str]:
    """The handout's printed texts in the YAML's order, as a reader hears them (the footer's version aside)."""
    texts = [handout.title] + ([handout.summary] if handout.summary else [])
    for section in handout.sections:
        texts.append(section.heading)
        for block in section.blocks:
            if isinstance(block, model.FillIn):
                texts += [fill_in_label(field.label, values)[0] for field in block.fields]
            else:
                texts += list(blocks.texts(block))
    return [model.plain(text, values, styles.BLANK) for text in texts]


def labels(language: str) -> str:
    """What the tree may say besides the YAML: list numbers, box labels, "Date", a picture's and a box's words."""
    locale = for_language(language)
    words = [f"{label}:" for label in locale.labels.values()] + [locale.date_label, locale.tick_box,
                                                                  f"{locale.picture_label}:"]
    qr = re.escape("".join(locale.qr_label.split())) + r"https://\S+?"      # a QR code's alt names its address
    return "(?:" + "|".join(re.escape("".join(word.split())) for word in words) + rf"|{qr}|\d+\.|[a-z]\.)*"


def assert_reads_as_the_yaml(data: bytes, texts: list[str], language: str) -> None:
    """The tree's text, in order, is TEXTS in order, with nothing between them but labels."""
    stream = "".join("".join(text.split()) for _, text in reading(read(data)))
    position, extra = 0, []
    for text in texts:
        needle = "".join(text.split())
        found = stream.find(needle, position)
        assert found >= 0, f"{text!r} not read after: ...{stream[max(position - 120, 0):position]!r}"
        extra.append(stream[position:found])
        position = found + len(needle)
    extra.append(stream[position:])
    allowed = re.compile(labels(language))
    assert [piece for piece in extra if not allowed.fullmatch(piece)] == []


def heading_levels(data: bytes) -> list[int]:
    return [int(role[1]) for role, _ in reading(read(data)) if re.fullmatch(r"H[1-6]", role)]


def assert_headings_nest(levels: list[int]) -> None:
    assert levels and levels[0] == 1
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, f"a heading H{after} right after H{before}: {levels}"


@pytest.mark.parametrize("paper, large_print", [("letter", False), ("a4", False), ("letter", True), ("a4", True)])
@pytest.mark.parametrize("name", CONTENT)
def test_each_handout_is_pdf_ua_and_its_tree_reads_the_yaml_in_order(name, paper, large_print):
    handout = load(name)
    pdf = handouts.render_handout(handout, clinic(), PATIENT, paper=paper, large_print=large_print)
    assert failures(pdf.data) == []
    pages = read(pdf.data)
    assert unmarked(pages) == []
    values = placeholder_values(clinic(), PATIENT, handout.language)
    # The clinic's logo is read first, once, as the profile's alt text says; then the handout.
    assert reading(pages)[0] == ("Figure", "Riverside Spine Center logo")
    assert_reads_as_the_yaml(pdf.data, [clinic().logo_alt] + expected_texts(handout, values), handout.language)
    assert_headings_nest(heading_levels(pdf.data))
    assert_parent_tree_matches(pdf.data)
    # Header and footer are artifacts: read on the page, never in the tree.
    tree = " ".join(text for _, text in reading(pages))
    page_one = for_language(handout.language).page_of.format(page=1, total=pdf.pages)
    for furniture in (page_one, "A-1001", handout.id, "Ana Pérez"):
        assert furniture not in tree
        assert furniture in artifact_text(pages)


def test_every_block_type_is_tagged_with_its_role_alt_text_and_labels():
    handout = load("all_blocks")
    pdf = handouts.render_handout(handout, clinic())
    assert failures(pdf.data) == []
    pages = read(pdf.data)
    assert unmarked(pages) == []
    values = placeholder_values(clinic(), None, "en")
    assert_reads_as_the_yaml(pdf.data, [clinic().logo_alt] + expected_texts(handout, values), "en")
    assert_headings_nest(heading_levels(pdf.data))
    assert_parent_tree_matches(pdf.data)
    elements = [element for one in pages for root in one.elements for element in root.walk()]
    assert [element.alt for element in elements if element.role == "Figure"] == \
        ["Riverside Spine Center logo", "A drawing of the spine", "QR code for https://example.org/kyphoplasty"]
    # Each block's first element, in the YAML's order, is the role its type declares.
    sections = [element for element in elements if element.role == "Sect"]
    kids = [kid.role for section in sections for kid in section.kids if not isinstance(kid, int)]
    wanted = ["H1", "Div"] + [role for section in handout.sections
                              for role in ["H2"] + [blocks.BY_MODEL[type(block)].role for block in section.blocks]
                              if role]
    assert _in_order(wanted, kids), (wanted, kids)
    ticks = [element.actual for element in elements if element.role == "Lbl" and element.actual]
    assert ticks == ["Box to tick"] * 3
    assert [element.text.strip() for element in elements if element.role == "Lbl" and not element.actual] == \
        ["1.", "2.", "a.", "b.", "3."]
    table = next(element for element in elements if element.role == "Table")
    assert [[cell.role for cell in row.kids] for row in table.kids] == [["TH", "TH"]] + [["TD", "TD"]] * 2


def _in_order(wanted: list[str], found: list[str]) -> bool:
    remaining = iter(found)
    return all(role in remaining for role in wanted)


def test_a_packet_with_a_cover_notes_and_two_languages_is_pdf_ua_with_each_handout_a_section():
    before, after_es = load("kyphoplasty-before"), load("kyphoplasty-care-after.es")
    pdf = handouts.render_packet([before, after_es], clinic(), PATIENT, cover=True, notes="Walk twice a day.\nNo baths.")
    assert failures(pdf.data) == []
    pages = read(pdf.data)
    assert unmarked(pages) == []
    # Each part a section in its own language: the cover's and the first handout's English, the second's Spanish.
    sections = [(element.lang, " ".join(kid.text.split())) for one in pages for root in one.elements for element in root.walk()
                if element.role == "Sect" for kid in element.kids if getattr(kid, "role", "") == "H1"]
    assert sections == [("en", "Your care packet"), ("en", "Balloon Kyphoplasty: Before Your Procedure"),
                        ("es", "Cifoplastia con balón: cuidados después del procedimiento")]
    read_out = [text for _, text in reading(pages)]
    english = for_language("en")
    assert read_out[:5] == ["Riverside Spine Center logo", english.cover_title, english.cover_patient, "Ana Pérez",
                            f"{english.mrn_label}: A-1001 {english.born_label}: March 14, 1948"]
    assert "Walk twice a day." in read_out and "Balloon Kyphoplasty: Before Your Procedure" in read_out
    # In the English cover's list, a Spanish title is a span in Spanish; "(in Spanish)" is the cover's English.
    title = "Cifoplastia con balón: cuidados después del procedimiento"
    enclosed = [element for one in pages for root in one.elements for element in root.walk()
                if " ".join(element.text.split()) == f"{title} (in Spanish)"]
    assert [(element.role, element.lang) for element in enclosed] == [("LBody", None)]
    assert [(kid.role, kid.lang, kid.text.strip()) for kid in enclosed[0].kids if not isinstance(kid, int)] == [
        ("Span", "es", title)]
    assert_headings_nest(heading_levels(pdf.data))
    tree = " ".join(read_out)
    assert "Page 1 of" not in tree and "Página 1 de" not in tree


def test_a_paragraph_box_and_table_split_across_pages_are_each_one_element_read_once(write):
    sentence = "Walk a little more each day, and rest when your back hurts. "
    entry = "Check the dressing for redness, swelling or fluid, and call if you see any of them."
    path = write("long.yaml", long_handout(f"""
        - paragraph: "{sentence * 60}"
        - checklist:
            title: Every day (see https://example.org/walking)
            items: {[entry] * 30}
        - table:
            header: [Day, "Steps (https://example.org/steps)"]
            rows: {[[f"Day {day}", f"{day * 100} steps"] for day in range(1, 41)]}
        """))
    handout = handouts.load_handout(path)
    pdf = handouts.render_handout(handout, large_print=True)
    assert failures(pdf.data) == []
    document = pikepdf.open(io.BytesIO(pdf.data))
    pages_of = {one.objgen: number for number, one in enumerate(document.pages)}
    split = {}
    for element in elements(document):
        kids = element.get("/K")
        if element.get("/Pg") is None or not isinstance(kids, pikepdf.Array):
            continue
        on = {pages_of[element.Pg.objgen]} | {pages_of[kid.Pg.objgen] for kid in kids
                                              if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR"}
        if len(on) > 1:
            split[str(element.S)] = split.get(str(element.S), 0) + 1
    assert split == {"/P": 1}          # the paragraph; box and table split between entries and rows
    tables = [element for element in elements(document) if element.S == "/Table"]
    assert len(tables) == 1 and len(tables[0].K) == 41
    rows = [row.K[0] for row in tables[0].K]
    assert len({pages_of[cell.Pg.objgen] for cell in rows}) > 1
    boxes = [element for element in elements(document) if element.S == "/Div"]
    assert len(boxes) == 1 and len([kid for kid in boxes[0].K[1].K]) == 30     # one list of all 30 entries
    entries = [item.K[1] for item in boxes[0].K[1].K]                           # LI -> LBody
    assert len({pages_of[entry.Pg.objgen] for entry in entries}) > 1
    assert_reads_as_the_yaml(pdf.data, expected_texts(handout, placeholder_values(model.Clinic(), None, "en")), "en")
    # The links in the repeated title and header row are clickable on every page, each tagged.
    links = [annotation for one in document.pages for annotation in one.obj.get("/Annots", [])]
    uris = [str(annotation.A.URI) for annotation in links]
    assert uris.count("https://example.org/walking") > 1 and uris.count("https://example.org/steps") > 1
    assert all("/StructParent" in annotation for annotation in links)
    assert_parent_tree_matches(pdf.data)


def test_document_keys_metadata_and_links_say_what_a_reader_needs():
    pdf = handouts.render_handout(load("all_blocks"), clinic())
    document = pikepdf.open(io.BytesIO(pdf.data))
    root = document.Root
    assert root.MarkInfo.Marked is True and root.ViewerPreferences.DisplayDocTitle is True
    assert str(root.Lang) == "en"
    assert all(page.obj.Tabs == "/S" for page in document.pages)
    with document.open_metadata() as xmp:
        assert xmp["dc:title"] == "Every Block: A Test Handout"
        assert xmp["pdfuaid:part"] == "1"
        assert list(xmp["dc:language"]) == ["en"]
    parents = dict(zip(list(root.StructTreeRoot.ParentTree.Nums)[::2], list(root.StructTreeRoot.ParentTree.Nums)[1::2]))
    links = [annotation for page in document.pages for annotation in page.obj.get("/Annots", [])]
    assert len(links) == 3
    for annotation in links:
        assert str(annotation.Contents) == str(annotation.A.URI)
        element = parents[int(annotation.StructParent)]
        assert element.S == "/Link"
        assert any(kid.get("/Obj") is not None and kid.Obj.objgen == annotation.objgen for kid in element.K
                   if isinstance(kid, pikepdf.Dictionary))


def test_poppler_reads_the_same_tree():
    pdf = handouts.render_handout(load("kyphoplasty-care-after"), clinic(), PATIENT)
    printed = subprocess.run(["pdfinfo", "-struct-text", "-"], input=pdf.data, capture_output=True, check=True,
                             timeout=60).stdout.decode()
    shape = [line.strip().split(" ")[0] for line in printed.splitlines() if line.strip() and '"' not in line]
    assert shape[:5] == ["Document", "Figure", "Sect", "H1", "Div"]     # the logo, then the handout
    assert '"Balloon Kyphoplasty: Care After ' in printed
    # Lines end with a space, so the last word of one line and the first of the next stay two words
    # (the summary breaks after "Know" here).
    assert "Know when to call your care team" in printed
    assert "Page 1 of" not in printed and "Ana" not in printed


def test_an_encrypted_attachment_keeps_its_tags_and_lets_screen_readers_in():
    from handouts.delivery.message import encrypted
    pdf = handouts.render_handout(load("kyphoplasty-care-after"), clinic(), PATIENT)
    locked = encrypted(pdf.data, "19480314")
    document = pikepdf.open(io.BytesIO(locked), password="19480314")
    assert document.allow.accessibility
    assert document.encryption.P & 0xFFFFFFFF == 0xFFFFFFFC      # every permission bit, as pypdf granted
    assert document.Root.MarkInfo.Marked is True and "/StructTreeRoot" in document.Root
    assert failures(_unlocked(document)) == []       # the checker reads no encrypted file: its opened copy
    # The structure elements stay packed in object streams: locking costs a few percent, not the tree again.
    assert len(locked) < len(pdf.data) * 1.1, (len(locked), len(pdf.data))


def _unlocked(document: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- each problem is caught: by the checker, and by this file's own readers -------------------------
def _mutated(data: bytes, change) -> bytes:
    document = pikepdf.open(io.BytesIO(data))
    change(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def every_block() -> bytes:
    return handouts.render_handout(load("all_blocks"), clinic()).data


def test_a_picture_without_its_alt_text_is_caught(every_block):
    def drop_alt(document):
        del next(element for element in elements(document) if element.get("/Alt") == "A drawing of the spine")["/Alt"]
    data = _mutated(every_block, drop_alt)
    assert [failure.split(":")[0] for failure in failures(data)] == ["PDFUA1-FIGURE-ALTERNATIVE-TEXT-001"]
    figures = [element.alt for one in read(data) for root in one.elements for element in root.walk()
               if element.role == "Figure"]
    assert figures == ["Riverside Spine Center logo", None, "QR code for https://example.org/kyphoplasty"]


def test_a_skipped_heading_level_is_caught(every_block):
    def skip(document):
        next(element for element in elements(document) if element.S == "/H2").S = pikepdf.Name.H3
    data = _mutated(every_block, skip)
    assert [failure.split(":")[0] for failure in failures(data)] == ["PDFUA1-HEADING-NESTING-001"]
    with pytest.raises(AssertionError, match="H3 right after H1"):
        assert_headings_nest(heading_levels(data))


def test_a_dropped_tag_is_caught(every_block):
    def untag(document):
        contents = document.pages[0].Contents
        stream = contents.read_bytes()
        start = re.search(rb"/P <</MCID \d+>> BDC\n", stream)
        end = stream.index(b"EMC\n", start.end())
        contents.write(stream[:start.start()] + stream[start.end():end] + stream[end + 4:])
    data = _mutated(every_block, untag)
    assert [failure.split(":")[0] for failure in failures(data)] == ["PDFUA1-CONTENT-TAGGING-001"]
    assert unmarked(read(data))
    with pytest.raises(AssertionError, match="not read after"):
        assert_reads_as_the_yaml(data, expected_texts(load("all_blocks"), placeholder_values(
            clinic(), None, "en")), "en")


def test_a_logo_without_alt_text_is_decoration_and_alt_text_needs_a_logo(write):
    import shutil
    shutil.copy(REPO / "content" / "riverside-logo.png", write("clinic.yaml", "name: Test Clinic\n").parent)
    plain = handouts.load_clinic(write("clinic.yaml", "name: Test Clinic\nlogo: riverside-logo.png\n"))
    pdf = handouts.render_handout(load("kyphoplasty-care-after"), plain, PATIENT)
    assert failures(pdf.data) == []
    pages = read(pdf.data)
    assert unmarked(pages) == []
    assert reading(pages)[0] == ("H1", "Balloon Kyphoplasty: Care After")
    pictures = [item for one in pages for item in one.objects if item.kind == 3]      # FPDF_PAGEOBJ_IMAGE
    assert len(pictures) == pdf.pages and all(item.marks == ["Artifact"] for item in pictures)
    path = write("clinic.yaml", "name: Test Clinic\nlogo_alt: Test Clinic logo\n")
    with pytest.raises(handouts.ContentErrors) as raised:
        handouts.load_clinic(path)
    assert [str(error) for error in raised.value.errors] == [
        f"{path}:2: expected logo_alt only with a logo, found no logo; add the logo, or remove logo_alt"]


def test_notes_without_a_cover_head_the_handout_in_the_packets_language():
    pdf = handouts.render_packet([load("kyphoplasty-care-after")], clinic(), PATIENT, language="es",
                                 notes="Camine dos veces al día.")
    assert failures(pdf.data) == []
    pages = read(pdf.data)
    assert unmarked(pages) == []
    assert reading(pages)[1:3] == [("H1", for_language("es").notes_title), ("P", "Camine dos veces al día.")]
    notes = next(element for element in pages[0].elements[0].walk() if element.role == "Div")
    assert notes.lang == "es"
    assert_headings_nest(heading_levels(pdf.data))
    assert_parent_tree_matches(pdf.data)
