"""`billing-desktop export call-logs --from --to --out` (PRODUCT §11)."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from tests.gui.workspace_data import CALLS, TIMEZONE, fill, this_month_start_utc


@pytest.fixture
def filled(store: SqlStore) -> SqlStore:
    with store() as uow:
        fill(uow)
        uow.commit()
    return store


def test_export_writes_the_calls_of_the_local_days(
    filled: SqlStore, store_path: Path, tmp_path: Path, capsys: Any
) -> None:
    first = this_month_start_utc().astimezone(ZoneInfo(TIMEZONE)).date()
    out = tmp_path / "calls.csv"
    argv = ["--store", str(store_path), "export", "call-logs", "--out", str(out)]
    last = first + timedelta(days=40)
    assert main([*argv, "--from", str(first), "--to", str(last)]) == 0
    assert f"Wrote {CALLS:,} calls" in capsys.readouterr().out
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == CALLS + 1
    assert rows[1][0] == f"call-{CALLS - 1:05}"  # newest first
    before = first - timedelta(days=1)
    assert main([*argv, "--from", str(before), "--to", str(before)]) == 0
    assert out.read_bytes().count(b"\r\n") == 1  # just the header


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--from", "2026-11-02", "--to", "2026-11-01"], "before --from"),
        (["--from", "2026-11-01", "--to", "2026-11-02", "--user", "alex"], "call log"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    filled: SqlStore, store_path: Path, tmp_path: Path, capsys: Any, extra: list[str], message: str
) -> None:
    out = tmp_path / "calls.csv"
    argv = ["--store", str(store_path)]
    if "--user" in extra:
        argv += extra[-2:]
        extra = extra[:-2]
    code = main([*argv, "export", "call-logs", *extra, "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".calls")]


def test_a_missing_folder_is_refused(filled: SqlStore, store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "nope" / "calls.csv"
    argv = ["--store", str(store_path), "export", "call-logs", "--from", "2026-11-01"]
    assert main([*argv, "--to", "2026-11-02", "--out", str(out)]) == 2
    assert not out.parent.exists()


def test_an_xlsx_file_gets_a_workbook(
    filled: SqlStore, store_path: Path, tmp_path: Path, capsys: Any
) -> None:
    import openpyxl

    first = this_month_start_utc().astimezone(ZoneInfo(TIMEZONE)).date()
    out = tmp_path / "calls.xlsx"
    argv = ["--store", str(store_path), "export", "call-logs", "--out", str(out)]
    assert main([*argv, "--from", str(first), "--to", str(first + timedelta(days=40))]) == 0
    assert f"Wrote {CALLS:,} calls to {out}" in capsys.readouterr().out
    book = openpyxl.load_workbook(out, read_only=True)
    rows = list(book["Call log"].iter_rows())
    assert len(rows) == CALLS + 1
    header, newest = [c.value for c in rows[0]], rows[1]
    assert header[0] == "Call ID" and newest[0].value == f"call-{CALLS - 1:05}"
    assert newest[8].data_type == "n" and isinstance(newest[8].value, int)  # minutes
    assert newest[9].data_type == "n" and newest[9].number_format == '#,##0.00 "USD"'
    book.close()
    with out.open("rb") as handle:
        assert handle.read(2) == b"PK"  # a zip, not CSV text
