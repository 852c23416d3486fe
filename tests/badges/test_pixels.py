"""Badge pages pixel for pixel against the reference images (see tests/badges/pixels.py)."""

import io

import pytest

from badges import pool
from badges.layout import LAYOUT_A4_4UP, LAYOUT_A6
from badges.printing import PrintFile
from tests.badges import pixels

PAGES = {LAYOUT_A6: 10, LAYOUT_A4_4UP: 3}


@pytest.mark.parametrize("names_adapter", [True, False], ids=["names adapter", "public API"])
@pytest.mark.parametrize("layout_name", [LAYOUT_A6, LAYOUT_A4_4UP])
def test_badge_pages_equal_the_reference_images_outside_the_qr_squares(layout_name, names_adapter):
    content = pixels.render(layout_name, names_adapter=names_adapter)

    differences = pixels.differences_from_references(content, layout_name)

    assert differences == [0] * PAGES[layout_name]


@pytest.mark.parametrize("layout_name", [LAYOUT_A6, LAYOUT_A4_4UP])
def test_bulk_file_pages_equal_the_reference_images(layout_name):
    # As render_print_file puts a file together: chunks rendered apart, pages appended.
    chunk_size = {LAYOUT_A6: 3, LAYOUT_A4_4UP: 4}[layout_name]
    print_file = PrintFile()
    for start in range(0, len(pixels.FACES), chunk_size):
        faces = pixels.FACES[start : start + chunk_size]
        print_file.add(pool.render_chunk(pixels.SUMMIT, faces, layout_name))
    target = io.BytesIO()
    print_file.write(target, title="Badges")

    differences = pixels.differences_from_references(target.getvalue(), layout_name)

    assert differences == [0] * PAGES[layout_name]


def test_the_comparison_sees_one_character_changed():
    # What the tests above rely on: a change as small as a full stop changes pixels.
    from dataclasses import replace

    from badges.rendering import render_badges

    faces = [replace(pixels.FACES[0], job_title="处长."), *pixels.FACES[1:3]]
    images = pixels.page_images(render_badges(pixels.SUMMIT, faces, layout_name=LAYOUT_A6))

    references = pixels.reference_images(LAYOUT_A6)[:3]
    differences = [
        pixels.different_pixels(pixels.without_qr(image, LAYOUT_A6), reference)
        for image, reference in zip(images, references, strict=True)
    ]
    assert differences[0] > 0
    assert differences[1:] == [0, 0]
