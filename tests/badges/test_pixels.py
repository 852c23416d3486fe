"""Badge pages pixel for pixel against the reference images (see tests/badges/pixels.py)."""

import pytest

from badges.layout import LAYOUT_A4_4UP, LAYOUT_A6
from tests.badges import pixels


@pytest.mark.parametrize("layout_name", [LAYOUT_A6, LAYOUT_A4_4UP])
def test_badge_pages_equal_the_reference_images_outside_the_qr_squares(layout_name):
    references = pixels.reference_images(layout_name)

    images = pixels.page_images(pixels.render(layout_name))

    assert len(images) == len(references) == {LAYOUT_A6: 10, LAYOUT_A4_4UP: 3}[layout_name]
    differences = [
        pixels.different_pixels(pixels.without_qr(image, layout_name), reference)
        for image, reference in zip(images, references, strict=True)
    ]
    assert differences == [0] * len(references)


def test_the_comparison_sees_one_character_changed():
    # What the test above relies on: a change as small as a full stop changes pixels.
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
