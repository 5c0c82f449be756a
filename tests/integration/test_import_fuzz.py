"""Mutated CSV files never get past the import's checks (issue 15 §6): whatever lands in a cell,
or in the bytes of a file, the command line either imports it or refuses it with exit 2 and one
line naming the file, the line (and for a cell, the column) — never a traceback, never a store
error, and never a partial write."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.services.imports import KINDS
from tests.integration.test_imports import CASES, _seed

# Values that have broken imports before, or sit on a bound.
HOSTILE = [
    "",
    " ",
    "0001-01-01",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31",
    "9999-12-31T23:59:59-05:00",
    "1999-12-31",
    "2100-01-01T00:00:00Z",
    "99999999999999999999",
    "-99999999999999999999",
    "2147483648",
    "604801",
    "1e309",
    "NaN",
    "Infinity",
    "-0",
    "٣",
    "１２",
    "\x00",
    "\ufeff",
    "\u200b",
    "\u202e",
    "\u2028",
    "\r",
    "\t",
    "\x1b[2J",
    "localtime",
    "posixrules",
    "Factory",
    "right/UTC",
    "ｃ１",
    "с1",
    "=1+1",
    '"',
    "a,b",
    "x" * 300,
]

# Every kind's good rows, each file one kind (the store has what they refer to).
FILES = [(kind, CASES[kind].header, CASES[kind].rows) for kind in KINDS]


def _content(store_path: Path) -> str:
    with sqlite3.connect(store_path) as connection:
        return hashlib.sha256("\n".join(connection.iterdump()).encode()).hexdigest()


def _run(store_path: Path, kind: str, path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--store", str(store_path), "import", kind, str(path)])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def workspace(store: SqlStore, store_path: Path) -> Iterator[Path]:
    _seed(store, ("account", "users", "products", "plans", "apps"))
    yield store_path


def _check(store_path: Path, kind: str, path: Path, cell_level: bool) -> None:
    before = _content(store_path)
    code, out, err = _run(store_path, kind, path)
    assert "Traceback" not in out + err
    if code == 0:
        assert err == "" and out.startswith(f"{path.name}: ")
        return
    assert code == 2, (code, out, err)
    assert out == ""
    [line] = err.splitlines()  # one line, whatever the file held
    assert line.isprintable(), line  # no control or invisible character reaches the terminal
    assert "the store failed" not in line, line
    where = rf"^billing-desktop: error: {re.escape(path.name)}"
    if cell_level:
        assert re.match(rf"{where}, line \d+, column '[^']+': \S", line), line
    else:
        assert re.match(where, line) and re.search(r"\bline \d+\b", line), line
    assert _content(store_path) == before  # nothing of the file was written


@st.composite
def mutated_cells(draw: st.DrawFn) -> tuple[str, list[list[str]]]:
    """A kind and its good table with one to three cells changed."""
    kind, header, rows = draw(st.sampled_from(FILES))
    table = [next(csv.reader([row])) for row in rows]
    for _ in range(draw(st.integers(1, 3))):
        row = draw(st.integers(0, len(table) - 1))
        column = draw(st.integers(0, len(table[row]) - 1))
        cell = table[row][column]
        how = draw(st.sampled_from(["replace", "insert", "hostile", "append-hostile"]))
        if how == "replace":
            table[row][column] = draw(st.text(max_size=30))
        elif how == "insert":
            at = draw(st.integers(0, len(cell)))
            table[row][column] = cell[:at] + draw(st.text(min_size=1, max_size=4)) + cell[at:]
        elif how == "hostile":
            table[row][column] = draw(st.sampled_from(HOSTILE))
        else:
            table[row][column] = cell + draw(st.sampled_from(HOSTILE))
    return kind, [next(csv.reader([header])), *table]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=mutated_cells())
def test_a_mutated_cell_is_imported_or_refused_with_its_column(
    workspace: Path, tmp_path: Path, case: tuple[str, list[list[str]]]
) -> None:
    kind, table = case
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(table)
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(text.getvalue().encode("utf-8"))
    _check(workspace, kind, path, cell_level=True)


@st.composite
def mutated_bytes(draw: st.DrawFn) -> tuple[str, bytes]:
    """A kind and its good file with bytes replaced or inserted anywhere (the header too)."""
    kind, header, rows = draw(st.sampled_from(FILES))
    data = bytearray("\n".join([header, *rows]).encode("utf-8") + b"\n")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data) - 1))
        chunk = draw(
            st.one_of(
                st.binary(min_size=1, max_size=4),
                st.sampled_from([b"\xef\xbb\xbf", b"\x00", b'"', b",", b"\r", b"\xff", b"\xc3"]),
            )
        )
        if draw(st.booleans()):
            data[at : at + len(chunk)] = chunk
        else:
            data[at:at] = chunk
    return kind, bytes(data)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=mutated_bytes())
def test_mutated_bytes_are_imported_or_refused_with_their_line(
    workspace: Path, tmp_path: Path, case: tuple[str, bytes]
) -> None:
    kind, data = case
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(data)
    _check(workspace, kind, path, cell_level=False)
