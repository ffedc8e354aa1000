"""Lean PDFs: what a PDF embeds is no more than the page needs."""
from __future__ import annotations

import io
import math
import shutil
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from handouts import content
from handouts.render import styles
from handouts.render.document import render

REPO = Path(__file__).resolve().parent.parent


def embedded_images(data: bytes) -> list[tuple[int, int]]:
    """(width, height) in pixels of each image the first page draws."""
    xobjects = PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/XObject"]
    return [(int(image["/Width"]), int(image["/Height"])) for image in
            (reference.get_object() for reference in xobjects.values())]


@pytest.mark.parametrize("pixels", [(1200, 1200), (1800, 600), (60, 60)])
def test_a_logo_is_embedded_with_no_more_pixels_than_print_sharp_and_a_small_one_is_not_enlarged(tmp_path, pixels):
    image = Image.new("RGBA", pixels, (31, 78, 121, 255))
    image.paste((255, 255, 255, 0), (pixels[0] // 4, pixels[1] // 4, pixels[0] // 2, pixels[1] // 2))
    image.save(tmp_path / "logo.png")
    (tmp_path / "clinic.yaml").write_text("name: Test Clinic\nlogo: logo.png\n", encoding="utf-8")
    clinic = content.load_clinic(tmp_path / "clinic.yaml")
    handout = content.load_handout(REPO / "content" / "kyphoplasty-before.yaml")
    width = min(styles.LOGO_HEIGHT * pixels[0] / pixels[1], styles.LOGO_MAX_WIDTH)
    sharp = math.ceil(width / 72 * styles.LOGO_DPI)
    assert embedded_images(render(handout, clinic).data)[0][0] == min(pixels[0], sharp)


def test_a_logo_file_replaced_during_a_run_is_read_again(tmp_path):
    folder = tmp_path / "clinic"
    folder.mkdir()
    shutil.copy(REPO / "content" / "riverside-logo.png", folder / "logo.png")
    (folder / "clinic.yaml").write_text("name: Test Clinic\nlogo: logo.png\n", encoding="utf-8")
    handout = content.load_handout(REPO / "content" / "kyphoplasty-before.yaml")
    first = embedded_images(render(handout, content.load_clinic(folder / "clinic.yaml")).data)
    Image.new("RGB", (40, 20), "red").save(folder / "logo.png")
    second = embedded_images(render(handout, content.load_clinic(folder / "clinic.yaml")).data)
    assert first != second and second[0] == (40, 20)
