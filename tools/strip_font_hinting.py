"""Font files in, copies without hinting and with only the naming records a PDF needs out (a tool, not run by the package).

The fonts in fonts/ were made with it: python tools/strip_font_hinting.py ORIGINAL.ttf ... (writes out/).
Hinting only helps screens at small sizes; printed handouts and PDF viewers do without it, and every
PDF embeds less. Of the name table only the copyright, family, style, unique and full names, a short
version and the PostScript name stay; the licence texts stay beside the fonts (fonts/OFL-NotoSans.txt,
fonts/LICENSE-DejaVu.txt), and each handout PDF embeds the name table of its font subsets.
Needs fontTools (pip install fonttools).
"""
import sys
from pathlib import Path
from fontTools.ttLib import TTFont

KEPT_NAMES = (0, 1, 2, 3, 4, 5, 6)
HINTING = ("fpgm", "prep", "cvt ", "hdmx", "VDMX", "LTSH", "gasp", "DSIG")
for source in sys.argv[1:]:
    font = TTFont(source)
    for tag in HINTING:
        if tag in font:
            del font[tag]
    for glyph in font["glyf"].glyphs.values():
        glyph.expand(font["glyf"])
        if hasattr(glyph, "program"):
            from fontTools.ttLib.tables import ttProgram
            glyph.program = ttProgram.Program()
            glyph.program.fromBytecode(b"")
    # IDs 13/14 (licence text and URL) are in fonts/OFL-NotoSans.txt and LICENSE-DejaVu.txt; trademark,
    # vendor, designer and their URLs (7-12) and the typographic names (16, 17) no PDF reader uses.
    names = font["name"]
    names.names = [record for record in names.names if record.nameID in KEPT_NAMES]
    for record in names.names:
        if record.nameID == 5:     # "Version 2.004; ttfautohint (v1.8.3) -l 8 ..." -> "Version 2.004"
            record.string = record.toUnicode().split(";")[0]
    font["maxp"].maxSizeOfInstructions = 0
    out = Path("out") / Path(source).name
    out.parent.mkdir(exist_ok=True)
    font.save(out)
    print(out, Path(source).stat().st_size, out.stat().st_size)
