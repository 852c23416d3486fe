"""QR symbols of badge codes (qrcode with a fixed mask and version): they decode and verify."""

import pytest

from badges import qr
from badges.signing import sign_badge, verify_code

QUIET_ZONE = 4


def decoded(matrix: list[list[bool]]) -> list[str]:
    """What zxing-cpp reads from the matrix drawn as an image, eight pixels a module."""
    import zxingcpp
    from PIL import Image

    size = len(matrix) + 2 * QUIET_ZONE
    image = Image.new("L", (size, size), 255)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                image.putpixel((x + QUIET_ZONE, y + QUIET_ZONE), 0)
    return [
        result.text
        for result in zxingcpp.read_barcodes(image.resize((size * 8, size * 8), Image.NEAREST))
    ]


@pytest.mark.parametrize("first", range(1, 200, 25))
def test_symbols_of_signed_badge_codes_decode_and_verify(first):
    # Signatures make every code look random: with the mask fixed, each must still decode.
    for badge_id in range(first, first + 25):
        code = sign_badge(badge_id, 1 + badge_id % 3)

        texts = decoded(qr.qr_matrix(code))

        assert texts == [code]
        assert verify_code(texts[0]).badge_id == badge_id


def test_badge_codes_make_version_5_symbols():
    # 37 modules across the 34 mm square of the badge.
    assert len(qr.qr_matrix(sign_badge(1, 1))) == 37


def test_badge_code_symbols_are_the_size_qrcode_would_fit_them_to():
    import qrcode

    code = sign_badge(7, 1)
    fitted = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=qr.MASK_PATTERN
    )
    fitted.add_data(code)
    fitted.make(fit=True)

    assert qr.qr_matrix(code) == fitted.get_matrix()


def test_other_text_gets_a_symbol_of_its_size():
    text = "https://example.org/badge?id=42"

    matrix = qr.qr_matrix(text)

    assert decoded(matrix) == [text]
