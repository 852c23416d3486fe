"""QR module matrices for badge codes, and their drawing as vector rectangles.

`qrcode` builds the matrix. Its own mask selection builds the symbol eight times in pure
Python and scores each one (about 6 ms a code, as much as a third of a bulk badge's budget).
:func:`qr_matrix` picks exactly the mask qrcode would pick, at a fraction of the cost: it
builds the symbol once, derives the seven other masked symbols with integer XORs on bit
rows, scores them with qrcode's own penalty rules (re-implemented on bit rows and strings,
see ``tests/badges/test_qr.py``, which checks the result against ``qrcode`` itself), and lets
qrcode write the format information of the winner.

segno was measured as an alternative (5.2 ms against qrcode's 6.3 ms a code with automatic
mask selection), not enough to justify a second library; see docs/benchmarks.md.
"""

import functools
import itertools
import re

# Our codes are 116 characters of base32, QR alphanumeric mode: version 5 at level M.
VERSION = 5

_RUNS = re.compile(r"0{5,}|1{5,}")
_FINDER_LIKE = ("10111010000", "00001011101")


@functools.cache
def _layout(version: int) -> tuple:
    """Per-version constants: function-module bits, data-module bits and mask bits by row."""
    import qrcode
    from qrcode import util

    class Skeleton(qrcode.QRCode):
        def map_data(self, data, mask_pattern):  # leave data modules unset (None)
            pass

    skeleton = Skeleton(version=version, error_correction=qrcode.constants.ERROR_CORRECT_M)
    skeleton.add_data("A")
    # test=True, as qrcode's own mask selection: format information all light.
    skeleton.makeImpl(True, 0)
    modules = skeleton.modules
    size = len(modules)
    function_rows, data_rows = [], []
    for row in modules:
        function_bits = data_bits = 0
        for column, module in enumerate(row):
            if module is None:
                data_bits |= 1 << column
            elif module:
                function_bits |= 1 << column
        function_rows.append(function_bits)
        data_rows.append(data_bits)
    mask_rows = []
    for pattern in range(8):
        mask = util.mask_func(pattern)
        mask_rows.append(
            tuple(
                sum(1 << c for c in range(size) if mask(r, c)) & data_rows[r] for r in range(size)
            )
        )
    return size, tuple(function_rows), tuple(data_rows), tuple(mask_rows)


def _penalty(rows: list[int], size: int) -> int:
    """qrcode.util.lost_point, computed on bit rows (column c is bit c).

    Rules 1 and 3 look at each row and column as a string of 0 and 1; the order of the
    modules in a string does not matter, as both rules are symmetric.
    """
    lines = [format(row, f"0{size}b") for row in rows]
    lines += ["".join(column) for column in zip(*lines, strict=True)]
    text = "|".join(lines)
    # Rule 1: runs of five or more modules of one colour, rows and columns.
    runs = _RUNS.findall(text)
    points = sum(map(len, runs)) - 2 * len(runs)
    # Rule 2: 2×2 blocks of one colour (3 points each).
    full = (1 << (size - 1)) - 1
    for upper, lower in itertools.pairwise(rows):
        same_vertically = ~(upper ^ lower)
        same_horizontally = ~(upper ^ (upper >> 1))
        blocks = same_vertically & (same_vertically >> 1) & same_horizontally & full
        points += 3 * blocks.bit_count()
    # Rule 3: finder-like 1:1:3:1:1 patterns with four light modules on one side (40 each).
    for pattern in _FINDER_LIKE:
        found = text.find(pattern)
        while found != -1:
            points += 40
            found = text.find(pattern, found + 1)
    # Rule 4: departure of the dark proportion from 50 %, 10 points per 5 %.
    dark = sum(row.bit_count() for row in rows)
    points += int(abs(dark / size**2 * 100 - 50) / 5) * 10
    return points


def qr_matrix(text: str) -> list[list[bool]]:
    """The module matrix (rows of booleans, no quiet zone) qrcode makes for ``text``."""
    import qrcode

    code = qrcode.QRCode(
        version=VERSION, error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=0
    )
    code.add_data(text)
    code.make(fit=False)
    size, function_rows, data_rows, mask_rows = _layout(VERSION)
    # Undo mask 0 on the data modules: what every mask is applied to.
    raw = [
        (int("".join(map(str, map(int, reversed(row)))), 2) & data_rows[r]) ^ mask_rows[0][r]
        for r, row in enumerate(code.modules)
    ]
    best_pattern, best_points = 0, None
    for pattern in range(8):
        rows = [function_rows[r] | (raw[r] ^ mask_rows[pattern][r]) for r in range(size)]
        points = _penalty(rows, size)
        if best_points is None or points < best_points:
            best_pattern, best_points, best_rows = pattern, points, rows
    code.modules = [[bit == "1" for bit in reversed(format(row, f"0{size}b"))] for row in best_rows]
    code.setup_type_info(False, best_pattern)  # format information and dark module
    return code.modules


def module_runs(matrix: list[list[bool]]) -> list[tuple[int, int, int]]:
    """Horizontal runs of dark modules as (column, row, length): one rectangle each."""
    runs = []
    for y, row in enumerate(matrix):
        x, size = 0, len(row)
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append((start, y, x - start))
            else:
                x += 1
    return runs


def pdf_operators(matrix: list[list[bool]], x: float, y: float, size: float) -> bytes:
    """PDF path operators filling the dark modules into the square (x, y, size).

    Coordinates are in the page's current user space, y pointing down (as WeasyPrint leaves
    it); the quiet zone is the caller's margin around the square.
    """
    module = size / len(matrix)
    parts = [b"q 0 0 0 rg"]
    for column, row, length in module_runs(matrix):
        parts.append(
            b"%.3f %.3f %.3f %.3f re"
            % (x + column * module, y + row * module, length * module, module)
        )
    parts.append(b"f Q")
    return b"\n".join(parts)


def svg(matrix: list[list[bool]], *, quiet_zone: int = 4) -> str:
    """The matrix as a standalone SVG (one path), for screens and tests."""
    size = len(matrix) + 2 * quiet_zone
    path = "".join(
        f"M{column + quiet_zone} {row + quiet_zone}h{length}v1h-{length}z"
        for column, row, length in module_runs(matrix)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{path}"/></svg>'
    )
