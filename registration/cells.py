"""What a spreadsheet cell may hold, for the CSV import and the CSV/XLSX exports.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(``=cmd|' /C calc'!A0``, ``=HYPERLINK(…)``): a guest's name typed that way would run on the
organiser's computer when the export is opened. Exports write such cells as text, the import
refuses them. A phone number (``+852 6123 4567``) or a plain number stays as it is.
"""

import re
import unicodedata

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_LIKE = re.compile(r"[+\-]?[\d\s().+\-]*")

# Cells of several lines are fine in free-text columns; control characters are not anywhere.
MULTILINE_ALLOWED = "\n\r\t"
MULTILINE_FIELDS = frozenset({"dietary_notes", "accessibility_needs"})
# Zero-width (non-)joiners are format characters that some scripts and emoji need.
JOINERS = "\u200c\u200d"


def looks_like_formula(value: str) -> bool:
    if not value or not value.startswith(FORMULA_STARTS):
        return False
    return not (value[0] in "+-" and _NUMBER_LIKE.fullmatch(value))


def neutralise(value: str) -> str:
    """The CSV cell for ``value``: a leading apostrophe makes a formula-like cell text."""
    return f"'{value}" if looks_like_formula(value) else value


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    """NUL, escape, bidi overrides and other invisible controls (Unicode category Cc/Cf)."""
    allowed = MULTILINE_ALLOWED if multiline else ""
    return any(
        unicodedata.category(char) in {"Cc", "Cf"} and char not in allowed + JOINERS
        for char in value
    )
