"""Files for a spreadsheet: every cell that Excel or WPS would read as a formula is written
as plain text, so a name like ``=HYPERLINK(...)`` stays a name."""

from __future__ import annotations

import csv


def _text(value):
    """A name like ``=HYPERLINK(...)`` stays a name when the file is opened in Excel."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
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
