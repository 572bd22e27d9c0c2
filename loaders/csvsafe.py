"""CSV that a spreadsheet opens without running any of its cells as a formula.

Shared by the command line (`qpvkg query --format csv`) and the HTTP answers in CSV.
"""

from __future__ import annotations

import csv
import io
import re

#: a cell that a spreadsheet may read as a formula starts with one of these (OWASP)
_FORMULA_START = re.compile(rb'(?:^|[,\n])"?[=+\-@\t\r]')
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def defuse_csv(document: bytes) -> bytes:
    """The CSV with each cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return prefixed with ``'``, so that a spreadsheet shows it as text instead of running it
    as a formula (OWASP's advice on CSV injection); a plain number (``-5``, ``+1.5e3``) is
    left alone. Most documents have no such cell and are returned as they are."""
    if _FORMULA_START.search(document) is None:
        return document
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in csv.reader(io.StringIO(document.decode("utf-8"), newline="")):
        writer.writerow([_defused(cell) for cell in row])
    return out.getvalue().encode("utf-8")


def _defused(cell: str) -> str:
    if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell
