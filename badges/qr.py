"""QR codes of badge codes: the symbol made by qrcode, drawn as vector rectangles.

The mask pattern is fixed with qrcode's ``mask_pattern`` argument: letting qrcode choose
makes and scores the symbol once per mask, eight times over, for a symbol every decoder
reads whatever its mask. Pattern 2 is the one qrcode's own penalty rules rate best most
often for badge codes (random base32 text). The tests decode the symbols with zxing-cpp.
"""

import re

MASK_PATTERN = 2

_DARK = re.compile(b"\x01+")


def qr_matrix(text: str) -> list[list[bool]]:
    """The symbol's modules (rows of booleans, True for dark), without a quiet zone."""
    import qrcode

    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=MASK_PATTERN
    )
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def module_runs(matrix: list[list[bool]]) -> list[tuple[int, int, int]]:
    """Horizontal runs of dark modules as (column, row, length): one rectangle each."""
    runs = []
    for y, row in enumerate(matrix):
        # A row of booleans as bytes 0 and 1, so that the regular expression finds the runs.
        runs.extend(
            (match.start(), y, match.end() - match.start()) for match in _DARK.finditer(bytes(row))
        )
    return runs


def pdf_operators(text: str, left: float, top: float, size: float) -> bytes:
    """PDF operators filling the dark modules of ``text``'s QR code into a square.

    The square's top-left corner is (``left``, ``top``) and its side ``size``, in a user
    space whose y axis points up (PDF's default); the quiet zone is the caller's margin
    around it. The rectangles are in module units, rows downwards, placed by one
    transformation.
    """
    matrix = qr_matrix(text)
    module = size / len(matrix)
    rectangles = b"\n".join(b"%d %d %d 1 re" % run for run in module_runs(matrix))
    return b"q 0 0 0 rg %.4f 0 0 %.4f %.3f %.3f cm\n%s\nf Q" % (
        module,
        -module,
        left,
        top,
        rectangles,
    )
