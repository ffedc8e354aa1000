"""Imports go one way: content (input in, the model out) never loads rendering or delivery."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "handouts"


def imported(path: Path) -> set[str]:
    """The handouts packages and modules PATH imports, as dotted names below handouts."""
    here = path.relative_to(PACKAGE).parent.parts
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = here[:len(here) - node.level + 1] if node.level else ()
            module = (node.module or "").removeprefix("handouts.") if not node.level else node.module or ""
            parts = (*base, *module.split(".")) if module else base
            names |= {".".join((*parts, alias.name)) for alias in node.names}
            names.add(".".join(parts))
        elif isinstance(node, ast.Import):
            names |= {alias.name.removeprefix("handouts.") for alias in node.names if alias.name.startswith("handouts")}
    return names


def test_content_never_imports_rendering_or_delivery():
    found = {f"{path.relative_to(PACKAGE)}: {name}" for path in sorted((PACKAGE / "content").rglob("*.py"))
             for name in imported(path) if name.split(".")[0] in ("render", "delivery")}
    assert found == set()
