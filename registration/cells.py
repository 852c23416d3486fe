"""What a spreadsheet cell may hold, for the CSV import and the CSV/XLSX exports.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return before one) as a formula: ``=cmd|' /C calc'!A0`` or ``=HYPERLINK(…)`` would
run on the organiser's computer when the export is opened, and even ``-2+3`` or a phone
number ``+852 6123 4567`` would show as something else than was typed. Exports write every
such cell as text (CSV: a leading apostrophe; XLSX: a text cell with the quote prefix); the
import refuses them, except phone numbers, which the phone check keeps to digits, spaces,
brackets and dashes after the plus. Only what a spreadsheet shows exactly as written is left
alone: a plain number (``-12.5``) or a lone dash.
"""

import re
import unicodedata

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SHOWN_AS_WRITTEN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?|-")

# Cells of several lines are fine in free-text columns; control characters are not anywhere.
MULTILINE_ALLOWED = "\n\r\t"
MULTILINE_FIELDS = frozenset({"dietary_notes", "accessibility_needs"})
# Zero-width (non-)joiners are format characters that some scripts and emoji need.
JOINERS = "\u200c\u200d"


def looks_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_STARTS) and not _SHOWN_AS_WRITTEN.fullmatch(value)


def neutralise(value: str) -> str:
    """The CSV cell for ``value``: a leading apostrophe makes a formula-like cell text."""
    return f"'{value}" if looks_like_formula(value) else value


def restore(value: str) -> str:
    """The value a CSV cell written by :func:`neutralise` stands for (an edited export
    imported again); any other cell as it is."""
    return value[1:] if value.startswith("'") and looks_like_formula(value[1:]) else value


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    """NUL, escape, bidi overrides and other invisible controls (Unicode category Cc/Cf)."""
    allowed = MULTILINE_ALLOWED if multiline else ""
    return any(
        unicodedata.category(char) in {"Cc", "Cf"} and char not in allowed + JOINERS
        for char in value
    )
