"""Tagged PDFs read with the rule checker and pikepdf: the checker's verdict, the elements in tree order, the parent tree."""
from __future__ import annotations

import io
import re
import subprocess
import textwrap

import page
import pikepdf

from structure import read


def failures(data: bytes) -> list[str]:
    """What the PDF/UA-1 rule checker (page-validation, profile ua1) finds wrong, rule by rule."""
    return sorted({f"{failure.rule_id}: {failure.message}"
                   for failure in page.validate_pdf_bytes(data, profile="ua1").failures})


def assert_parent_tree_matches(data: bytes) -> None:
    """Read apart from pdfium: each marked-content id in each page's content stream is owned, in the
    parent tree, by an element of the same role that lists it among its kids on that page, and draws
    something (pdfium finds a page object in it) unless it is an empty table cell's; each link
    annotation by a Link element holding it."""
    document = pikepdf.open(io.BytesIO(data))
    drawn = [{item.mcid for item in one.objects} for one in read(data)]
    nums = list(document.Root.StructTreeRoot.ParentTree.Nums)
    tree = dict(zip((int(key) for key in nums[::2]), nums[1::2]))
    for number, one in enumerate(document.pages):
        owners = tree[int(one.obj.StructParents)]
        marks = re.findall(rb"/(\w+) <</MCID (\d+)>> BDC", b"".join(
            part.read_bytes() for part in ([one.obj.Contents] if isinstance(one.obj.Contents, pikepdf.Stream)
                                           else one.obj.Contents)))
        assert [int(mcid) for _, mcid in marks] == list(range(len(owners)))
        # An empty table cell keeps its place in the row: its sequence is the only one allowed to draw nothing.
        assert {str(owners[mcid].S) for mcid in set(range(len(owners))) - drawn[number]} <= {"/TD"}
        for role, mcid in marks:
            owner = owners[int(mcid)]
            assert str(owner.S) == "/" + role.decode()
            kids = owner.K if isinstance(owner.K, pikepdf.Array) else [owner.K]
            on_page = [int(kid) for kid in kids if isinstance(kid, int) and owner.Pg.objgen == one.objgen]
            on_page += [int(kid.MCID) for kid in kids if isinstance(kid, pikepdf.Dictionary)
                        and kid.get("/Type") == "/MCR" and kid.Pg.objgen == one.objgen]
            assert int(mcid) in on_page
        for annotation in one.obj.get("/Annots", []):
            owner = tree[int(annotation.StructParent)]
            assert owner.S == "/Link" and any(isinstance(kid, pikepdf.Dictionary) and kid.get("/Obj") is not None
                                              and kid.Obj.objgen == annotation.objgen
                                              and kid.Pg.objgen == one.objgen for kid in owner.K)
    assert int(document.Root.StructTreeRoot.ParentTreeNextKey) == len(tree)


def kids(element: pikepdf.Dictionary) -> list:
    return list(element.K) if isinstance(element.K, pikepdf.Array) else [element.K]


def elements(document: pikepdf.Pdf):
    stack = [document.Root.StructTreeRoot.K]
    while stack:
        item = stack.pop()
        if isinstance(item, pikepdf.Array):
            stack.extend(reversed(list(item)))
        elif isinstance(item, pikepdf.Dictionary) and "/S" in item:
            yield item
            stack.append(item.get("/K"))


def long_handout(blocks: str, title: str = "A long handout") -> str:
    """A handout's YAML: one section, "Walking", holding BLOCKS (YAML list entries, unindented)."""
    return (f"id: long-test\ntitle: {title}\nkind: general\nsections:\n  - heading: Walking\n    blocks:\n"
            + textwrap.indent(textwrap.dedent(blocks).strip("\n"), " " * 6) + "\n")


def poppler_texts(data: bytes, role: str) -> list[str]:
    """What poppler's `pdfinfo -struct-text` says each element of ROLE holds, its kids' words with its
    own, in tree order and exactly as written (no space added between pieces)."""
    lines = subprocess.run(["pdfinfo", "-struct-text", "-"], input=data, capture_output=True, check=True,
                           timeout=60).stdout.decode().splitlines()
    found = []
    for number, line in enumerate(lines):
        if line.strip().split(" ")[0] != role:
            continue
        depth, texts = len(line) - len(line.lstrip()), []
        for inside in lines[number + 1:]:
            if len(inside) - len(inside.lstrip()) <= depth:
                break
            if inside.strip().startswith('"'):
                texts.append(inside.strip()[1:-1])
        found.append("".join(texts))
    return found
