import base64
import os

import pytest

from badges import qr


def random_code() -> str:
    return base64.b32encode(os.urandom(72)).decode().rstrip("=")


def qrcode_reference(code: str):
    """qrcode's own symbol for ``code`` (level M, its own mask choice), to compare with."""
    import qrcode

    reference = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    reference.add_data(code)
    reference.make(fit=True)
    return reference


@pytest.mark.parametrize("attempt", range(40))
def test_qr_matrix_is_exactly_what_qrcode_makes_with_its_own_mask_choice(attempt):
    code = random_code()
    reference = qrcode_reference(code)

    assert qr.qr_matrix(code) == reference.modules
    assert reference.version == qr.VERSION


def test_qr_matrix_decodes_to_the_code():
    import zxingcpp
    from PIL import Image

    code = random_code()
    matrix = qr.qr_matrix(code)
    size = len(matrix) + 8
    image = Image.new("L", (size, size), 255)
    for column, row, length in qr.module_runs(matrix):
        for x in range(column, column + length):
            image.putpixel((x + 4, row + 4), 0)

    results = zxingcpp.read_barcodes(image.resize((size * 8, size * 8), Image.NEAREST))

    assert [result.text for result in results] == [code]


def test_module_runs_cover_exactly_the_dark_modules():
    matrix = qr.qr_matrix(random_code())

    covered = {
        (column + offset, row)
        for column, row, length in qr.module_runs(matrix)
        for offset in range(length)
    }

    dark = {(x, y) for y, line in enumerate(matrix) for x, module in enumerate(line) if module}
    assert covered == dark


@pytest.mark.parametrize("attempt", range(20))
def test_qr_runs_are_the_runs_of_qrcodes_own_matrix(attempt):
    code = random_code()
    reference = qrcode_reference(code)

    assert qr.qr_runs(code) == (qr.module_runs(reference.modules), len(reference.modules))


def test_qr_runs_of_other_text_are_the_runs_of_its_matrix():
    text = "https://example.org/badge?id=42"

    matrix = qr.qr_matrix(text)

    assert qr.qr_runs(text) == (qr.module_runs(matrix), len(matrix))


def test_qr_matrix_of_other_text_is_qrcodes_own():
    text = "https://example.org/badge?id=42"

    assert qr.qr_matrix(text) == qrcode_reference(text).modules


def test_qr_matrix_of_a_code_with_digit_runs_is_qrcodes_own():
    code = "2345" + "A" * 56 + "234567" * 9 + "B" * 2  # 116 characters, runs of digits

    assert len(code) == 116
    assert qr.qr_matrix(code) == qrcode_reference(code).modules
