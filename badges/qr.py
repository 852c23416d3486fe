"""QR module matrices for badge codes, and their drawing as vector rectangles.

Every badge code is 116 characters of base32: a version 5 QR code at level M in
alphanumeric mode. ``qrcode`` makes that matrix in about 6 ms (it builds and scores the
symbol once per mask, in pure Python), a third of a bulk badge's budget; segno was measured
at 5.2 ms, no better (docs/benchmarks.md). :func:`qr_matrix` makes *exactly qrcode's
matrix* (tests/badges/test_qr.py compares them on random codes) in about a tenth of that:

- the layout of the symbol (function patterns, the order in which data modules are filled,
  the eight mask patterns, the format information of each) is taken once from qrcode
  itself and cached;
- codewords (alphanumeric segment, padding, Reed-Solomon error correction, interleaving)
  are computed with table-driven arithmetic, and placed four bits at a time from tables;
- the eight masked symbols are scored with qrcode's own penalty rules on whole-symbol bit
  sets: every row (then every column) of the symbol is one stretch of a Python integer,
  with a zero bit between lines, so each rule is a few shifts, ANDs and bit counts;
- the winning symbol's runs of dark modules, which the badge draws, are read off that
  integer written out in binary (:func:`qr_runs`).

Any other text goes through qrcode unchanged.
"""

import functools
import re

VERSION = 5  # 116 base32 characters, alphanumeric mode, level M
_FAST = re.compile(r"[A-Z2-7]{116}")
_ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_FINDER_LIKE = ("10111010000", "00001011101")  # qrcode's rule 3, module k is position k


def _qrcode(text: str, **options):
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, **options)
    code.add_data(text)
    return code


# --- Galois field arithmetic for Reed-Solomon (GF(256), polynomial 0x11d) -------------------

_EXP = [0] * 512
_LOG = [0] * 256
_value = 1
for _power in range(255):
    _EXP[_power] = _value
    _LOG[_value] = _power
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D
for _power in range(255, 512):
    _EXP[_power] = _EXP[_power - 255]


@functools.cache
def _generator_logs(count: int) -> tuple[int, ...]:
    """Logs of the coefficients (after the leading 1) of prod(x - a^i), i < count."""
    polynomial = [1]
    for i in range(count):
        product = [0] * (len(polynomial) + 1)
        for j, coefficient in enumerate(polynomial):
            product[j] ^= coefficient
            if coefficient:
                product[j + 1] ^= _EXP[_LOG[coefficient] + i]
        polynomial = product
    return tuple(_LOG[coefficient] for coefficient in polynomial[1:])


@functools.cache
def _generator_rows(count: int) -> tuple[int, ...]:
    """For each factor f, f times the generator's coefficients, as one big-endian integer."""
    generator = _generator_logs(count)
    rows = [0]
    for factor in range(1, 256):
        log = _LOG[factor]
        rows.append(
            int.from_bytes(bytes(_EXP[log + generator_log] for generator_log in generator), "big")
        )
    return tuple(rows)


def _error_correction(data: list[int], count: int) -> list[int]:
    """The remainder of data(x)·x^count divided by the generator: long division, one byte
    per step, the remainder's ``count`` bytes held as one integer."""
    rows = _generator_rows(count)
    shift, mask = 8 * (count - 1), (1 << 8 * count) - 1
    remainder = 0
    for byte in data:
        factor = byte ^ (remainder >> shift)
        remainder = ((remainder << 8) & mask) ^ rows[factor]
    return list(remainder.to_bytes(count, "big"))


# --- Symbol layout, taken once from qrcode --------------------------------------------------


class _Layout:
    """Per-version constants, as bit sets over the symbol (see the module docstring)."""

    def __init__(self, version: int) -> None:
        import qrcode
        from qrcode import base, util

        class Skeleton(qrcode.QRCode):
            def map_data(self, data, mask_pattern):  # leave data modules unset (None)
                pass

        skeleton = Skeleton(version=version, error_correction=qrcode.constants.ERROR_CORRECT_M)
        skeleton.add_data("A")
        skeleton.makeImpl(True, 0)  # as qrcode scores masks: format information all light
        modules = skeleton.modules
        self.size = size = len(modules)
        self.stride = stride = size + 1
        self.blocks = [
            (block.data_count, block.total_count - block.data_count)
            for block in base.rs_blocks(version, qrcode.constants.ERROR_CORRECT_M)
        ]
        self.capacity_bits = 8 * sum(data for data, _ in self.blocks)

        def row_major(row: int, column: int) -> int:
            return row * stride + column

        def column_major(row: int, column: int) -> int:
            return column * stride + row

        self.function = self.function_t = self.data = self.data_t = 0
        for row, line in enumerate(modules):
            for column, module in enumerate(line):
                if module is None:
                    self.data |= 1 << row_major(row, column)
                    self.data_t |= 1 << column_major(row, column)
                elif module:
                    self.function |= 1 << row_major(row, column)
                    self.function_t |= 1 << column_major(row, column)
        self.masks, self.masks_t = [], []
        for pattern in range(8):
            mask_function = util.mask_func(pattern)
            bits = bits_t = 0
            for row, line in enumerate(modules):
                for column, module in enumerate(line):
                    if module is None and mask_function(row, column):
                        bits |= 1 << row_major(row, column)
                        bits_t |= 1 << column_major(row, column)
            self.masks.append(bits)
            self.masks_t.append(bits_t)
        # The order qrcode.QRCode.map_data fills data modules in: two-module columns from
        # the right, skipping the vertical timing pattern, upwards then downwards.
        order = []
        row, step = size - 1, -1
        for column in range(size - 1, 0, -2):
            if column <= 6:
                column -= 1
            while True:
                for c in (column, column - 1):
                    if modules[row][c] is None:
                        order.append((row, c))
                row += step
                if row < 0 or row >= size:
                    row -= step
                    step = -step
                    break
        # For each codeword, for each of its bits (most significant first): byte, bit value.
        self.placement = [
            [
                (position >> 3, 1 << (position & 7))
                for position in (row_major(*order[8 * index + bit]) for bit in range(8))
            ]
            for index in range(len(order) // 8)
        ]
        # The same as tables: for each half codeword (4 bits, most significant half first),
        # the modules each of its 16 values darkens, as one bit set over the symbol.
        self.nibbles = []
        for index in range(len(order) // 8):
            for half in range(2):
                bits = [1 << row_major(*order[8 * index + 4 * half + bit]) for bit in range(4)]
                self.nibbles.append(
                    tuple(
                        sum(bits[bit] for bit in range(4) if value & (0x8 >> bit))
                        for value in range(16)
                    )
                )
        # For each mask pattern, the dark modules of the format information (and the dark
        # module), as qrcode.QRCode.setup_type_info writes them.
        self.format_dark = []
        for pattern in range(8):
            code = qrcode.QRCode(version=version, error_correction=qrcode.constants.ERROR_CORRECT_M)
            code.modules_count = size
            code.modules = [[False] * size for _ in range(size)]
            code.setup_type_info(False, pattern)
            self.format_dark.append(
                sum(
                    1 << row_major(row, column)
                    for row, line in enumerate(code.modules)
                    for column, module in enumerate(line)
                    if module
                )
            )
        self.lines = (1 << (stride * size)) - 1
        for line in range(size):
            self.lines &= ~(1 << (line * stride + size))  # the guard bit after each line
        self.bytes = (stride * size + 7) // 8
        # Top-left corners of 2x2 blocks; starts of 11-module windows.
        self.blocks_2x2 = self.windows = 0
        for line in range(size):
            for column in range(size):
                if line < size - 1 and column < size - 1:
                    self.blocks_2x2 |= 1 << row_major(line, column)
                if column <= size - 11:
                    self.windows |= 1 << row_major(line, column)


@functools.cache
def _layout(version: int) -> _Layout:
    return _Layout(version)


def _codewords(text: str, layout: _Layout) -> list[int]:
    """Data and error correction codewords, interleaved, as qrcode.util.create_data."""
    bits = 0b0010  # alphanumeric mode
    length = 4
    bits = (bits << 9) | len(text)
    length += 9
    values = [_ALPHANUMERIC.index(character) for character in text]
    for i in range(0, len(values) - 1, 2):
        bits = (bits << 11) | (values[i] * 45 + values[i + 1])
        length += 11
    if len(values) % 2:
        bits = (bits << 6) | values[-1]
        length += 6
    terminator = min(layout.capacity_bits - length, 4)
    bits <<= terminator
    length += terminator
    if length % 8:
        bits <<= 8 - length % 8
        length += 8 - length % 8
    data = list(bits.to_bytes(length // 8, "big"))
    for i in range((layout.capacity_bits - length) // 8):
        data.append(0xEC if i % 2 == 0 else 0x11)
    blocks, error_blocks, offset = [], [], 0
    for data_count, error_count in layout.blocks:
        block = data[offset : offset + data_count]
        offset += data_count
        blocks.append(block)
        error_blocks.append(_error_correction(block, error_count))
    interleaved = []
    for group in (blocks, error_blocks):
        for i in range(max(len(block) for block in group)):
            interleaved.extend(block[i] for block in group if i < len(block))
    return interleaved


def _transposed(rows: int, layout: _Layout) -> int:
    size, stride = layout.size, layout.stride
    text = format(rows, f"0{stride * size}b")
    # Line r is text[-(r + 1) * stride : -r * stride]: its column c is character -(c + 1).
    lines = [
        text[len(text) - (row + 1) * stride + 1 : len(text) - row * stride] for row in range(size)
    ]
    # lines[r][i] is module (r, size - 1 - i), so columns[i] is column size - 1 - i, top row
    # first. Packed, the line of column c holds row r at bit r, after a zero guard bit.
    columns = ["".join(bits) for bits in zip(*lines, strict=True)]
    return int("".join("0" + column[::-1] for column in columns), 2)


def _penalty(rows: int, columns: int, layout: _Layout) -> int:
    """qrcode.util.lost_point on bit sets; ``rows`` and ``columns`` are the same symbol."""
    lines, stride = layout.lines, layout.stride
    points = 0
    for bits in (rows, columns):
        light = ~bits & lines
        for colour in (bits, light):
            # Rule 1: a run of n >= 5 modules of one colour scores n - 2: n - 4 windows of
            # five, plus 2 for the run.
            windows = colour & colour >> 1 & colour >> 2 & colour >> 3 & colour >> 4
            points += windows.bit_count() + 2 * (windows & ~(windows >> 1)).bit_count()
        # Rule 3: 40 for each finder-like window, 1:1:3:1:1 with four light modules.
        for pattern in _FINDER_LIKE:
            matches = layout.windows
            for offset, module in enumerate(pattern):
                matches &= (bits if module == "1" else light) >> offset
            points += 40 * matches.bit_count()
    # Rule 2: 3 for each 2x2 block of one colour.
    same_down = ~(rows ^ (rows >> stride))
    same_right = ~(rows ^ (rows >> 1))
    blocks = same_down & (same_down >> 1) & same_right & layout.blocks_2x2
    points += 3 * blocks.bit_count()
    # Rule 4: 10 for each 5 % the dark proportion departs from 50 %.
    points += int(abs(rows.bit_count() / layout.size**2 * 100 - 50) / 5) * 10
    return points


def _symbol(text: str) -> tuple[int, "_Layout"] | None:
    """The symbol qrcode makes for a badge code, as a bit set of rows (see _Layout).

    None for any other text (not 116 characters of base32 in one alphanumeric segment).
    """
    from qrcode import util

    # As qrcode.QRCode.add_data (optimize=20) splits it: one alphanumeric segment, unless a
    # run of 20 digits or more would be cheaper in numeric mode.
    if not _FAST.fullmatch(text):
        return None
    chunks = list(util.optimal_data_chunks(text, minimum=20))
    if len(chunks) != 1 or chunks[0].mode != util.MODE_ALPHA_NUM:
        return None
    layout = _layout(VERSION)
    raw = 0
    nibbles = layout.nibbles
    for index, codeword in enumerate(_codewords(text, layout)):
        raw |= nibbles[2 * index][codeword >> 4] | nibbles[2 * index + 1][codeword & 15]
    raw_t = _transposed(raw, layout)
    best = None
    for pattern in range(8):
        rows = layout.function | (raw ^ layout.masks[pattern]) & layout.data
        columns = layout.function_t | (raw_t ^ layout.masks_t[pattern]) & layout.data_t
        points = _penalty(rows, columns, layout)
        if best is None or points < best[0]:
            best = (points, pattern, rows)
    _, pattern, rows = best
    return rows | layout.format_dark[pattern], layout


def qr_matrix(text: str) -> list[list[bool]]:
    """The module matrix (rows of booleans, no quiet zone) qrcode makes for ``text``."""
    symbol = _symbol(text)
    if symbol is None:
        code = _qrcode(text)
        code.make(fit=True)
        return code.modules
    rows, layout = symbol
    size, stride = layout.size, layout.stride
    return [
        [
            bit == "1"
            for bit in reversed(format((rows >> (row * stride)) & ((1 << size) - 1), f"0{size}b"))
        ]
        for row in range(size)
    ]


def qr_runs(text: str) -> tuple[list[tuple[int, int, int]], int]:
    """module_runs of qr_matrix(text), and the symbol's size in modules."""
    symbol = _symbol(text)
    if symbol is None:
        matrix = qr_matrix(text)
        return module_runs(matrix), len(matrix)
    rows, layout = symbol
    stride = layout.stride
    # Every line of the bit set, first module first; the zero guard bit ends each run.
    line = format(rows, f"0{stride * layout.size}b")[::-1].encode()
    runs = []
    for match in _DARK_BITS.finditer(line):
        row, column = divmod(match.start(), stride)
        runs.append((column, row, match.end() - match.start()))
    return runs, layout.size


def module_runs(matrix: list[list[bool]]) -> list[tuple[int, int, int]]:
    """Horizontal runs of dark modules as (column, row, length): one rectangle each."""
    runs = []
    for y, row in enumerate(matrix):
        # A row of booleans as bytes 0 and 1, so that the regular expression finds the runs.
        line = bytes(row)
        runs.extend(
            (match.start(), y, match.end() - match.start()) for match in _DARK.finditer(line)
        )
    return runs


_DARK = re.compile(b"\x01+")
_DARK_BITS = re.compile(b"1+")


def pdf_operators(text: str, x: float, y: float, size: float) -> bytes:
    """PDF path operators filling the dark modules of ``text``'s QR code into the square
    (x, y, size).

    Coordinates are in the page's current user space, y pointing down (as WeasyPrint leaves
    it); the quiet zone is the caller's margin around the square. The rectangles are in
    module units, scaled by one transformation.
    """
    runs, count = qr_runs(text)
    module = size / count
    rectangles = b"\n".join(b"%d %d %d 1 re" % run for run in runs)
    return b"q 0 0 0 rg %.4f 0 0 %.4f %.3f %.3f cm\n%s\nf Q" % (module, module, x, y, rectangles)


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
