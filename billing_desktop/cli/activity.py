"""The activity report, the audit chain's check and the month-close preview (issue 18)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from billing_desktop.cli.common import (
    UsageError,
    acting,
    day_arg,
    emit,
    month_arg,
    month_or_none,
)
from billing_desktop.cli.registry import Handler

CHUNK = 1000


def register(commands: Any) -> dict[str, Handler]:
    activity = commands.add_parser(
        "activity",
        help="the activity report: who changed what, when and from where (newest first)",
        description="List the audit log, newest first: when (in the account's time zone), "
        "who, from where (Desktop, Server, Import, Sync), the kind of change, the object and "
        "the change as before → after. Needs the right to edit Usage.",
    )
    activity.add_argument("--from", dest="first", type=day_arg, metavar="DATE")
    activity.add_argument("--to", dest="last", type=day_arg, metavar="DATE")
    activity.add_argument(
        "--user", dest="by_user", metavar="ID", help="only the changes this user made"
    )
    activity.add_argument(
        "--kind", metavar="KIND", help="only this kind of change (e.g. close-month)"
    )
    activity.add_argument(
        "--object", metavar="KIND[:ID]", help="only changes to this object (e.g. month:2026-10)"
    )
    activity.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="save the report instead: .csv, .xlsx or .pdf (the PDF says whether the chain "
        "is verified)",
    )
    activity.add_argument("--json", action="store_true", help="print the rows as JSON")
    audit = commands.add_parser(
        "audit",
        help="check the audit log's tamper-evident chain",
        description="'audit verify' walks the audit log's SHA-256 chain: exit 0 when every "
        "row is as written, 2 naming the first row that was changed, removed or added.",
    )
    audit.add_argument("action", choices=["verify"])
    audit.add_argument("--json", action="store_true", help="print the result as JSON")
    preview = commands.add_parser(
        "close-preview",
        help="what close-month would write for a month, writing nothing",
        description="Show the ledger rows (commit recharges, usage debits, expiries), the "
        "invoice with its number and lines, and the plan downgrades that closing the month "
        "would write: the same plan close-month applies.",
    )
    preview.add_argument("month", type=month_arg, metavar="YYYY-MM")
    preview.add_argument("--json", action="store_true", help="print the result as JSON")
    return {"activity": _cmd_activity, "audit": _cmd_audit, "close-preview": _cmd_preview}


def _query(args: argparse.Namespace) -> Any:
    from billing_desktop.services.activity import ActivityQuery

    entity = entity_id = None
    if args.object:
        entity, _, rest = args.object.partition(":")
        entity_id = rest or None
    return ActivityQuery(
        first=args.first,
        last=args.last,
        user=args.by_user,
        kind=args.kind,
        entity=entity or None,
        entity_id=entity_id,
    )


def _cmd_activity(args: argparse.Namespace) -> int:
    from billing_desktop.services import activity as a

    if args.out is not None:
        _check_out(args.out)
    store, actor = acting(args)
    query = _query(args)
    total = store.read(a.activity_count, actor, query)
    lines = [
        line
        for chunk in a.all_lines(
            lambda offset, limit: store.read(a.activity_page, actor, query, offset, limit), total
        )
        for line in chunk
    ]
    if args.out is not None:
        from billing_desktop.reports.activity import save_activity
        from billing_desktop.services.overview import workspace

        chain = store.read(a.verify_audit_chain, actor)
        account = store.read(workspace, args.user).account
        try:
            count = save_activity(
                args.out,
                lines,
                account=account.name if account else "",
                filters=a.filters_text(query),
                chain=chain,
            )
        except OSError as exc:
            raise UsageError(f"{args.out}: cannot write it ({exc.strerror or exc})") from None
        print(f"{count} row{'' if count == 1 else 's'} saved to {args.out}.")
        return 0
    return emit(args, lambda: [a.line_json(line) for line in lines], lambda: _table(lines))


def _check_out(path: Path) -> None:
    """--out must name a .csv, .xlsx or .pdf file in a folder that exists (before any read)."""
    if path.suffix.lower() not in (".csv", ".xlsx", ".pdf"):
        raise UsageError(f"{path}: give a file name ending in .csv, .xlsx or .pdf")
    if not path.parent.is_dir():
        raise UsageError(f"{path}: no such folder {path.parent}")


def _table(lines: list[Any]) -> str:
    """Five aligned columns, then the change (free text, as long as it is)."""
    from billing_desktop.services.activity import HEADER

    if not lines:
        return "No activity matches."
    rows = [HEADER, *(line.cells() for line in lines)]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:5], widths, strict=True))
        + "  "
        + row[5]
        for row in rows
    )


def _cmd_audit(args: argparse.Namespace) -> int:
    from billing_desktop.services.activity import verify_audit_chain

    store, actor = acting(args)
    report = store.read(verify_audit_chain, actor)
    emit(args, report.as_json, report.summary)
    return 0 if report.verified else 2


def _cmd_preview(args: argparse.Namespace) -> int:
    from billing_desktop.services.month_close import preview_close

    store, actor = acting(args)
    plan = store.read(preview_close, actor, month_or_none(args.month))
    return emit(args, plan.as_json, lambda: _plan_text(plan))


def _plan_text(plan: Any) -> str:
    from billing_desktop.domain.money import format_money

    def money(amount: Any) -> str:
        return str(format_money(amount, plan.currency))

    if plan.already_closed:
        return f"{plan.month} is closed already; closing it again writes nothing."
    out = [f"Closing {plan.month} would write:"]
    out.append(f"  {len(plan.ledger_rows)} ledger rows")
    for row in plan.ledger_rows:
        out.append(
            f"    {row.occurred_on}  {row.kind.value:<16} {money(row.amount):>14}  "
            f"{row.description}"
        )
    if plan.invoice is None:
        out.append("  no invoice (credit covered the month)")
    else:
        out.append(
            f"  invoice {plan.invoice.number} for {money(plan.invoice.amount)}, issued "
            f"{plan.invoice.issued_on}, due {plan.invoice.due_on}, {len(plan.lines)} lines"
        )
    for change in plan.downgrades:
        out.append(f"  plan of {change.app_name}: {change.from_plan} → {change.to_plan}")
    if plan.downgrades_hidden:
        out.append("  plan downgrades that you may not see take effect")
    return "\n".join(out)
