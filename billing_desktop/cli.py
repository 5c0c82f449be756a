"""Command line (PRODUCT §11): parsing and printing only; the work is in services/ and ui/.

Exit status: 0 on success, 2 on bad input (one line on stderr naming the problem, nothing
written), 1 on an unexpected failure.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from billing_desktop import __version__
from billing_desktop.domain.errors import BillingError

if TYPE_CHECKING:  # the command line imports what a command needs only when it runs
    from billing_desktop.domain.access import Actor
    from billing_desktop.remote.client import HttpStore
    from billing_desktop.store.sql.uow import SqlStore

PROG = "billing-desktop"


class UsageError(BillingError):
    """Bad command-line input detected after parsing."""


def _month(text: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise argparse.ArgumentTypeError(f"'{text}' is not a month (YYYY-MM)")
    return text


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{3,5})x(\d{3,5})", text)
    if not match:
        raise argparse.ArgumentTypeError(f"'{text}' is not a size (WIDTHxHEIGHT, e.g. 1280x800)")
    return int(match.group(1)), int(match.group(2))


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be at least 1")
    return value


def _duration(text: str) -> Any:
    from billing_desktop.domain.errors import InvalidInput
    from billing_desktop.server.tokens import parse_duration

    try:
        return parse_duration(text)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    from billing_desktop.services.imports import KINDS

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Billing administration for contact-centre and conversational-AI workspaces.",
        epilog="Without a command the desktop application starts (same as 'gui').",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--self-test",
        nargs="?",
        const="",
        default=None,
        metavar="DIR",
        help="check this installation offscreen (store, tabs, PDF, chart) and exit 0 when it "
        "works; keeps its files in DIR when given, else uses a temporary folder",
    )
    parser.add_argument(
        "--store",
        metavar="URL",
        help="store file path or SQLAlchemy URL (default: $BILLING_DESKTOP_STORE, "
        "then billing.db in the per-user data folder)",
    )
    parser.add_argument(
        "--user", metavar="ID", help="act as this user of the workspace (default: the first admin)"
    )
    parser.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="send the API token over plain http:// to a server on another machine (refused "
        "otherwise: use https://); same as BILLING_DESKTOP_ALLOW_INSECURE_HTTP=1",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

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
        type=_positive,
        default=3,
        help="months of usage, ending with the current one (default 3)",
    )
    demo.add_argument(
        "--agents",
        type=_positive,
        default=None,
        help="licensed agents (default 25, or 200 with --scale large)",
    )
    demo.add_argument(
        "--scale",
        choices=("small", "large"),
        default="small",
        help="large: the benchmark store (about 1,000,000 calls)",
    )
    demo.add_argument(
        "--today",
        type=_day,
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
        type=_size,
        default=(1280, 800),
        metavar="WxH",
        help="window size (default 1280x800)",
    )
    shot.add_argument(
        "--month",
        type=_month,
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
    usage.add_argument("--month", type=_month, default=None, metavar="YYYY-MM")
    usage.add_argument("--json", action="store_true", help="print the PRODUCT §11.1 JSON shape")

    close = commands.add_parser(
        "close-month",
        help="close a month: recharge commits, debit credit, issue the invoice",
        description="Close an ended month: ledger rows for commit recharges, credit used and "
        "expired, and one invoice for what credit did not cover. Idempotent; months are closed "
        "in order, and a closed month cannot change.",
    )
    close.add_argument("month", type=_month, metavar="YYYY-MM")
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
        "--from", dest="first", type=_day, required=True, metavar="DATE", help="first day"
    )
    sessions.add_argument(
        "--to", dest="last", type=_day, required=True, metavar="DATE", help="last day (included)"
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
    unit_report = unit_commands.add_parser(
        "report",
        help="usage and recurring charges per unit for a month, at list price",
        description="Usage and recurring charges per billing unit for a month (default: the "
        "current one), at list price (before free units and credits), with an Unassigned row; "
        "the rows add up to the account's list-price total.",
    )
    unit_report.add_argument("--month", type=_month, default=None, metavar="YYYY-MM")
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
        "--from", dest="first", type=_day, required=True, metavar="DATE", help="first day"
    )
    call_logs.add_argument(
        "--to", dest="last", type=_day, required=True, metavar="DATE", help="last day (included)"
    )
    call_logs.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE",
        help="the file to write: CSV, or an Excel workbook when it ends in .xlsx",
    )
    serve = commands.add_parser(
        "serve",
        help="serve the store over HTTP JSON to remote clients (extra 'server')",
        description="Serve the workspace in --store (an SQLite file or a PostgreSQL URL) over "
        "HTTP JSON. Clients sign in with tokens from 'tokens create'. Stateless: run several "
        "servers on one database behind a load balancer. Terminate TLS in front of it, or "
        "give --certfile and --keyfile.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    serve.add_argument("--workers", type=_positive, default=1, help="server processes")
    serve.add_argument("--certfile", type=Path, default=None, help="TLS certificate (PEM)")
    serve.add_argument("--keyfile", type=Path, default=None, help="TLS private key (PEM)")

    tokens = commands.add_parser(
        "tokens",
        help="issue, list and revoke API tokens for remote clients (admins)",
        description="Issue an API token for a user of the workspace (printed once; only its "
        "hash is stored), list the tokens (never the secret) or revoke one: the server checks "
        "every request, so a revoked or expired token is refused at once.",
    )
    token_commands = tokens.add_subparsers(
        dest="tokens_command", metavar="SUBCOMMAND", required=True
    )
    create_token = token_commands.add_parser("create", help="print a new token for a user")
    create_token.add_argument("--user", dest="token_user", required=True, metavar="ID")
    create_token.add_argument(
        "--expires",
        type=_duration,
        default=None,
        metavar="DURATION",
        help="end the token after this long: hours, days or weeks (12h, 30d, 90d, 2w); "
        "default: until revoked",
    )
    list_tokens = token_commands.add_parser(
        "list", help="the tokens: id, user, created, last used, expires, status (no secrets)"
    )
    list_tokens.add_argument("--json", action="store_true", help="print the list as JSON")
    revoke_token = token_commands.add_parser("revoke", help="revoke a token (see 'tokens list')")
    revoke_token.add_argument("token_id", type=_positive, metavar="ID", help="the token's id")
    _add_backup_commands(commands)
    return parser


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=False))


def _open(args: argparse.Namespace, create: bool = False) -> SqlStore | HttpStore:
    """The store of ``--store``; a missing or empty file becomes one only with ``create``."""
    from billing_desktop.bootstrap import open_store

    return open_store(args.store, create=create)


def _acting(args: argparse.Namespace) -> tuple[SqlStore | HttpStore, Actor]:
    """The store of ``--store`` and who acts in it: ``--user`` on a local store, the token's
    user on a remote one (the server decides)."""
    from billing_desktop.services.overview import workspace

    store = _open(args)
    return store, store.read(workspace, args.user).actor


def _local(args: argparse.Namespace, command: str, create: bool = False) -> SqlStore:
    """The store of ``--store``, which must be local (a file or an SQL database) for this."""
    from billing_desktop.store.sql.uow import SqlStore

    store = _open(args, create)
    if not isinstance(store, SqlStore):
        raise UsageError(
            f"{command} works on the store itself: run it where the store is, with "
            "--store FILE or a database URL"
        )
    return store


def _emit(args: argparse.Namespace, as_json: Callable[[], Any], as_text: Callable[[], str]) -> int:
    """Print a command's result: JSON with ``--json``, readable text otherwise."""
    if getattr(args, "json", False):
        _print_json(as_json())
    else:
        print(as_text())
    return 0


def _month_or_none(text: str | None) -> Any:
    from billing_desktop.domain.periods import Month

    return Month.parse(text) if text else None


def _cmd_demo(args: argparse.Namespace) -> int:
    from billing_desktop.services.demo import build_demo

    store = _local(args, "demo", create=True)
    if args.if_empty:
        from billing_desktop.services.context import is_empty

        with store() as uow:
            if not is_empty(uow):
                print("The store already holds a workspace; no demo data added.")
                return 0

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    report = build_demo(
        store,
        seed=args.seed,
        months=args.months,
        agents=args.agents,
        scale=args.scale,
        today=args.today,
        user_id=args.user,
        progress=progress if sys.stderr.isatty() else None,
    )
    print(report.summary())
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from billing_desktop.services.imports import import_file
    from billing_desktop.store.sql.uow import SqlStore

    store = _open(args, create=args.kind == "account")
    if isinstance(store, SqlStore):
        report = import_file(store, args.kind, args.file, user_id=args.user)
    else:
        report = store.import_csv(args.kind, args.file)
    return _emit(args, report.as_dict, report.summary)


def _cmd_screenshot(args: argparse.Namespace) -> int:
    from billing_desktop.ui.screenshot import take_screenshots

    store = _open(args)
    paths = take_screenshots(
        store, user_id=args.user, out_dir=args.out, size=args.size, month=args.month
    )
    for path in paths:
        print(path.name)
    return 0


def _cmd_gui(args: argparse.Namespace) -> int:
    from billing_desktop.ui.app import run_gui

    return run_gui(store_location=args.store, user_id=args.user)


def _cmd_usage(args: argparse.Namespace) -> int:
    from billing_desktop.services.billing import usage_summary
    from billing_desktop.text_tables import usage_table

    store, actor = _acting(args)
    summary = store.read(usage_summary, actor, _month_or_none(args.month))
    return _emit(args, summary.as_json, lambda: usage_table(summary))


def _cmd_close_month(args: argparse.Namespace) -> int:
    from billing_desktop.services.month_close import close_month

    store, actor = _acting(args)
    report = store.write(close_month, actor, _month_or_none(args.month))
    return _emit(args, report.as_json, report.summary)


def _cmd_sessions(args: argparse.Namespace) -> int:
    from billing_desktop.services.sessions import session_statistics
    from billing_desktop.text_tables import sessions_table

    store, actor = _acting(args)
    statistics = store.read(
        session_statistics, actor, args.first, args.last, app=args.app, bucket=args.bucket
    )
    return _emit(args, statistics.as_dict, lambda: sessions_table(statistics))


def _cmd_units(args: argparse.Namespace) -> int:
    from billing_desktop.services import units
    from billing_desktop.text_tables import report_table

    if args.units_command == "assign" and not (args.users or args.teams or args.numbers):
        raise UsageError("units assign: give at least one --user, --team or --number")
    store, actor = _acting(args)
    if args.units_command == "add":
        unit = store.write(units.add_unit, actor, args.name)
        print(f"Added billing unit '{unit.name}'.")
    elif args.units_command == "assign":
        unit = store.read(units.find_unit, actor, args.unit)
        change = store.write(
            units.assign, actor, unit.id, args.users, args.teams, args.numbers, move=args.move
        )
        if change.changed:
            print(change.describe() + ": done.")
        else:
            print(f"Nothing to change: already in '{unit.name}'.")
    else:
        report = store.read(units.unit_report, actor, _month_or_none(args.month))
        return _emit(args, report.as_json, lambda: report_table(report))
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
    store, actor = _acting(args)
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
    store, actor = _acting(args)
    rows = store.read(export_call_log, actor, CallQuery(first=args.first, last=args.last), out)
    print(f"Wrote {rows:,} call{'s' if rows != 1 else ''} to {out}.")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from billing_desktop.server.main import plain_http_warning, serve

    _local(args, "serve")
    if (args.certfile is None) != (args.keyfile is None):
        raise UsageError("serve: give both --certfile and --keyfile, or neither")
    for path in (args.certfile, args.keyfile):
        if path is not None and not path.is_file():
            raise UsageError(f"serve: no such file {path}")
    from billing_desktop.config import store_url

    warning = plain_http_warning(args.host, args.certfile)
    if warning is not None:
        print(f"{PROG}: {warning}", file=sys.stderr, flush=True)
    serve(
        store_url(args.store),
        host=args.host,
        port=args.port,
        workers=args.workers,
        certfile=args.certfile,
        keyfile=args.keyfile,
    )
    return 0


def _cmd_tokens(args: argparse.Namespace) -> int:
    from billing_desktop.server import tokens

    store = _local(args, f"tokens {args.tokens_command}")
    if args.tokens_command == "create":
        print(tokens.create(store, args.user, args.token_user, args.expires))
    elif args.tokens_command == "list":
        rows = tokens.listing(store, args.user)
        return _emit(args, lambda: rows, lambda: tokens.listing_table(rows))
    else:
        print(tokens.revoke(store, args.user, args.token_id))
    return 0


# Backups, restore and check (PRODUCT §10) ------------------------------------------------


def _add_backup_commands(commands: Any) -> None:
    backup = commands.add_parser(
        "backup",
        help="back up a local store (a consistent copy, safe while the app runs)",
        description="Copy the store with SQLite's online backup API into the 'backups' folder "
        "beside it (or to --out FILE), and check the copy. A PostgreSQL store is backed up "
        "with pg_dump.",
    )
    backup.add_argument("--out", type=Path, default=None, metavar="FILE", help="write here")
    backup.add_argument(
        "--list", action="store_true", help="list the store's backups instead (as 'backups')"
    )
    commands.add_parser(
        "backups",
        help="list the backups of a local store, newest first",
        description="List the backups in the 'backups' folder beside the store: when, why, "
        "size and file.",
    )
    restore = commands.add_parser(
        "restore",
        help="replace a local store by a backup (the current store is kept aside)",
        description="Check the backup (refused when damaged or written by a newer version), "
        "keep the current store aside as <store>.replaced-<timestamp>, and put a copy of the "
        "backup in its place. Close the app and other programs using the store first.",
    )
    restore.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="the backup to restore: a path, or a file name 'backups' lists",
    )
    commands.add_parser(
        "check",
        help="check a store: integrity, foreign keys and the ledger's sums",
        description="Run SQLite's integrity_check and foreign_key_check, and check the "
        "ledger against the invoices and closed months. Exit 0 when sound, 2 with one line per "
        "problem otherwise.",
    )


def _sqlite_file(store: Any, command: str) -> Path:
    path: Path | None = getattr(store, "path", None)
    if path is None:
        raise UsageError(
            f"{command}: {store.description} is a database server: back it up and restore it "
            "with its own tools (PostgreSQL: pg_dump and pg_restore)"
        )
    return path


def _store_path_for_restore(args: argparse.Namespace) -> Path:
    """The store file ``restore`` replaces: it may be missing, empty or damaged."""
    import sqlalchemy as sa

    from billing_desktop.config import is_remote, store_url
    from billing_desktop.store.sql.engine import sqlite_path

    url = store_url(args.store)
    path = None if is_remote(url) else sqlite_path(sa.make_url(url))
    if path is None:
        raise UsageError(
            "restore: only a local SQLite store is restored here; restore a database server "
            "with its own tools (PostgreSQL: pg_restore)"
        )
    return path


def _cmd_backups(args: argparse.Namespace) -> int:
    from billing_desktop.store.sql.backups import backup_folder, human_size, list_backups

    path = _sqlite_file(_local(args, "backups"), "backups")
    found = list_backups(path)
    if not found:
        print(f"No backups of {path} in {backup_folder(path)}.")
        return 0
    print(f"Backups of {path} in {backup_folder(path)}, newest first:")
    for item in found:
        print(f"{item.taken:%Y-%m-%d %H:%M:%S}  {item.reason:<13}  {human_size(item.size):>10}  "
              f"{item.path.name}")  # fmt: skip
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    from billing_desktop.store.sql.backups import human_size

    if args.list:
        return _cmd_backups(args)
    store = _local(args, "backup")
    _sqlite_file(store, "backup")
    out: Path | None = args.out
    if out is not None:
        if out.is_dir():
            raise UsageError(f"--out {out} is a folder: give a file name, e.g. billing-copy.db")
        if not out.parent.is_dir():
            raise UsageError(f"--out {out}: no such folder {out.parent}")
        if out.exists():
            raise UsageError(f"--out {out} already exists; choose a new file name")

    def progress(message: str) -> None:
        print(f"\rBacking up… {message}", end="", file=sys.stderr, flush=True)

    written = store.backup("manual", out=out, progress=progress if sys.stderr.isatty() else None)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"Backed up {store.path} to {written} ({human_size(written.stat().st_size)}).")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from billing_desktop.store.sql import backups
    from billing_desktop.store.sql.engine import head_revision, known_revisions

    path = _store_path_for_restore(args)
    chosen: Path = args.file
    listed = backups.backup_folder(path) / chosen.name
    if not chosen.exists() and chosen.name == str(chosen) and listed.is_file():
        chosen = listed  # a name from 'billing-desktop backups'
    replaced = backups.restore(path, chosen, known=known_revisions(), head=head_revision())
    _local(
        args, "restore"
    ).dispose()  # opens, checks and (for an older backup) upgrades the restored store
    kept = f"; the previous store was kept as {replaced}" if replaced else ""
    print(f"Restored {path} from {chosen}{kept}.")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from billing_desktop.services.integrity import ledger_problems
    from billing_desktop.store.sql.safety import full_check

    store = _local(args, "check")
    problems: list[str] = []
    path: Path | None = store.path
    if path is not None:
        problems += full_check(path)
    with store() as uow:
        problems += ledger_problems(uow)
    if problems:
        for problem in problems:
            print(problem)
        print(f"{PROG}: {len(problems)} problem{'s' if len(problems) != 1 else ''} found",
              file=sys.stderr)  # fmt: skip
        return 2
    checked = "integrity, foreign keys and " if path is not None else ""
    print(f"The store is sound ({checked}the ledger's sums checked).")
    return 0


COMMANDS = {
    "backup": _cmd_backup,
    "backups": _cmd_backups,
    "restore": _cmd_restore,
    "check": _cmd_check,
    "serve": _cmd_serve,
    "tokens": _cmd_tokens,
    "export": _cmd_export,
    "statement": _cmd_statement,
    "units": _cmd_units,
    "usage": _cmd_usage,
    "close-month": _cmd_close_month,
    "sessions": _cmd_sessions,
    "demo": _cmd_demo,
    "import": _cmd_import,
    "screenshot": _cmd_screenshot,
    "gui": _cmd_gui,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line: its text output cleaned of terminal control sequences, a reader
    that stops early (``| head``) ending it quietly (billing_desktop/terminal.py)."""
    from billing_desktop.terminal import clean_output, run_to_pipe

    with clean_output():
        return run_to_pipe(lambda: _run(argv))


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test is not None:
        from billing_desktop.selftest import run as self_test

        return self_test(Path(args.self_test) if args.self_test else None)
    command = args.command or "gui"
    if args.allow_insecure_http:
        from billing_desktop.remote.plain_http import allow_insecure_http

        allow_insecure_http()
    try:
        return COMMANDS[command](args)
    except BillingError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; nothing was written", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
