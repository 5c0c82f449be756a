"""The cost report as rows and as a formula-safe CSV file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from billing_desktop.exports.csv_export import safe_cell
from billing_desktop.services.units.report import UnitReport

# -- presenting ----------------------------------------------------------------------------------


REPORT_HEADER = ("month", "currency", "billing_unit", "usage", "recurring", "total")
REPORT_AMOUNTS = (3, 4, 5)  # the columns of REPORT_HEADER that hold amounts


def report_rows(report: UnitReport) -> list[list[object]]:
    """The rows of :func:`report_csv`, typed: amounts as Decimals with the currency's
    minor-unit digits (for a workbook; CSV writes them as report_csv does)."""
    money = report._amount
    month, currency = str(report.month), report.currency
    rows: list[list[object]] = [
        [month, currency, row.name, money(row.usage), money(row.recurring), money(row.total)]
        for row in report.rows
    ]
    totals = [money(report.usage), money(report.recurring), money(report.total)]
    rows.append([month, currency, "Total", *totals])
    return rows


def write_report(report: UnitReport, path: Path) -> int:
    """Write the report to ``path`` as formula-safe CSV (the bytes of :func:`report_csv`), or
    as an Excel workbook when ``path`` ends in ``.xlsx``; returns the rows written."""
    from billing_desktop.exports.tables import money_format, write_table

    amounts = dict.fromkeys(REPORT_AMOUNTS, money_format(report.currency))
    rows = report_rows(report)
    return write_table(path, REPORT_HEADER, rows, title="Billing units", money=amounts)


def report_csv(report: UnitReport) -> str:
    """The report as CSV: one row per unit (Unassigned included) and a total row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REPORT_HEADER)
    money = report._money
    for row in report.rows:
        writer.writerow(
            [
                str(report.month),
                report.currency,
                safe_cell(row.name),
                money(row.usage),
                money(row.recurring),
                money(row.total),
            ]
        )
    writer.writerow(
        [
            str(report.month),
            report.currency,
            "Total",
            money(report.usage),
            money(report.recurring),
            money(report.total),
        ]
    )
    return out.getvalue()
