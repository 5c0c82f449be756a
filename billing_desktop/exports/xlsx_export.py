"""Export as Excel (.xlsx), next to every CSV export (issue 15 §5).

A workbook has no separators to guess and no formula to find in a text cell: every text cell is
written with the explicit string type (an inline string, ``t="inlineStr"``), so ``=1+1`` or
``a;=1+1`` is shown as the text it is, by Excel and LibreOffice alike, and keeps its exact
characters (no ``'`` is added, unlike the CSV files). Numbers are numbers; money is a number with
the currency's number format (``#,##0.00 "EUR"``: the minor-unit digits of the currency); dates
are dates. Characters XML cannot hold (C0 controls other than tab and line breaks) become
U+FFFD, so a name with an escape character cannot break the file.

openpyxl writes in its write-only mode, one row at a time, so a million calls take constant
memory. A sheet holds at most 1,048,576 rows (Excel's limit): a longer export continues on a
second sheet ("Calls (2)", its own header row first), and so on; nothing is cut off.

Like the CSV files, the workbook is written to a temporary file next to ``path`` and moved into
place: a failed or cancelled export leaves nothing behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

MAX_SHEET_ROWS = 1_048_576  # Excel's limit, the header row included
SHEET_TITLE_MAX = 31  # Excel's limit on a sheet name
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def clean_text(text: str) -> str:
    """``text`` with the characters an XML file cannot hold replaced by U+FFFD."""
    return str(ILLEGAL_CHARACTERS_RE.sub("\ufffd", text))


def sheet_title(title: str, part: int = 1) -> str:
    """A valid sheet name from ``title`` (Excel forbids ``[]:*?/\\`` and more than 31
    characters), with `` (2)``, `` (3)``… for the sheets a long export continues on."""
    suffix = f" ({part})" if part > 1 else ""
    base = title.translate(_SHEET_FORBIDDEN).strip("' ") or "Sheet"
    return base[: SHEET_TITLE_MAX - len(suffix)] + suffix


class _Sheets:
    """Rows appended across as many sheets as they need, the header on top of each."""

    def __init__(
        self, book: Workbook, title: str, header: Sequence[str], money: Mapping[int, str]
    ) -> None:
        self.book, self.title, self.part = book, title, 0
        self.money = dict(money)
        self.sheet: WriteOnlyWorksheet | None = None
        self.rows_on_sheet = 0
        self.header = header
        self.bold = Font(bold=True)
        self.widths = [max(10, min(40, len(str(name)) + 2)) for name in header]

    def _new_sheet(self) -> WriteOnlyWorksheet:
        self.part += 1
        sheet = self.book.create_sheet(sheet_title(self.title, self.part))
        for index, width in enumerate(self.widths):
            letter = sheet.column_dimensions[_letter(index + 1)]
            letter.width = width
        sheet.freeze_panes = "A2"
        header = []
        for name in self.header:
            cell = self._text(sheet, str(name))
            cell.font = self.bold
            header.append(cell)
        sheet.append(header)
        self.rows_on_sheet = 1
        return sheet

    @staticmethod
    def _text(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet)
        cell.value = clean_text(text)  # sets the formula type for "=…": the next line undoes it
        cell.data_type = "s"
        return cell

    def append(self, row: Sequence[object]) -> None:
        sheet = self.sheet
        if sheet is None or self.rows_on_sheet >= MAX_SHEET_ROWS:
            sheet = self.sheet = self._new_sheet()
        cells: list[object] = []
        for column, value in enumerate(row):
            if value is None or value == "":
                cells.append(None)
            elif isinstance(value, str):
                # A plain str is written as a string by openpyxl unless it starts with "=" or
                # holds a character XML cannot: those get an explicit string cell.
                if value[0] == "=" or ILLEGAL_CHARACTERS_RE.search(value):
                    cells.append(self._text(sheet, value))
                else:
                    cells.append(value)
            elif isinstance(value, bool):
                cells.append("true" if value else "false")
            elif isinstance(value, int | Decimal):
                number_format = self.money.get(column)
                if number_format is None:
                    cells.append(value)
                else:
                    cell = WriteOnlyCell(sheet, value)
                    cell.number_format = number_format
                    cells.append(cell)
            elif isinstance(value, date | datetime):
                cells.append(value)
            else:
                cells.append(self._text(sheet, str(value)))
        sheet.append(cells)
        self.rows_on_sheet += 1


def _discard(book: Workbook) -> None:
    """Close the sheets of a workbook that will not be saved and remove the temporary files
    openpyxl streams their rows to."""
    for sheet in book.worksheets:
        sheet.close()
        writer = sheet._writer
        if writer is not None:
            writer.cleanup()


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))


def stream_xlsx(
    path: Path,
    header: Sequence[str],
    chunks: Iterable[Sequence[Sequence[object]]],
    *,
    title: str = "Export",
    money: Mapping[int, str] | None = None,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int | None:
    """Write ``header`` and the rows of ``chunks`` to the workbook ``path`` (replacing it).

    ``money`` maps a column (0-based) to the number format of its amounts (``tables.money_format``).
    ``progress(rows)`` is called after each chunk; when ``cancelled()`` turns true between
    chunks nothing is written and None is returned. Otherwise returns the data rows written."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    book = Workbook(write_only=True)
    sheets = _Sheets(book, title, header, money or {})
    count = 0
    try:
        for chunk in chunks:
            if cancelled is not None and cancelled():
                _discard(book)
                return None
            for row in chunk:
                sheets.append(row)
            count += len(chunk)
            if progress is not None:
                progress(count)
    except BaseException:
        _discard(book)
        raise
    if cancelled is not None and cancelled():
        _discard(book)
        return None
    if sheets.sheet is None:
        sheets.sheet = sheets._new_sheet()  # just the header
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    os.close(handle)
    try:
        book.save(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


def write_xlsx(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    title: str = "Export",
    money: Mapping[int, str] | None = None,
) -> int:
    """:func:`stream_xlsx` for rows that fit in memory; returns the data rows written."""
    written = stream_xlsx(path, header, [list(rows)], title=title, money=money)
    assert written is not None  # nothing can cancel it
    return written
