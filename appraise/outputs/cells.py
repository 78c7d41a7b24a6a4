"""Text from studies and APIs made safe for where it is shown: spreadsheet and CSV cells that
can never run as formulas, terminal text that can never move the cursor or retitle a window.

A study's name or title comes from a server or a file someone else wrote. In a spreadsheet a
cell starting with ``= + - @`` (or a tab or carriage return) is read as a formula, so
``=HYPERLINK(...)`` or ``cmd|' /C calc'!A0`` would run when a reader opens the table; OWASP's
advice is to write such a cell as text, led by a single quote. In a terminal, escape sequences
in a title can rewrite what is on the screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# OWASP "CSV Injection": the characters a spreadsheet takes as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# ESC sequences (CSI ... final byte, OSC ... BEL/ST, two-byte ESC x), then every other control
# character but newline and tab: C0, DEL and C1 (0x9b is a one-byte CSI on some terminals).
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]|\x9b[0-?]*[ -/]*[@-~]"
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def spreadsheet_text(value: Any) -> Any:
    """``value`` for a CSV/TSV/xlsx cell: text that would start a formula gets a leading single
    quote; numbers (and text that is just a number, such as a weight) stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def from_spreadsheet_text(value: str) -> str:
    """A cell read back: the quote :func:`spreadsheet_text` put before a formula start is
    dropped, so a table written and imported again keeps its names."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def spreadsheet_row(values: Iterable[Any]) -> list[Any]:
    return [spreadsheet_text(value) for value in values]


def cells_as_text(sheet: Any) -> None:
    """Make sure no cell of an openpyxl worksheet is stored as a formula (openpyxl stores any
    string starting with '=' as one): every such cell is written as the text it shows. Cells
    starting with + - @ are already text in a workbook."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":  # a string cell is never evaluated: no quote needed
                cell.data_type = "s"


def terminal_text(text: str) -> str:
    """``text`` without escape sequences or control characters (newlines and tabs kept)."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))
