"""Every block example in docs/content-format.md is valid content and renders."""
from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

from click.testing import CliRunner

from handouts.cli import main
from pdfcheck import all_text

DOC = Path(__file__).resolve().parent.parent / "docs" / "content-format.md"


def _block_examples() -> list[str]:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    return [block for block in blocks if block.startswith("- ")]


def test_the_format_documents_every_block_type():
    from handouts.blocks import BY_NAME
    documented = {key for example in _block_examples() for key in re.findall(r"^- (\w+):", example, flags=re.M)}
    assert documented == set(BY_NAME)


def test_every_block_example_builds(tmp_path):
    (tmp_path / "images").mkdir()
    shutil.copy(Path(__file__).parent / "data" / "spine.png", tmp_path / "images" / "spine.png")
    blocks = "".join(textwrap.indent(example, "      ") for example in _block_examples())
    source = "id: doc-examples\ntitle: Examples\nkind: general\nsections:\n  - heading: All\n    blocks:\n" + blocks
    (tmp_path / "examples.yaml").write_text(source, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(tmp_path / "examples.yaml"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Get help right away if" in all_text(tmp_path / "out" / "doc-examples.en.pdf")
