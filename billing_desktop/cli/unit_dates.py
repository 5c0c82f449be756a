"""``units assign --from DATE [--preview]`` (issue 20 §5): an assignment in force from a day of
an open month, and the cost report's change before it is saved."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from billing_desktop.cli.common import emit

if TYPE_CHECKING:  # the services load when the command runs, not when the parser is built
    from billing_desktop.domain.model import BillingUnit
    from billing_desktop.services.assignment_preview import AssignmentPreview


def add_arguments(parser: argparse.ArgumentParser, day_arg: Any) -> None:
    """The options ``units assign`` gains."""
    parser.add_argument(
        "--from",
        dest="from_date",
        type=day_arg,
        default=None,
        metavar="YYYY-MM-DD",
        help="in force from this day (a day of an open month, not after today): calls and "
        "alerts before it stay with the unit they were in; default: from the start of the open "
        "months",
    )
    parser.add_argument(
        "--move-users",
        action="store_true",
        help="the users leave the other units they are in (a user may be in several)",
    )
    parser.add_argument(
        "--preview",
        action="store_true",
        help="write nothing: show each affected month's cost per unit before and after",
    )
    parser.add_argument(
        "--json", action="store_true", help="with --preview: print the preview as JSON"
    )


def preview_table(preview: AssignmentPreview) -> str:
    """The readable form of ``units assign --preview``."""
    from billing_desktop.domain.money import format_money
    from billing_desktop.text_tables import aligned

    if not preview.months:
        return "Nothing to change: " + preview.change.describe().lower() + " changes no cost."

    def money(amount: Any) -> str:
        return format_money(amount, preview.currency)

    def signed(amount: Any) -> str:
        return ("+" if amount > 0 else "") + money(amount) if amount else "—"

    out = [f"Preview (nothing saved): {preview.change.describe()}", ""]
    for month in preview.months:
        header = ("Billing unit", "Before", "After", "Change")
        rows = [(r.name, money(r.before), money(r.after), signed(r.change)) for r in month.rows]
        line = aligned([header, *rows])
        state = "" if month.changed else " — no change"
        out += [f"{month.month} (at list price){state}", line(header), *map(line, rows), ""]
    return "\n".join(out).rstrip()


def run_preview(args: argparse.Namespace, store: Any, actor: Any, unit: BillingUnit) -> int:
    from billing_desktop.services.assignment_preview import preview_assignment

    preview = store.read(
        preview_assignment,
        actor,
        unit.id,
        args.users,
        args.teams,
        args.numbers,
        move=args.move,
        from_date=args.from_date,
        move_users=args.move_users,
    )
    return emit(args, preview.as_json, lambda: preview_table(preview))


def add_history_parser(unit_commands: Any) -> None:
    """``units history``: the recorded changes to membership."""
    history = unit_commands.add_parser(
        "history",
        help="who joined or left which unit, from which date, recorded when and by whom",
        description="Every change to billing-unit membership since the history began (changes "
        "made before it are in force since the start of time), oldest first.",
    )
    history.add_argument("--json", action="store_true", help="print the history as JSON")


def history_rows(changes: Any, zone: Any) -> list[dict[str, Any]]:
    return [
        {
            "recorded_at": c.recorded_at.isoformat() if c.recorded_at else None,
            "by": c.actor,
            "unit": c.unit_name,
            "kind": c.kind,
            "member": c.member,
            "change": "joined" if c.added else "left",
            "from": c.effective_from.astimezone(zone).date().isoformat()
            if c.effective_from
            else None,
        }
        for c in changes
    ]


def run_history(args: argparse.Namespace, store: Any, actor: Any) -> int:
    from zoneinfo import ZoneInfo

    from billing_desktop.services.overview import workspace
    from billing_desktop.services.units.history import membership_history
    from billing_desktop.text_tables import aligned

    account = store.read(workspace, args.user).account
    zone = ZoneInfo(account.timezone if account is not None else "UTC")
    rows = history_rows(store.read(membership_history, actor), zone)

    def text() -> str:
        if not rows:
            return "No changes to billing-unit membership recorded yet."
        header = ("Recorded (UTC)", "By", "Unit", "Member", "Change", "From")
        table = [
            (
                (r["recorded_at"] or "")[:16].replace("T", " "),
                r["by"],
                r["unit"],
                r["member"],
                r["change"],
                r["from"] or "start",
            )
            for r in rows
        ]
        line = aligned([header, *table])
        return "\n".join([line(header), *(line(r) for r in table)])

    return emit(args, lambda: {"changes": rows}, text)
