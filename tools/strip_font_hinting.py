"""Font files in, copies without hinting and without the licence text records out (a tool, not run by the package).

The fonts in fonts/ were made with it: python tools/strip_font_hinting.py ORIGINAL.ttf ... (writes out/).
Hinting only helps screens at small sizes; printed handouts and PDF viewers do without it, and every
PDF embeds less. The licence texts stay beside the fonts (fonts/OFL-NotoSans.txt, fonts/LICENSE-DejaVu.txt).
Needs fontTools (pip install fonttools).
"""
import sys
from pathlib import Path
from fontTools.ttLib import TTFont

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
    # name IDs 13/14 (licence text and URL) are kept in fonts/OFL-NotoSans.txt and LICENSE-DejaVu.txt
    font["name"].names = [record for record in font["name"].names if record.nameID not in (13, 14)]
    font["maxp"].maxSizeOfInstructions = 0
    out = Path("out") / Path(source).name
    out.parent.mkdir(exist_ok=True)
    font.save(out)
    print(out, Path(source).stat().st_size, out.stat().st_size)
