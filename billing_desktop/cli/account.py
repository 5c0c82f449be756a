"""My account, payment methods and plan extension decisions (issue 19).

A card number, CVC or IBAN is never a command-line argument (it would stay in the shell's
history and in process lists): ``payment-methods add-card`` and ``add-bank`` read it from
standard input — asked for without echo on a terminal, one line each when piped — check it,
and forget it; only the brand and last four digits go to the store.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from billing_desktop.cli.common import UsageError, acting, day_arg, emit
from billing_desktop.cli.registry import Handler


def register(commands: Any) -> dict[str, Handler]:
    from billing_desktop.services.account import FIELDS

    account = commands.add_parser(
        "account",
        help="show or change the account: name, contacts, address, VAT id, time zone, ...",
        description="Show the account (anyone who may view Usage) or change one field (admins "
        "and the Edit Billing access group; audited). The currency cannot change once money "
        "rows exist; a time-zone change counts from the first open month; switching the "
        "payment method to invoice switches auto-recharge off.",
    )
    account.add_argument("action", nargs="?", choices=("show", "set"), default="show")
    account.add_argument(
        "field", nargs="?", choices=FIELDS, metavar="FIELD", help="one of: " + ", ".join(FIELDS)
    )
    account.add_argument(
        "value",
        nargs="?",
        metavar="VALUE",
        help="the new value; contacts are comma-separated e-mails, address lines are separated "
        "by \\n, an empty value clears contacts, address or VAT id",
    )
    account.add_argument("--json", action="store_true", help="print the account as JSON")

    methods = commands.add_parser(
        "payment-methods",
        help="list, add, remove the cards and bank accounts on file, or choose the default",
        description="Cards and bank accounts on file. The card number and CVC (or the IBAN) "
        "are read from standard input, asked for without echo on a terminal: never give them "
        "as arguments. They are checked (Luhn and brand, or IBAN check digits) and only the "
        "brand and last four digits are kept.",
    )
    methods.add_argument(
        "action",
        nargs="?",
        choices=("list", "add-card", "add-bank", "remove", "default"),
        default="list",
    )
    methods.add_argument("id", nargs="?", type=int, metavar="ID", help="remove/default: the id")
    methods.add_argument("--expiry", metavar="MM/YY", help="add-card: the expiry on the card")
    methods.add_argument("--holder", metavar="NAME", help="add-card: the name on the card")
    methods.add_argument("--name", metavar="NAME", help="add-bank: the bank account's name")
    methods.add_argument("--json", action="store_true", help="print the methods as JSON")

    plans = commands.add_parser(
        "plans",
        help="plan extension requests: approve or reject (admins)",
        description="Decide on an app's pending plan extension request: approve it (the "
        "app's plan then ends on --until, default the date asked for) or reject it with a "
        "reason. Without a decision, list the requests.",
    )
    plan_commands = plans.add_subparsers(dest="plans_command", metavar="SUBCOMMAND")
    extension = plan_commands.add_parser(
        "extension", help="list, approve or reject plan extension requests"
    )
    extension.add_argument(
        "decision", nargs="?", choices=("list", "approve", "reject"), default="list"
    )
    extension.add_argument("app", nargs="?", metavar="APP", help="the app's id")
    extension.add_argument("--until", type=day_arg, metavar="DATE", help="approve: new end")
    extension.add_argument("--reason", metavar="TEXT", help="reject: why")
    extension.add_argument("--json", action="store_true", help="print the result as JSON")
    storage = commands.add_parser(
        "recording-storage",
        help="recording storage per day, the peak-day billing window and the charge it implies",
        description="Call-recording storage per day (the last 60 days), the current peak-day "
        "billing window (the 28th to the 27th), its peak so far and the charge that peak "
        "implies at list price, before credits and commits.",
    )
    storage.add_argument("--json", action="store_true", help="print it as JSON")

    prepaid = commands.add_parser(
        "prepaid",
        help="prepaid invoices: issue one for an amount of credit, list them, mark one paid",
        description="An account paying by invoice buys credit by a prepaid invoice (PRE-000001, "
        "numbered on its own): 'prepaid --amount AMOUNT' issues one, 'prepaid list' lists "
        "them with their status, 'prepaid mark-paid NUMBER' records its payment and adds the "
        "credit.",
    )
    prepaid.add_argument(
        "action", nargs="?", choices=("issue", "list", "mark-paid"), default="issue"
    )
    prepaid.add_argument("number", nargs="?", metavar="NUMBER", help="mark-paid: the invoice")
    prepaid.add_argument("--amount", metavar="AMOUNT", help="issue: the credit to buy")
    prepaid.add_argument("--json", action="store_true", help="print the result as JSON")
    return {
        "account": _cmd_account,
        "payment-methods": _cmd_methods,
        "plans": _cmd_plans,
        "recording-storage": _cmd_storage,
        "prepaid": _cmd_prepaid,
    }


# account ------------------------------------------------------------------------------------


def _account_text(details: Any) -> str:
    from billing_desktop.services.account import FIELD_LABELS, FIELDS

    width = max(len(label) for label in FIELD_LABELS.values())
    lines = [f"{FIELD_LABELS[f]:<{width}}  {details.field_text(f) or '—'}" for f in FIELDS]
    return "\n".join(lines)


def _cmd_account(args: argparse.Namespace) -> int:
    from billing_desktop.services.account import account_details, update_account

    if args.action == "show":
        if args.field is not None:
            raise UsageError("account show takes no field: use 'account set FIELD VALUE'")
        store, actor = acting(args)
        details = store.read(account_details, actor)
        return emit(args, details.as_json, lambda: _account_text(details))
    if args.field is None or args.value is None:
        raise UsageError(
            "account set needs a FIELD and a VALUE (e.g. account set vat_id DE136695976)"
        )
    store, actor = acting(args)
    change = store.write(update_account, actor, {args.field: args.value})
    return emit(
        args,
        lambda: {
            "changed": list(change.changed),
            "messages": list(change.messages),
            "account": change.details.as_json(),
        },
        change.summary,
    )


# payment-methods ------------------------------------------------------------------------------


def _secret(prompt: str) -> str:
    """One secret line: asked for without echo on a terminal, else read from standard input."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    line = sys.stdin.readline()
    if not line:
        raise UsageError(f"{prompt.rstrip(': ').lower()}: nothing on standard input")
    return line.rstrip("\r\n")


def _method_json(method: Any) -> dict[str, object]:
    return {
        "id": method.id,
        "kind": method.kind,
        "brand": method.brand,
        "last_four": method.last_four,
        "expiry": method.expiry or None,
        "holder": method.holder,
        "default": method.is_default,
        "state": method.state or "valid",
        "added_on": method.added_on.isoformat(),
    }


def _methods_json(methods: Any) -> dict[str, object]:
    return {
        "methods": [_method_json(m) for m in methods.methods],
        "auto_recharge_problem": methods.auto_recharge_problem,
    }


def _methods_text(methods: Any) -> str:
    from billing_desktop.text_tables import aligned

    if not methods.methods:
        return "No payment methods on file."
    rows = [["Id", "Method", "Expiry", "Holder / name", "Default", "State"]]
    for m in methods.methods:
        state = {"expired": "EXPIRED", "expiring": "expires soon"}.get(m.state, "")
        rows.append([str(m.id), m.label, m.expiry, m.holder, "yes" if m.is_default else "", state])
    line = aligned(rows)
    return "\n".join(line(row) for row in rows)


def _cmd_methods(args: argparse.Namespace) -> int:
    from billing_desktop.domain.payment_methods import check_card, check_iban
    from billing_desktop.services import payment_methods as pm

    action = args.action
    if action in ("remove", "default") and args.id is None:
        raise UsageError(f"payment-methods {action} needs the method's ID ('payment-methods list')")
    if action in ("add-card", "add-bank") and args.id is not None:
        raise UsageError(
            f"payment-methods {action} takes no number as an argument (it would stay in the "
            "shell's history): it reads it from standard input"
        )
    if action == "add-card" and (not args.expiry or not args.holder):
        raise UsageError("payment-methods add-card needs --expiry MM/YY and --holder NAME")
    if action == "add-bank" and not args.name:
        raise UsageError("payment-methods add-bank needs --name NAME")
    store, actor = acting(args)
    if action == "list":
        methods = store.read(pm.payment_methods, actor)
        return emit(args, lambda: _methods_json(methods), lambda: _methods_text(methods))
    if action == "add-card":
        card = check_card(_secret("Card number: "), _secret("Security code (CVC): "))
        change = store.write(
            pm.add_card, actor, card.brand, card.last_four, args.expiry, args.holder
        )
    elif action == "add-bank":
        change = store.write(pm.add_bank_account, actor, args.name, check_iban(_secret("IBAN: ")))
    elif action == "remove":
        change = store.write(pm.remove_payment_method, actor, args.id)
    else:
        change = store.write(pm.set_default_payment_method, actor, args.id)
    return emit(
        args,
        lambda: {"message": change.message, **_methods_json(change.methods)},
        lambda: change.message,
    )


# plans extension --------------------------------------------------------------------------------


def _request_json(request: Any) -> dict[str, object]:
    return {
        "id": request.id,
        "app": request.app,
        "status": request.status,
        "requested_end": request.requested_end.isoformat(),
        "reason": request.reason,
        "requested_by": request.requested_by,
        "granted_end": request.granted_end.isoformat() if request.granted_end else None,
        "decision_note": request.decision_note or None,
        "decided_by": request.decided_by,
    }


def _cmd_plans(args: argparse.Namespace) -> int:
    from billing_desktop.services import plan_extensions, plans
    from billing_desktop.services.overview import apps

    if args.plans_command != "extension":
        raise UsageError("plans needs a subcommand: plans extension [list|approve|reject]")
    decision = args.decision
    if decision != "list" and not args.app:
        raise UsageError(f"plans extension {decision} needs the APP id")
    if decision == "reject" and not (args.reason or "").strip():
        raise UsageError("plans extension reject needs --reason TEXT")
    if decision != "approve" and args.until is not None:
        raise UsageError("--until goes with 'plans extension approve'")
    store, actor = acting(args)
    if decision == "list":
        ids = [args.app] if args.app else [row.id for row in store.read(apps, actor)]
        requests = [
            r for app_id in ids for r in store.read(plans.app_plans, actor, app_id).extensions
        ]

        def text() -> str:
            if not requests:
                return "No plan extension requests."
            return "\n".join(
                f"{r.app}: to {r.requested_end.isoformat()} ({r.status}"
                + (f", until {r.granted_end.isoformat()}" if r.granted_end else "")
                + (f": {r.decision_note}" if r.decision_note else "")
                + f") — {r.reason}"
                for r in requests
            )

        return emit(args, lambda: [_request_json(r) for r in requests], text)
    if decision == "approve":
        decided = store.write(plan_extensions.approve_extension, actor, args.app, args.until)
        message = (
            f"Extension approved: {args.app}'s plan now ends on "
            f"{decided.granted_end.isoformat() if decided.granted_end else '?'}."
        )
    else:
        decided = store.write(plan_extensions.reject_extension, actor, args.app, args.reason)
        message = f"Extension to {decided.requested_end.isoformat()} rejected for {args.app}."
    return emit(args, lambda: _request_json(decided), lambda: message)


# recording-storage ------------------------------------------------------------------------------


def _cmd_storage(args: argparse.Namespace) -> int:
    from billing_desktop.services.recording_storage import recording_storage

    store, actor = acting(args)
    found = store.read(recording_storage, actor)

    def text() -> str:
        lines = [found.summary()]
        for item in found.days:
            mark = "  window" if item.in_window else ""
            peak = "  peak" if item.day == found.peak_day else ""
            lines.append(f"{item.day.isoformat()}  {item.quantity:>12,f} {found.unit}{mark}{peak}")
        return "\n".join(lines)

    return emit(args, found.as_json, text)


# prepaid ------------------------------------------------------------------------------------------


def _prepaid_json(invoice: Any) -> dict[str, object]:
    return {
        "number": invoice.number,
        "issued_on": invoice.issued_on.isoformat(),
        "due_on": invoice.due_on.isoformat() if invoice.due_on else None,
        "amount": str(invoice.amount),
        "currency": invoice.currency,
        "status": invoice.status.value,
        "paid_on": invoice.paid_on.isoformat() if invoice.paid_on else None,
        "credited": invoice.credited,
    }


def _cmd_prepaid(args: argparse.Namespace) -> int:
    from billing_desktop.domain.money import format_money
    from billing_desktop.services import prepaid

    if args.action == "issue" and not args.amount:
        raise UsageError("prepaid needs --amount AMOUNT (the credit to buy)")
    if args.action == "mark-paid" and not args.number:
        raise UsageError("prepaid mark-paid needs the invoice NUMBER (e.g. PRE-000001)")
    store, actor = acting(args)
    if args.action == "list":
        found = store.read(prepaid.prepaid_invoices, actor)

        def text() -> str:
            if not found:
                return "No prepaid invoices."
            return "\n".join(
                f"{i.number}  {i.issued_on.isoformat()}  {format_money(i.amount, i.currency):>14}"
                f"  {i.status.value}" + (f" {i.paid_on.isoformat()}" if i.paid_on else "")
                for i in found
            )

        return emit(args, lambda: [_prepaid_json(i) for i in found], text)
    if args.action == "issue":
        done = store.write(prepaid.issue_prepaid_invoice, actor, args.amount)
    else:
        done = store.write(prepaid.mark_prepaid_paid, actor, args.number)
    return emit(args, lambda: _prepaid_json(done), done.summary)
