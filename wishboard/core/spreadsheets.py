"""Files for a spreadsheet: every cell that Excel or WPS would read as a formula is written
as plain text, so a name like ``=HYPERLINK(...)`` stays a name.

A text cell is risky when it begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return. In a CSV it gets a leading ``'`` (what a person types in Excel to keep text as
text). In a workbook it stays exactly as written, stored as a string (never a formula) and
marked "quote prefix", so it also stays text when someone edits the cell. Numbers stay
numbers: -3 is a number, only the text "-3" is guarded.
"""

from __future__ import annotations

import csv

RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_risky(value) -> bool:
    """Text that a spreadsheet would read as a formula (or a DDE command)."""
    return isinstance(value, str) and value.startswith(RISKY_STARTS)


def _text(value):
    """A name like ``=HYPERLINK(...)`` stays a name when the file is opened in Excel."""
    if is_risky(value):
        return "'" + value
    return value


class SafeWriter:
    """A csv writer that writes every cell through ``_text``."""

    def __init__(self, out):
        self._writer = csv.writer(out)

    def writerow(self, row):
        self._writer.writerow([_text(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def append_row(sheet, row) -> None:
    """``sheet.append(row)`` for an openpyxl worksheet, with every risky text cell kept as
    text: openpyxl would store ``=...`` as a formula."""
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        if is_risky(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True
