"""Advance widths of one face of an OpenType collection, read straight from the file.

badges/layout.py sizes names from the badge font's advance widths. Reading them with
fontTools costs every process that renders badges about 50 MB (glyph names, metrics tuples
and the cycles of a TTFont, most of it kept by the allocator afterwards) and 0.15 s; the
three tables needed here ('name', 'cmap' format 12, 'hmtx') take a few lines of ``struct``.
"""

import struct
from pathlib import Path

PLATFORM_WINDOWS, FULL_NAME = 3, 4
UNICODE_FULL = 10  # Windows encoding of the format 12 subtable (all of Unicode)


def advances(path: str | Path, full_name: str) -> dict[int, float] | None:
    """Advance widths in em by code point of the face named ``full_name``, or None.

    None when the file holds no such face, or the face has no format 12 character map.
    """
    data = Path(path).read_bytes()
    if data[:4] == b"ttcf":
        (count,) = struct.unpack_from(">I", data, 8)
        faces = struct.unpack_from(f">{count}I", data, 12)
    else:
        faces = (0,)
    for offset in faces:
        tables = _tables(data, offset)
        if _full_name(data, tables["name"]) == full_name:
            return _advances(data, tables)
    return None


def _tables(data: bytes, offset: int) -> dict[str, int]:
    (count,) = struct.unpack_from(">H", data, offset + 4)
    tables = {}
    for index in range(count):
        tag, _, start, _ = struct.unpack_from(">4sIII", data, offset + 12 + 16 * index)
        tables[tag.decode("latin-1")] = start
    return tables


def _full_name(data: bytes, start: int) -> str | None:
    _, count, strings = struct.unpack_from(">HHH", data, start)
    for index in range(count):
        platform, _, _, name_id, length, offset = struct.unpack_from(
            ">6H", data, start + 6 + 12 * index
        )
        if platform == PLATFORM_WINDOWS and name_id == FULL_NAME:
            position = start + strings + offset
            return data[position : position + length].decode("utf-16-be")
    return None


def _advances(data: bytes, tables: dict[str, int]) -> dict[int, float] | None:
    (units,) = struct.unpack_from(">H", data, tables["head"] + 18)
    (metrics,) = struct.unpack_from(">H", data, tables["hhea"] + 34)
    # Glyphs past the last long metric share its advance.
    widths = struct.unpack_from(f">{2 * metrics}H", data, tables["hmtx"])[::2]
    # Few distinct values (most CJK glyphs are 1 em): one float object each.
    ems = {width: width / units for width in set(widths)}
    cmap = tables["cmap"]
    _, count = struct.unpack_from(">HH", data, cmap)
    for index in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * index)
        subtable = cmap + offset
        full = (platform, encoding) == (PLATFORM_WINDOWS, UNICODE_FULL)
        if full and struct.unpack_from(">H", data, subtable)[0] == 12:
            break
    else:
        return None
    (groups,) = struct.unpack_from(">I", data, subtable + 12)
    result = {}
    last = ems[widths[-1]]
    for group in range(groups):
        first, end, glyph = struct.unpack_from(">3I", data, subtable + 16 + 12 * group)
        for point in range(first, end + 1):
            number = glyph + point - first
            result[point] = ems[widths[number]] if number < metrics else last
    return result
