"""Formula-safe CSV (PRODUCT §10): text that a spreadsheet would run gets a leading quote."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing_desktop.exports.csv_export import (
    csv_text,
    needs_care,
    plain_lines,
    safe_cell,
    write_csv,
)


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        # A tab or CR first gets its ', and the field it starts (split on tabs or lines) too.
        ("\t=1", "'\t'=1"),
        ("\r=1", "'\r'=1"),
        ("\tabc", "'\tabc"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("-", "'-"),
        # Plain numbers stay numbers.
        ("-10.00", "-10.00"),
        ("+15550000001", "+15550000001"),
        ("12000", "12000"),
        ("0.0125", "0.0125"),
        ("-.5", "-.5"),
        # Ordinary text is untouched.
        ("Voice minutes", "Voice minutes"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        # Opened with another separator, a field may begin inside the cell: the ' goes right
        # before the formula start of that field, past spaces and quotes.
        ("a;=1+1", "a;'=1+1"),
        ("a|@SUM(1)", "a|'@SUM(1)"),
        ("a\t-x", "a\t'-x"),
        ("a,+x", "a,'+x"),
        ("a; =1", "a; '=1"),
        ('a;"=1+1"', 'a;"\'=1+1"'),
        ("x\n=1", "x\n'=1"),
        ("x\r\n=1", "x\r\n'=1"),
        (" =1+1", " '=1+1"),
        ("a =1", "a '=1"),  # split on spaces
        ("Bob @home", "Bob '@home"),
        ("＝1+1", "'＝1+1"),
        ("a;＋1", "a;'＋1"),
        ("-5 apples", "'-5 apples"),
        # ...but not where that field is a plain number, a lone sign between spaces, or "a=b".
        ("a;-5", "a;-5"),
        ("a, -5", "a, -5"),
        ("call me -5 now", "call me -5 now"),
        ("Acme - North", "Acme - North"),
        ("Q1 + Q2", "Q1 + Q2"),
        ("x==1", "x==1"),
        (42, "42"),
    ],
)
def test_cells_are_neutralised_unless_plain_numbers(cell: object, written: str) -> None:
    assert safe_cell(cell) == written


@pytest.mark.parametrize(
    "cell", ["a;=1", " =1", "\t=1", "a =1", 'a "=1"', "x\n-y", "=cmd|' /C calc'!A0", "a;; =+1"]
)
def test_a_neutralised_cell_is_left_as_it_is(cell: str) -> None:
    once = safe_cell(cell)
    assert safe_cell(once) == once
    assert not needs_care(once) and needs_care(cell)


def test_write_csv_is_utf8_with_bom_crlf_and_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("old content", encoding="utf-8")
    count = write_csv(path, ["name", "amount"], [["Café €", "-10.00"], ["=evil()", "+5"]])
    assert count == 2
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["name", "amount"], ["Café €", "-10.00"], ["'=evil()", "+5"]]
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left


def test_a_failed_write_leaves_no_file(tmp_path: Path) -> None:
    def rows() -> object:
        yield ["a"]
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError):
        write_csv(tmp_path / "out.csv", ["h"], rows())  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


_CELL_TEXT = st.text(st.sampled_from(list("ab1 .,;|\t\r\n\"'=+-@＝＋－＠")), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_CELL_TEXT, min_size=2, max_size=4), min_size=1, max_size=5))
def test_the_fast_path_writes_what_the_reference_writes(rows: list[list[str]]) -> None:
    """plain_lines (joined chunks) is csv.writer through safe_cell, or declines (None)."""
    width = len(rows[0])
    rows = [row[:width] + [""] * (width - len(row)) for row in rows]
    fast = plain_lines(rows)
    assert fast is None or fast == csv_text(rows)


@settings(max_examples=300, deadline=None)
@given(_CELL_TEXT)
def test_no_field_of_a_safe_cell_starts_a_formula_whatever_the_separator(cell: str) -> None:
    """Split a neutralised cell on any separator, spaces trimmed as LibreOffice may: no field
    starts with = (what LibreOffice evaluates) or with + - @ unless it is a plain number."""
    safe = safe_cell(cell)
    for field in re.split(r"[,;\t|\r\n]", safe) + re.split(r"[ ,;\t|\r\n]", safe):
        field = field.strip(' "')
        if len(field) > 1 and not re.fullmatch(r"[+-]?[0-9]+(\.[0-9]*)?|[+-]?\.[0-9]+", field):
            assert field[0] not in "=+-@＝＋－＠", (cell, safe, field)


def test_an_empty_last_cell_stays_empty_on_the_fast_path() -> None:
    """The remote call-log export's rows end with an empty cost when no product prices calls:
    the line end after it is not a cell starting with CR (it used to get a stray ')."""
    rows = [["call-1", "+15550100", ""], ["call-2", "x", ""]]
    assert plain_lines(rows) == csv_text(rows) == "call-1,+15550100,\r\ncall-2,x,\r\n"
