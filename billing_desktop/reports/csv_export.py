"""CSV exports that open safely in spreadsheets (PRODUCT §10).

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run as a
formula by Excel, LibreOffice or Google Sheets; it gets a leading ``'``. A cell that is a plain
number (``-10.00``, ``+15550000001``, ``12000``) stays as it is, so amounts remain numbers.

Files are UTF-8 with a byte-order mark (so a spreadsheet reads accents and currency symbols
right), comma separated, with CRLF line ends (RFC 4180), written to a temporary file and moved
into place, so a failed export never leaves half a file behind.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
ENCODING = "utf-8-sig"


def safe_cell(value: object) -> str:
    """``value`` as a cell that a spreadsheet shows as text or number, never runs."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write ``header`` and ``rows`` to ``path`` (replacing it); returns the data rows written."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    count = 0
    try:
        with os.fdopen(handle, "w", encoding=ENCODING, newline="") as out:
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow([safe_cell(cell) for cell in header])
            for row in rows:
                writer.writerow([safe_cell(cell) for cell in row])
                count += 1
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


def _safe_row(row: Sequence[object]) -> list[object]:
    # The same rule as safe_cell, with the common case (text that cannot run) kept as is.
    return [
        cell if type(cell) is str and not cell.startswith(FORMULA_STARTS) else safe_cell(cell)
        for cell in row
    ]


def stream_csv(
    path: Path,
    header: Sequence[str],
    chunks: Iterable[Sequence[Sequence[object]]],
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int | None:
    """Like :func:`write_csv` for very large exports: rows arrive in ``chunks`` (e.g. from a
    streaming query) and only one chunk is held at a time. ``progress(rows_written)`` is called
    after each chunk; if ``cancelled()`` turns true between chunks the temporary file is removed,
    ``path`` is left untouched and None is returned. Otherwise returns the data rows written."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    count, finished = 0, False
    try:
        with os.fdopen(handle, "w", encoding=ENCODING, newline="") as out:
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow([safe_cell(cell) for cell in header])
            for chunk in chunks:
                if cancelled is not None and cancelled():
                    break
                writer.writerows(map(_safe_row, chunk))
                count += len(chunk)
                if progress is not None:
                    progress(count)
            else:
                finished = True
        if finished:
            os.replace(temporary, path)
            return count
        Path(temporary).unlink(missing_ok=True)
        return None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
