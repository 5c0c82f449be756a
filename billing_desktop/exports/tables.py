"""One entry point for the table exports: CSV or Excel (.xlsx), chosen by the file's suffix.

Every export offered as CSV is offered as a workbook too (issue 15 §5): the GUI's save dialogs
list both file types, and ``export call-logs --out FILE.xlsx`` writes a workbook. The rows are
the same typed values either way: the CSV writer makes them formula-safe text
(:func:`~billing_desktop.exports.csv_export.safe_cell`), the workbook keeps text as text and
numbers as numbers (:mod:`~billing_desktop.exports.xlsx_export`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from billing_desktop.domain.money import minor_digits

CSV_FILTER = "CSV files (*.csv)"
XLSX_FILTER = "Excel workbooks (*.xlsx)"
TABLE_FILTERS = f"{CSV_FILTER};;{XLSX_FILTER}"


def money_format(currency: str, *, price: bool = False) -> str:
    """The number format of an amount in ``currency``: ``#,##0.00 "EUR"`` (JPY: no decimals).
    A ``price`` (a unit price such as 0.0125) shows up to six more decimals when it has them."""
    digits = "0" * minor_digits(currency) + ("######" if price else "")
    return ("#,##0." + digits if digits else "#,##0") + f' "{currency}"'


def is_xlsx(path: Path) -> bool:
    return Path(path).suffix.lower() == ".xlsx"


def chosen_path(path: str, selected_filter: str) -> Path:
    """The file a save dialog chose, with the suffix of the file type picked in it when the name
    has neither ``.csv`` nor ``.xlsx`` (a name typed without one)."""
    chosen = Path(path)
    if chosen.suffix.lower() in (".csv", ".xlsx"):
        return chosen
    suffix = ".xlsx" if selected_filter == XLSX_FILTER else ".csv"
    return chosen.with_name(chosen.name + suffix)


def write_table(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    title: str,
    money: Mapping[int, str] | None = None,
) -> int:
    """Write ``rows`` under ``header`` to ``path`` as a workbook (``.xlsx``) or formula-safe CSV
    (any other suffix); returns the data rows written. ``money`` maps a column to the number
    format of its amounts in a workbook (CSV writes the amounts as plain numbers)."""
    if is_xlsx(path):
        from billing_desktop.exports.xlsx_export import write_xlsx

        return write_xlsx(path, header, rows, title=title, money=money)
    from billing_desktop.exports.csv_export import write_csv

    return write_csv(path, header, rows)
