"""QR codes of badge codes: the symbol made by qrcode, drawn into the badge's PDF page.

Two of qrcode's documented arguments spare it work it would otherwise do for every badge:

- ``mask_pattern``: letting qrcode choose the mask makes and scores the symbol eight times,
  for a symbol every decoder reads whatever its mask. Pattern 2 is the one qrcode's own
  penalty rules rate best most often for badge codes (random base32 text);
- ``version``: every badge code is 116 characters of base32, which a version 5 symbol
  holds at level M, so qrcode need not search for the size (other text still gets the
  size it needs).

The symbol is drawn as a stencil (a one-bit image mask, filled black, never interpolated):
a few hundred bytes a badge, where one rectangle per run of dark modules took several
kilobytes of content stream to write and compress. The tests decode the symbols with
zxing-cpp.
"""

import binascii
import re

MASK_PATTERN = 2
BADGE_CODE = re.compile(r"[A-Z2-7]{116}")
BADGE_CODE_VERSION = 5


def qr_matrix(text: str) -> list[list[bool]]:
    """The symbol's modules (rows of booleans, True for dark), without a quiet zone."""
    import qrcode

    badge_code = BADGE_CODE.fullmatch(text) is not None
    code = qrcode.QRCode(
        version=BADGE_CODE_VERSION if badge_code else None,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=0,
        mask_pattern=MASK_PATTERN,
    )
    code.add_data(text)
    code.make(fit=not badge_code)
    return code.get_matrix()


def pdf_operators(text: str, left: float, top: float, size: float) -> bytes:
    """PDF operators painting ``text``'s QR code, dark modules black, into a square.

    The square's top-left corner is (``left``, ``top``) and its side ``size``, in a user
    space whose y axis points up (PDF's default); the quiet zone is the caller's margin
    around it, left as it is.
    """
    matrix = qr_matrix(text)
    count = len(matrix)
    row_bytes = -(-count // 8)
    padding = 8 * row_bytes - count
    # One bit a module, rows padded to whole bytes; 1 is dark (the Decode array inverts the
    # image mask's default, where 0 paints).
    samples = b"".join(
        (int("".join("1" if dark else "0" for dark in row), 2) << padding).to_bytes(
            row_bytes, "big"
        )
        for row in matrix
    )
    operators = b"q 0 0 0 rg %.4f 0 0 %.4f %.3f %.3f cm\n" % (size, size, left, top - size)
    image = b"BI /IM true /W %d /H %d /BPC 1 /D [1 0] /F /AHx ID\n%s>\nEI Q" % (
        count,
        count,
        binascii.hexlify(samples),
    )
    return operators + image
