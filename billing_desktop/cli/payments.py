"""Payments of invoices, bank reconciliation and credit notes (issue 18 §2, §3)."""

from __future__ import annotations

import argparse
from typing import Any

from billing_desktop.cli.common import UsageError, acting, day_arg, emit
from billing_desktop.cli.registry import Handler
from billing_desktop.domain.money import format_amount, format_money
from billing_desktop.domain.receivables import ReceiptMethod

METHODS = [m.value for m in ReceiptMethod]


def register(commands: Any) -> dict[str, Handler]:
    payments = commands.add_parser(
        "payments",
        help="record, void and list payments of invoices; reconcile a bank statement",
        description="Payments received against invoices. A payment of less than is left "
        "leaves the invoice partly paid; more pays it and the rest becomes credit. A payment "
        "is never deleted: 'void' writes reversing ledger rows with the reason. Bank "
        "statements are imported with 'import payments FILE' and confirmed with "
        "'payments reconcile' and 'payments confirm'.",
    )
    actions = payments.add_subparsers(dest="payments_action", metavar="ACTION", required=True)
    record = actions.add_parser("record", help="record a payment received for an invoice")
    record.add_argument("--invoice", required=True, metavar="INV-…", help="the invoice paid")
    record.add_argument("--amount", required=True, help="the amount received")
    record.add_argument(
        "--date", type=day_arg, default=None, metavar="YYYY-MM-DD", help="default: today"
    )
    record.add_argument(
        "--method", choices=METHODS, default=ReceiptMethod.BANK_TRANSFER.value, metavar="METHOD",
        help="one of: " + ", ".join(METHODS) + " (default: bank_transfer)",
    )  # fmt: skip
    record.add_argument("--reference", default="", help="the bank's or payer's reference")
    record.add_argument("--payer", default="", help="who paid")
    record.add_argument("--json", action="store_true", help="print JSON")
    void = actions.add_parser("void", help="void a payment (reversing rows, with a reason)")
    void.add_argument("number", metavar="ID", help="the payment, PMT-…")
    void.add_argument("--reason", required=True, help="why it is voided")
    void.add_argument("--json", action="store_true", help="print JSON")
    listing = actions.add_parser("list", help="list payments, newest first (voided ones too)")
    listing.add_argument("--invoice", default=None, metavar="INV-…", help="of this invoice only")
    listing.add_argument("--json", action="store_true", help="print JSON")
    rec = actions.add_parser(
        "reconcile",
        help="the imported bank lines not confirmed yet: matched, suggested, unmatched",
    )
    rec.add_argument("--json", action="store_true", help="print JSON")
    confirm = actions.add_parser(
        "confirm", help="record payments from imported bank lines (all or none)"
    )
    confirm.add_argument(
        "--matched", action="store_true", help="every line matched by its invoice number"
    )
    confirm.add_argument(
        "--line",
        nargs=2,
        action="append",
        default=[],
        metavar=("LINE", "INV-…"),
        help="a bank line (its id, as 'reconcile' lists) and the invoice it pays; repeatable",
    )
    confirm.add_argument("--json", action="store_true", help="print JSON")
    dismiss = actions.add_parser(
        "dismiss", help="set imported bank lines aside: not payments of invoices (all or none)"
    )
    dismiss.add_argument("lines", nargs="+", metavar="LINE", help="bank line ids ('reconcile')")
    dismiss.add_argument("--reason", default="not a payment of an invoice", help="why")
    dismiss.add_argument("--json", action="store_true", help="print JSON")

    note = commands.add_parser(
        "credit-note",
        help="correct an invoice with a credit note (CN-…)",
        description="Write a credit note against an invoice (or one of its lines): at most "
        "what is left on it, with a reason. It reduces what is due on the invoice, or becomes "
        "credit when the invoice is paid. A closed month never changes.",
    )
    note.add_argument("--invoice", required=True, metavar="INV-…")
    note.add_argument("--amount", required=True)
    note.add_argument("--reason", required=True)
    note.add_argument("--line", default=None, metavar="PRODUCT", help="the line's product code")
    note.add_argument("--json", action="store_true", help="print JSON")
    return {"payments": _cmd_payments, "credit-note": _cmd_credit_note}


def render_table(header: list[str], rows: list[list[str]], right: set[int]) -> str:
    """Columns as wide as their widest cell, two spaces apart; ``right`` ones right-aligned."""
    table = [header, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in table
    )


def _cmd_payments(args: argparse.Namespace) -> int:
    action = args.payments_action
    if action == "record":
        return _record(args)
    if action == "void":
        return _void(args)
    if action == "list":
        return _list(args)
    if action == "reconcile":
        return _reconcile(args)
    if action == "dismiss":
        return _dismiss(args)
    return _confirm(args)


def _result_text(verb: str, result: Any) -> str:
    row, currency = result.payment, result.currency
    text = f"{verb} {row.number}: {format_money(row.amount, currency)} for {row.invoice}"
    if row.to_credit:
        text += f" ({format_money(row.to_credit, currency)} kept as credit)"
    return f"{text}; left to pay on {row.invoice}: {format_money(result.left, currency)}"


def _result_json(result: Any) -> dict[str, Any]:
    return {
        **_payment_json(result.payment, result.currency),
        "left": format_amount(result.left, result.currency),
    }


def _payment_json(row: Any, currency: str) -> dict[str, Any]:
    return {
        "number": row.number,
        "invoice": row.invoice,
        "amount": format_amount(row.amount, currency),
        "applied": format_amount(row.applied, currency),
        "to_credit": format_amount(row.to_credit, currency),
        "paid_on": row.paid_on.isoformat(),
        "method": row.method.value,
        "reference": row.reference,
        "payer": row.payer,
        "voided_on": row.voided_on.isoformat() if row.voided_on else None,
        "void_reason": row.void_reason,
        "currency": currency,
    }


def _record(args: argparse.Namespace) -> int:
    from billing_desktop.services.payments import record_payment

    store, actor = acting(args)
    result = store.write(
        record_payment, actor, args.invoice, args.amount, args.date, args.method,
        args.reference, args.payer,
    )  # fmt: skip
    return emit(args, lambda: _result_json(result), lambda: _result_text("Recorded", result))


def _void(args: argparse.Namespace) -> int:
    from billing_desktop.services.payments import void_payment

    store, actor = acting(args)
    result = store.write(void_payment, actor, args.number, args.reason)
    return emit(args, lambda: _result_json(result), lambda: _result_text("Voided", result))


def _list(args: argparse.Namespace) -> int:
    from billing_desktop.services.payments import list_payments

    store, actor = acting(args)
    found = store.read(list_payments, actor, args.invoice)
    currency = found.currency

    def text() -> str:
        if not found.rows:
            return "No payments recorded."
        return render_table(
            ["Payment", "Invoice", "Date", "Amount", "To credit", "Method", "Reference", "Void"],
            [
                [
                    r.number, r.invoice, r.paid_on.isoformat(), format_money(r.amount, currency),
                    format_money(r.to_credit, currency) if r.to_credit else "",
                    r.method.label, r.reference,
                    f"{r.voided_on.isoformat()}: {r.void_reason}" if r.voided_on else "",
                ]
                for r in found.rows
            ],
            right={3, 4},
        )  # fmt: skip

    return emit(args, lambda: [_payment_json(r, currency) for r in found.rows], text)


def _reconcile(args: argparse.Namespace) -> int:
    from billing_desktop.services.reconcile import reconciliation

    store, actor = acting(args)
    found = store.read(reconciliation, actor)
    currency = found.currency

    def as_json() -> list[dict[str, Any]]:
        return [
            {
                "id": line.id,
                "date": line.booked_on.isoformat(),
                "amount": format_amount(line.amount, currency),
                "reference": line.reference,
                "payer": line.payer,
                "state": line.state.value,
                "invoice": line.invoice or None,
                "left": format_amount(line.left, currency),
                "note": line.note,
            }
            for line in found.lines
        ]

    def text() -> str:
        if not found.lines:
            return (
                "No bank lines to confirm (import a statement with 'import payments FILE'). "
                f"{found.confirmed} confirmed earlier."
            )
        return render_table(
            ["Line", "Date", "Amount", "Reference", "Payer", "Match", "Invoice", "Note"],
            [
                [
                    line.id, line.booked_on.isoformat(), format_money(line.amount, currency),
                    line.reference, line.payer, line.state.value, line.invoice, line.note,
                ]
                for line in found.lines
            ],
            right={2},
        )  # fmt: skip

    return emit(args, as_json, text)


def _confirm(args: argparse.Namespace) -> int:
    from billing_desktop.services.reconcile import MatchState, confirm_lines, reconciliation

    store, actor = acting(args)
    choices = [(line, invoice) for line, invoice in args.line]
    if args.matched:
        found = store.read(reconciliation, actor)
        chosen = {line for line, _invoice in choices}
        choices += [
            (line.id, line.invoice)
            for line in found.lines
            if line.state == MatchState.MATCHED and line.id not in chosen
        ]
    if not choices:
        raise UsageError("payments confirm: give --matched or --line LINE INV-… (nothing to do)")
    done = store.write(confirm_lines, actor, choices)
    return emit(
        args,
        lambda: {"payments": list(done.payments)},
        lambda: f"Recorded {len(done.payments)} payment(s): {', '.join(done.payments)}",
    )


def _dismiss(args: argparse.Namespace) -> int:
    from billing_desktop.services.reconcile import dismiss_lines

    store, actor = acting(args)
    done = store.write(dismiss_lines, actor, args.lines, args.reason)
    return emit(
        args,
        lambda: {"dismissed": list(done.lines)},
        lambda: f"Set aside {len(done.lines)} bank line(s): {', '.join(done.lines)}",
    )


def _cmd_credit_note(args: argparse.Namespace) -> int:
    from billing_desktop.services.credit_notes import issue_credit_note

    store, actor = acting(args)
    note = store.write(issue_credit_note, actor, args.invoice, args.amount, args.reason, args.line)
    currency = note.currency

    def text() -> str:
        line = f" (line {note.line})" if note.line else ""
        amount = format_money(note.amount, currency)
        out = f"Credit note {note.number}: {amount} on {note.invoice}{line}"
        if note.to_credit:
            out += f"; {format_money(note.to_credit, currency)} added to credit"
        return f"{out}; left to pay on {note.invoice}: {format_money(note.left, currency)}"

    return emit(
        args,
        lambda: {
            "number": note.number,
            "invoice": note.invoice,
            "line": note.line,
            "amount": format_amount(note.amount, currency),
            "issued_on": note.issued_on.isoformat(),
            "reason": note.reason,
            "settled": format_amount(note.settled, currency),
            "to_credit": format_amount(note.to_credit, currency),
            "left": format_amount(note.left, currency),
            "currency": currency,
        },
        text,
    )
