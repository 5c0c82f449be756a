"""The everyday commands: the app, demo data, imports, usage, months, units, statements, exports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from billing_desktop.cli import unit_dates
from billing_desktop.cli.common import (
    UsageError,
    acting,
    day_arg,
    emit,
    local_store,
    month_arg,
    month_or_none,
    open_from_args,
    positive_arg,
    size_arg,
)
from billing_desktop.cli.registry import Handler


def register(commands: Any) -> dict[str, Handler]:
    from billing_desktop.services.imports import KINDS

    commands.add_parser(
        "gui",
        help="start the desktop application (the default)",
        description="Start the desktop application on the store.",
    )

    demo = commands.add_parser(
        "demo",
        help="fill an empty store with a realistic demo workspace",
        description="Fill an empty store with a deterministic demo workspace: account, rate "
        "card, users, agents, numbers, billing units, apps, usage records and invoices.",
    )
    demo.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    demo.add_argument(
        "--months",
        type=positive_arg,
        default=3,
        help="months of usage, ending with the current one (default 3)",
    )
    demo.add_argument(
        "--agents",
        type=positive_arg,
        default=None,
        help="licensed agents (default 25, 200 with --scale large, 2,000 with xlarge)",
    )
    demo.add_argument(
        "--scale",
        choices=("small", "large", "xlarge"),  # services.demo.SCALES (not imported at start)
        default="small",
        help="large: the benchmark store (about 1,000,000 calls); xlarge: ten times that",
    )
    demo.add_argument(
        "--today",
        type=day_arg,
        default=None,
        metavar="DATE",
        help="the day the workspace is 'now' (default: today); fixes the output",
    )
    demo.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing (and succeed) when the store already holds a workspace",
    )

    imp = commands.add_parser(
        "import",
        help="import a CSV file of one kind (all-or-nothing, idempotent)",
        description="Import a UTF-8 CSV file with a header row. Rows whose id is already "
        "stored are skipped; any error rejects the whole file and nothing is written.",
    )
    imp.add_argument("kind", choices=KINDS, metavar="KIND", help="one of: " + ", ".join(KINDS))
    imp.add_argument("file", type=Path, metavar="FILE", help="the CSV file")
    imp.add_argument("--json", action="store_true", help="print the report as JSON")

    shot = commands.add_parser(
        "screenshot",
        help="render each tab the user may see to a PNG (no display needed)",
        description="Render the main window offscreen and save one PNG per visible tab.",
    )
    shot.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for PNGs")
    shot.add_argument(
        "--size",
        type=size_arg,
        default=(1280, 800),
        metavar="WxH",
        help="window size (default 1280x800)",
    )
    shot.add_argument(
        "--month",
        type=month_arg,
        default=None,
        metavar="YYYY-MM",
        help="month shown in the Usage tab (default: the current one)",
    )
    usage = commands.add_parser(
        "usage",
        help="usage per product for a month: free units, credit, balance",
        description="Usage per product for a month (default: the current one in the account's "
        "time zone): free units, amount, credit applied, balance and commit.",
    )
    usage.add_argument("--month", type=month_arg, default=None, metavar="YYYY-MM")
    usage.add_argument("--json", action="store_true", help="print the PRODUCT §11.1 JSON shape")

    close = commands.add_parser(
        "close-month",
        help="close a month: recharge commits, debit credit, issue the invoice",
        description="Close an ended month: ledger rows for commit recharges, credit used and "
        "expired, and one invoice for what credit did not cover. Idempotent; months are closed "
        "in order, and a closed month cannot change.",
    )
    close.add_argument("month", type=month_arg, metavar="YYYY-MM")
    close.add_argument("--json", action="store_true", help="print the result as JSON")

    sessions = commands.add_parser(
        "sessions",
        help="billing, alert and voice sessions and agents per hour, day, week or month",
        description="Billing, alert and voice sessions (PRODUCT §4.1) from the usage rollups, "
        "and the peak daily count of licensed agents, per bucket of local time in the "
        "account's time zone. Every bucket of the range is listed; a week (from Monday) or "
        "month bucket keeps its natural start but counts only the days of the range.",
    )
    sessions.add_argument(
        "--from", dest="first", type=day_arg, required=True, metavar="DATE", help="first day"
    )
    sessions.add_argument(
        "--to", dest="last", type=day_arg, required=True, metavar="DATE", help="last day (included)"
    )
    sessions.add_argument(
        "--app",
        metavar="ID",
        help="only this app's conversations and alerts (agents are workspace-wide seats: "
        "the app does not change them)",
    )
    sessions.add_argument(
        "--bucket", choices=("hour", "day", "week", "month"), default="day", help="default: day"
    )
    sessions.add_argument("--json", action="store_true", help="print the PRODUCT §11.1 JSON shape")

    units = commands.add_parser(
        "units",
        help="billing units (cost centres): add, assign users, teams and numbers, report",
        description="Billing units group users and phone numbers into cost centres. A phone "
        "number belongs to at most one unit; a user may belong to several.",
    )
    unit_commands = units.add_subparsers(dest="units_command", metavar="SUBCOMMAND", required=True)
    unit_add = unit_commands.add_parser(
        "add", help="add a billing unit", description="Add an empty billing unit."
    )
    unit_add.add_argument("name", metavar="NAME", help="unique name (case-insensitive), 1-100")
    unit_assign = unit_commands.add_parser(
        "assign",
        help="assign users, team members and numbers to a unit",
        description="Assign users, the members of teams, and phone numbers to a billing unit. "
        "A number already in another unit is refused (exit 2, naming that unit) unless --move "
        "is given; nothing is written then.",
    )
    unit_assign.add_argument("unit", metavar="UNIT", help="the unit's name")
    unit_assign.add_argument(
        "--user", dest="users", action="append", default=[], metavar="ID", help="a user id"
    )
    unit_assign.add_argument(
        "--team",
        dest="teams",
        action="append",
        default=[],
        metavar="NAME",
        help="a team: its members now are assigned",
    )
    unit_assign.add_argument(
        "--number",
        dest="numbers",
        action="append",
        default=[],
        metavar="E164",
        help="a phone number of the workspace",
    )
    unit_assign.add_argument(
        "--move", action="store_true", help="move numbers held by another unit to this one"
    )
    unit_dates.add_arguments(unit_assign, day_arg)  # --from, --preview (issue 20 §5)
    unit_dates.add_history_parser(unit_commands)  # units history (issue 20 §5)
    unit_report = unit_commands.add_parser(
        "report",
        help="usage and recurring charges per unit for a month, at list price or as invoiced",
        description="Usage and recurring charges per billing unit for a month (default: the "
        "current one), at list price (before free units and credits) or as invoiced (--basis "
        "invoiced: after them, shared in the same proportions), with an Unassigned row; the "
        "rows add up to the account's total on that basis.",
    )
    unit_report.add_argument("--month", type=month_arg, default=None, metavar="YYYY-MM")
    unit_report.add_argument(
        "--basis",
        choices=("list", "invoiced"),
        default="list",
        help="list: at list price (default); invoiced: each product's charge after free units "
        "and credits, shared in the same proportions (adds up to the month's charges)",
    )
    unit_report.add_argument(
        "--json", action="store_true", help="print the PRODUCT §11.1 JSON shape"
    )

    statement = commands.add_parser(
        "statement",
        help="write a month's statement as a PDF (for printing in batches)",
        description="Write the statement of a month to a PDF: opening balance, credits and "
        "payments, usage charges per product, invoices issued, closing balance and every ledger "
        "row of the month. A month that is not closed yet gets a statement marked provisional. "
        "A month that has not started, or has nothing in it, is refused and nothing is written.",
    )
    statement.add_argument("--month", required=True, metavar="YYYY-MM", help="the month")
    statement.add_argument(
        "--out", type=Path, required=True, metavar="FILE.pdf", help="the PDF file to write"
    )

    export = commands.add_parser(
        "export",
        help="export data as formula-safe CSV or an Excel workbook (call-logs)",
        description="Export data as CSV (UTF-8 with a byte-order mark, formulas neutralised "
        "for any separator: PRODUCT §10) or, for a FILE ending in .xlsx, as an Excel workbook "
        "(text cells always text, amounts numbers).",
    )
    export_commands = export.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    call_logs = export_commands.add_parser(
        "call-logs",
        help="the calls started in a date range, with the Usage Data tab's columns",
        description="Write every call started from --from to --to (whole days in the account's "
        "time zone, both included), newest first, with its started minutes and its cost at "
        "list price. The file is streamed and replaced atomically; on an error nothing is "
        "written.",
    )
    call_logs.add_argument(
        "--from", dest="first", type=day_arg, required=True, metavar="DATE", help="first day"
    )
    call_logs.add_argument(
        "--to", dest="last", type=day_arg, required=True, metavar="DATE", help="last day (included)"
    )
    call_logs.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE",
        help="the file to write: CSV, or an Excel workbook when it ends in .xlsx",
    )
    return {
        "gui": _cmd_gui,
        "demo": _cmd_demo,
        "import": _cmd_import,
        "screenshot": _cmd_screenshot,
        "usage": _cmd_usage,
        "close-month": _cmd_close_month,
        "sessions": _cmd_sessions,
        "units": _cmd_units,
        "statement": _cmd_statement,
        "export": _cmd_export,
    }


def _cmd_demo(args: argparse.Namespace) -> int:
    from billing_desktop.services.demo import build_demo
    from billing_desktop.services.task_state import Progress, TaskState

    store = local_store(args, "demo", create=True)
    if args.if_empty:
        from billing_desktop.services.context import is_empty

        with store() as uow:
            if not is_empty(uow):
                print("The store already holds a workspace; no demo data added.")
                return 0

    def progress(step: Progress) -> None:
        print(step.text, file=sys.stderr, flush=True)

    report = build_demo(
        store,
        seed=args.seed,
        months=args.months,
        agents=args.agents,
        scale=args.scale,
        today=args.today,
        user_id=args.user,
        state=TaskState(progress) if sys.stderr.isatty() else None,
    )
    # A store made here from a blank file needs no check of every page on its next open.
    store.close_created()
    print(report.summary())
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from billing_desktop.bootstrap import SqlStore
    from billing_desktop.services.imports import import_file

    store = open_from_args(args, create=args.kind == "account")
    if isinstance(store, SqlStore):
        report = import_file(store, args.kind, args.file, user_id=args.user)
    else:
        report = store.import_csv(args.kind, args.file)
    return emit(args, report.as_dict, report.summary)


def _cmd_screenshot(args: argparse.Namespace) -> int:
    from billing_desktop.ui.screenshot import take_screenshots

    store = open_from_args(args)
    paths = take_screenshots(
        store, user_id=args.user, out_dir=args.out, size=args.size, month=args.month
    )
    for path in paths:
        print(path.name)
    return 0


def gui_handler() -> Handler:
    """The ``gui`` command's handler: the CLI starts the app with it without building every
    command's parser (``cli._app_start``)."""
    return _cmd_gui


def _cmd_gui(args: argparse.Namespace) -> int:
    import gc

    # No cyclic garbage collection until the app's first screen is filled (B1): the start makes
    # hundreds of thousands of objects that live as long as the app (modules, classes,
    # SQLAlchemy's tables) and every full collection walked them all (≈ 13 % of the start's
    # CPU measured). run_gui turns it back on once the first tab is filled.
    gc.disable()
    try:
        # What the first screen needs besides Qt, imported before Qt (B1): once PySide6 is
        # imported it reads the source of every module imported after it (its __feature__
        # switch), and SQLAlchemy, the store and the Usage page's services are ~400 modules
        # that never use Qt (≈ 6 % of the start). They are needed before the Usage tab is
        # filled anyway.
        import sqlalchemy.dialects.sqlite  # noqa: F401

        import billing_desktop.bootstrap
        import billing_desktop.services.usage_page  # noqa: F401
        from billing_desktop.ui.app import run_gui

        return run_gui(store_location=args.store, user_id=args.user)
    finally:
        gc.enable()  # when the app did not get that far, or has ended


def _cmd_usage(args: argparse.Namespace) -> int:
    from billing_desktop.services.billing import usage_summary
    from billing_desktop.text_tables import usage_table

    store, actor = acting(args)
    summary = store.read(usage_summary, actor, month_or_none(args.month))
    return emit(args, summary.as_json, lambda: usage_table(summary))


def _cmd_close_month(args: argparse.Namespace) -> int:
    from billing_desktop.services.month_close import close_month

    store, actor = acting(args)
    report = store.write(close_month, actor, month_or_none(args.month))
    return emit(args, report.as_json, report.summary)


def _cmd_sessions(args: argparse.Namespace) -> int:
    from billing_desktop.services.sessions import session_statistics
    from billing_desktop.text_tables import sessions_table

    store, actor = acting(args)
    statistics = store.read(
        session_statistics, actor, args.first, args.last, app=args.app, bucket=args.bucket
    )
    return emit(args, statistics.as_dict, lambda: sessions_table(statistics))


def _cmd_units(args: argparse.Namespace) -> int:
    from billing_desktop.services import units
    from billing_desktop.text_tables import report_table

    if args.units_command == "assign" and not (args.users or args.teams or args.numbers):
        raise UsageError("units assign: give at least one --user, --team or --number")
    store, actor = acting(args)
    if args.units_command == "add":
        unit = store.write(units.add_unit, actor, args.name)
        print(f"Added billing unit '{unit.name}'.")
    elif args.units_command == "history":
        return unit_dates.run_history(args, store, actor)
    elif args.units_command == "assign":
        unit = store.read(units.find_unit, actor, args.unit)
        if args.preview:
            return unit_dates.run_preview(args, store, actor, unit)
        change = store.write(
            units.assign,
            actor,
            unit.id,
            args.users,
            args.teams,
            args.numbers,
            move=args.move,
            from_date=args.from_date,
            move_users=args.move_users,
        )
        if change.changed:
            print(change.describe() + ": done.")
        else:
            print(f"Nothing to change: already in '{unit.name}'.")
    else:
        report = store.read(units.unit_report, actor, month_or_none(args.month), basis=args.basis)
        return emit(args, report.as_json, lambda: report_table(report))
    return 0


def _cmd_statement(args: argparse.Namespace) -> int:
    from billing_desktop.domain.periods import Month
    from billing_desktop.reports.layout import write_atomically
    from billing_desktop.reports.statement import render_statement
    from billing_desktop.services.statements import statement

    month = Month.parse(args.month)
    out: Path = args.out
    if out.is_dir():
        raise UsageError(f"--out {out} is a folder: give a file name, e.g. statement-{month}.pdf")
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: no such folder {out.parent}")
    store, actor = acting(args)
    data = store.read(statement, actor, month)
    rendered = render_statement(data)
    write_atomically(out, rendered.data)
    kind = "provisional statement" if data.provisional else "statement"
    pages = f"{rendered.pages} page{'s' if rendered.pages != 1 else ''}"
    print(f"Wrote the {kind} for {month} to {out} ({pages}).")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from billing_desktop.services.usage_data import CallQuery, export_call_log

    out: Path = args.out
    if args.last < args.first:
        raise UsageError(f"--to {args.last} is before --from {args.first}")
    if out.is_dir():
        raise UsageError(f"--out {out} is a folder: give a file name, e.g. call-logs.csv")
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: no such folder {out.parent}")
    store, actor = acting(args)
    rows = store.read(export_call_log, actor, CallQuery(first=args.first, last=args.last), out)
    print(f"Wrote {rows:,} call{'s' if rows != 1 else ''} to {out}.")
    return 0
