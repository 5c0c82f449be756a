"""The column-driven table model and the windowed model, checked by Qt's model tester."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt

from billing_desktop.ui.models.paged import WindowedTableModel
from billing_desktop.ui.models.table import (
    NEGATIVE,
    ColumnTableModel,
    display_price,
    format_number,
    money_column,
    number_column,
    text_column,
)
from billing_desktop.ui.tasks import TaskRunner


@dataclass(frozen=True)
class Row:
    name: str
    count: int
    amount: Decimal


COLUMNS = [
    text_column("Name", lambda r: r.name),
    number_column("Count", lambda r: r.count),
    money_column("Amount", lambda r: r.amount, "USD", red_when_negative=True),
]
ROWS = [Row("a", 1200, Decimal("1234.5")), Row("b", 3, Decimal("-10"))]


def test_cells_are_formatted_and_aligned(qtmodeltester: Any) -> None:
    model: ColumnTableModel[Row] = ColumnTableModel(COLUMNS)
    model.set_rows(ROWS)
    qtmodeltester.check(model)
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Amount"
    assert model.data(model.index(0, 1)) == "1,200"
    assert model.data(model.index(0, 2)) == "$1,234.50"
    assert model.data(model.index(1, 2)) == "-$10.00"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.TextAlignmentRole) & (
        Qt.AlignmentFlag.AlignLeft
    )
    for column in (1, 2):
        alignment = model.data(model.index(0, column), Qt.ItemDataRole.TextAlignmentRole)
        assert alignment & Qt.AlignmentFlag.AlignRight
    assert model.data(model.index(1, 2), Qt.ItemDataRole.ForegroundRole).color() == NEGATIVE
    assert model.data(model.index(0, 2), Qt.ItemDataRole.ForegroundRole) is None
    assert model.data(model.index(1, 2), Qt.ItemDataRole.UserRole) == Decimal("-10")


def test_appending_rows_keeps_the_model_consistent(qtmodeltester: Any) -> None:
    model: ColumnTableModel[Row] = ColumnTableModel(COLUMNS)
    qtmodeltester.check(model)
    model.append_rows(ROWS)
    model.append_rows([])
    assert model.rowCount() == 2
    model.set_rows([])
    assert model.rowCount() == 0


@pytest.mark.parametrize(
    ("price", "currency", "shown"),
    [
        (Decimal("0.0125"), "USD", "$0.0125"),
        (Decimal("0.05"), "USD", "$0.05"),
        (Decimal("1500"), "USD", "$1,500.00"),
        (Decimal("3"), "JPY", "¥3"),
        (Decimal("0.125"), "EUR", "€0.125"),
        (Decimal("0.0125"), None, "0.0125"),
    ],
)
def test_unit_prices_are_never_rounded_away(
    price: Decimal, currency: str | None, shown: str
) -> None:
    assert display_price(price, currency) == shown


def test_numbers() -> None:
    assert format_number(12000) == "12,000"
    assert format_number(Decimal("2.50")) == "2.50"
    assert format_number(Decimal("1E+3")) == "1,000"


def test_the_windowed_model_reads_the_pages_shown_through_the_runner(
    qtbot: Any, qtmodeltester: Any
) -> None:
    data = [Row(f"r{i}", i, Decimal(i)) for i in range(25)]
    runner = TaskRunner()
    asked: list[tuple[int, int]] = []

    def load_page(offset: int, limit: int) -> list[Row]:
        asked.append((offset, limit))
        return data[offset : offset + limit]

    model = WindowedTableModel(COLUMNS, runner, load_page, page_size=10)
    try:
        model.reset(len(data), data[:10])
        qtmodeltester.check(model)
        assert model.rowCount() == 25 and not model.canFetchMore(QModelIndex())
        assert model.data(model.index(24, 0)) == "Loading…"  # asks for the last page alone
        with qtbot.waitSignal(model.page_loaded):
            pass
        assert asked == [(20, 5)]
        model.request_rows(0, 24)
        qtbot.waitUntil(lambda: all(model.is_loaded(r) for r in range(25)))
        assert [model.data(model.index(r, 0)) for r in range(25)] == [r.name for r in data]
        assert runner.wait_idle(5)
        model.reset(0, [])
        assert model.rowCount() == 0
    finally:
        runner.shutdown()
