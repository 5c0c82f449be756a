"""Export as Excel (.xlsx): text stays text, amounts are numbers in the currency's format, long
exports continue on further sheets, a cancelled or failed export leaves nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from billing_desktop.exports import xlsx_export
from billing_desktop.exports.tables import XLSX_FILTER, chosen_path, money_format, write_table
from billing_desktop.exports.xlsx_export import sheet_title, stream_xlsx


def test_text_numbers_money_and_dates_keep_their_types(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    rows = [
        ["=1+1", 3, Decimal("-10.50"), date(2026, 11, 2), "a;=2+2", None, "esc\x1b[31mred"],
        ["-10.00", 0, Decimal("0.00"), date(2026, 11, 3), "", "x", "+15550000001"],
    ]  # fmt: skip
    header = ["name", "count", "amount", "day", "other", "empty", "control"]
    assert write_table(path, header, rows, title="Test", money={2: money_format("EUR")}) == 2
    book = openpyxl.load_workbook(path)
    sheet = book["Test"]
    assert [c.value for c in sheet[1]] == header
    first = sheet[2]
    assert (first[0].value, first[0].data_type) == ("=1+1", "s")  # text, not a formula
    assert (first[1].value, first[1].data_type) == (3, "n")
    assert first[2].value == -10.5 and first[2].number_format == '#,##0.00 "EUR"'
    assert first[3].value.date() == date(2026, 11, 2) and first[3].is_date
    assert first[4].value == "a;=2+2" and first[5].value is None
    assert first[6].value == "esc\ufffd[31mred"  # XML cannot hold ESC: a visible replacement
    second = sheet[3]
    assert (second[0].value, second[0].data_type) == ("-10.00", "s")  # a name stays text
    assert (second[6].value, second[6].data_type) == ("+15550000001", "s")


def test_currency_formats_follow_the_minor_unit() -> None:
    assert money_format("JPY") == '#,##0 "JPY"'
    assert money_format("KWD") == '#,##0.000 "KWD"'
    assert money_format("USD", price=True) == '#,##0.00###### "USD"'


def test_a_long_export_continues_on_a_second_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx_export, "MAX_SHEET_ROWS", 4)  # the header and 3 rows a sheet
    path = tmp_path / "calls.xlsx"
    chunks = [[[f"call-{n}", n] for n in range(start, start + 4)] for start in (0, 4)]
    assert stream_xlsx(path, ["id", "n"], chunks, title="Call log") == 8
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Call log", "Call log (2)", "Call log (3)"]
    values = [[c.value for c in row] for sheet in book.worksheets for row in sheet.iter_rows()]
    assert values[0] == ["id", "n"] and values[4] == ["id", "n"] and values[8] == ["id", "n"]
    assert [v for v in values if v != ["id", "n"]] == [[f"call-{n}", n] for n in range(8)]


def test_a_cancelled_export_writes_nothing(tmp_path: Path) -> None:
    done: list[int] = []
    path = tmp_path / "calls.xlsx"
    chunks = [[["a", 1]], [["b", 2]], [["c", 3]]]
    written = stream_xlsx(
        path, ["id", "n"], chunks, progress=done.append, cancelled=lambda: len(done) >= 2
    )
    assert written is None and done == [1, 2]
    assert list(tmp_path.iterdir()) == []


def test_sheet_titles_and_chosen_paths() -> None:
    assert sheet_title("Usage: a/b [x]?") == "Usage  a b  x"
    assert len(sheet_title("x" * 40, 12)) == 31 and sheet_title("x" * 40, 12).endswith(" (12)")
    assert chosen_path("/tmp/calls", XLSX_FILTER) == Path("/tmp/calls.xlsx")
    assert chosen_path("/tmp/calls", "CSV files (*.csv)") == Path("/tmp/calls.csv")
    assert chosen_path("/tmp/calls.XLSX", "CSV files (*.csv)") == Path("/tmp/calls.XLSX")


def test_a_failed_export_leaves_no_file_and_no_temporary_rows(tmp_path: Path) -> None:
    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    before = set(ALL_TEMP_FILES)

    def chunks() -> object:
        yield [["a", 1]]
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError):
        stream_xlsx(tmp_path / "out.xlsx", ["id", "n"], chunks())  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []
    assert set(ALL_TEMP_FILES) == before
