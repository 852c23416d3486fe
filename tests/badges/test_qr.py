import base64
import os

import pytest

from badges import qr
from badges.layout import fit_text, text_width


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


def test_text_width_counts_chinese_characters_as_full_width():
    assert text_width("陳大文") == 3.0


def test_fit_text_keeps_a_short_name_on_one_line_at_the_largest_size():
    fitted = fit_text("陳大文", largest=32, smallest_single=18)

    assert (fitted.lines, fitted.size) == (("陳大文",), 32.0)


def test_fit_text_splits_a_forty_character_name_into_two_balanced_lines():
    fitted = fit_text("Maria Fernanda dos Santos Conceição Lima", largest=26, smallest_single=18)

    assert fitted.lines == ("Maria Fernanda dos", "Santos Conceição Lima")
    assert 18 <= fitted.size < 26


def test_fit_text_splits_a_long_word_in_the_middle_and_shrinks_it_to_fit():
    fitted = fit_text("W" * 60, largest=26, smallest_single=18)

    assert fitted.lines == ("W" * 30, "W" * 30)
    assert fitted.size * text_width("W" * 30) <= 89 * 72 / 25.4


def test_qr_matrix_of_other_text_is_qrcodes_own():
    text = "https://example.org/badge?id=42"

    assert qr.qr_matrix(text) == qrcode_reference(text).modules


def test_qr_matrix_of_a_code_with_digit_runs_is_qrcodes_own():
    code = "2345" + "A" * 56 + "234567" * 9 + "B" * 2  # 116 characters, runs of digits

    assert len(code) == 116
    assert qr.qr_matrix(code) == qrcode_reference(code).modules
