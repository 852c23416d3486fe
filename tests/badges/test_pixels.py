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


def shade(image, square: tuple, column: int, row: int) -> str:
    """The pixel in the middle of a module of a 37-module QR square, by column and row
    (negative ones counted from the right and bottom edges, -1 the last)."""
    left, top, right, bottom = square
    module = (right - left) / 37
    x = (left if column >= 0 else right) + (column + 0.5) * module
    y = (top if row >= 0 else bottom) + (row + 0.5) * module
    names = {(0, 0, 0): "dark", (255, 255, 255): "light"}
    return names.get(image.getpixel((int(x), int(y))), "grey")


@pytest.mark.parametrize("layout_name", [LAYOUT_A6, LAYOUT_A4_4UP])
def test_each_qr_symbol_fills_its_square_with_a_light_quiet_zone_around(layout_name):
    image = pixels.page_images(pixels.render(layout_name))[0]

    margin = pixels.QR_MARGIN
    for left, top, right, bottom in pixels.qr_boxes(layout_name):
        square = (left + margin, top + margin, right - margin, bottom - margin)
        # A finder pattern in three corners (dark edge, light ring, dark centre), and in the
        # right three: top-left, top-right and bottom-left.
        for column, row in ((0, 0), (-7, 0), (0, -7)):
            assert [
                shade(image, square, column + offset, row + offset) for offset in (0, 1, 3)
            ] == ["dark", "light", "dark"]
        # The quiet zone around the square stays light.
        around = [(-38, 3), (3, -38), (37, 3), (3, 37)]
        assert {shade(image, square, column, row) for column, row in around} == {"light"}
