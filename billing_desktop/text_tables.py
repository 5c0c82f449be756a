"""The command line's readable output: right-aligned tables of the use cases' results.

The use cases return plain data (and its JSON shape); rendering it as text is the command
line's job, kept here rather than in the use cases.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal

from billing_desktop.domain.money import format_money
from billing_desktop.domain.units import UNASSIGNED
from billing_desktop.services.billing import UsageSummary, plain_decimal
from billing_desktop.services.sessions import AGENTS_NOTE, COLUMNS, SessionStatistics
from billing_desktop.services.units import UnitReport


def aligned(table: Sequence[Sequence[str]]) -> Callable[[Sequence[str]], str]:
    """How to print a line of ``table``: the first column left-aligned, the others right-aligned,
    each as wide as its widest cell, two spaces apart."""
    widths = [max(len(str(row[i])) for row in table) for i in range(len(table[0]))]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        return "  ".join(
            [first.ljust(widths[0])] + [c.rjust(w) for c, w in zip(rest, widths[1:], strict=True)]
        )

    return line


def usage_table(summary: UsageSummary) -> str:
    """The readable form of ``usage``: one line per product, amounts right-aligned."""

    def money(amount: Decimal) -> str:
        return format_money(amount, summary.currency)

    header = ("Product", "Quantity", "Free used/total", "Amount", "Credit", "Balance", "Commit")
    rows = [
        (
            p.name + (" [CC]" if p.contact_center_services else ""),
            plain_decimal(p.quantity),
            f"{plain_decimal(p.free_units_used)}/{plain_decimal(p.free_units_total)}",
            money(p.amount),
            money(p.credit_applied),
            money(p.balance),
            p.commit
            if isinstance(p.commit, str)
            else f"{money(p.commit.amount)} {p.commit.frequency.value}",
        )
        for p in summary.products
    ]
    line = aligned([header, *rows])

    state = f"closed, invoice {summary.invoice_number or 'none'}" if summary.closed else "open"
    out = [
        f"Usage for {summary.month} ({state}; {summary.currency}, {summary.timezone}; "
        f"{summary.agents} agents at peak)",
        "",
        line(header),
        *(line(r) for r in rows),
        "",
        f"Current balance: {money(summary.balance)}"
        + (
            " (negative: to be invoiced on " + summary.invoice_date.isoformat() + ")"
            if summary.balance < 0 and not summary.closed
            else ""
        ),
        f"Contact center services: {money(summary.contact_center_services_balance)}",
    ]
    if not rows:
        out[2:4] = ["No product has usage in this month."]
    return "\n".join(out)


def sessions_table(statistics: SessionStatistics) -> str:
    """The human-readable report: a title, a right-aligned table, a totals line, the note."""
    scope = f"app {statistics.app}" if statistics.app else "all apps"
    title = (
        f"Sessions from {statistics.first.isoformat()} to {statistics.last.isoformat()} "
        f"by {statistics.bucket}, {scope} ({statistics.timezone})"
    )
    rows = [
        (
            start_text(b.start),
            f"{b.billing_sessions:,}",
            f"{b.alert_sessions:,}",
            f"{b.voice_sessions:,}",
            f"{b.agents:,}",
        )
        for b in statistics.buckets
    ]
    total = (
        "Total",
        f"{statistics.billing_sessions:,}",
        f"{statistics.alert_sessions:,}",
        f"{statistics.voice_sessions:,}",
        f"{statistics.peak_agents:,} (peak)",
    )
    line = aligned([COLUMNS, *rows, total])

    rule = "-" * len(line(COLUMNS))
    return "\n".join(
        [
            title,
            "",
            line(COLUMNS),
            rule,
            *(line(r) for r in rows),
            rule,
            line(total),
            "",
            AGENTS_NOTE,
        ]
    )


def start_text(start: date | datetime) -> str:
    if isinstance(start, datetime):
        return start.isoformat(sep=" ", timespec="minutes")
    return start.isoformat()


def report_table(report: UnitReport) -> str:
    """The readable form of ``units report``."""

    def money(amount: Decimal) -> str:
        return format_money(amount, report.currency)

    header = ("Billing unit", "Usage", "Recurring", "Total")
    rows = [(r.name, money(r.usage), money(r.recurring), money(r.total)) for r in report.rows]
    footer = ("Total", money(report.usage), money(report.recurring), money(report.total))
    line = aligned([header, *rows, footer])

    state = "closed" if report.closed else "open"
    out = [
        f"Billing units for {report.month} ({state}; {report.currency}, "
        + (
            "as invoiced: after free units and credits, shared in proportion)"
            if report.basis == "invoiced"
            else "at list price: before free units and credits)"
        ),
        "",
        line(header),
        *(line(r) for r in rows),
        line(footer),
    ]
    if not rows:
        out[2:3] = ["No billing units and nothing to allocate."]
    if any(r.unit_id is None for r in report.rows):
        out.append("")
        out.append(
            f"{UNASSIGNED}: usage of numbers and users in no unit, and usage no number or user "
            "drives (conversations, SMS, interviews, recordings, storage)."
        )
    return "\n".join(out)
