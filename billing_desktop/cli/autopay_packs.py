"""Auto-pay of invoices and add-on volume packs (issue 19 §3, §5)."""

from __future__ import annotations

import argparse
from typing import Any

from billing_desktop.cli.common import UsageError, acting, emit
from billing_desktop.cli.payments import render_table
from billing_desktop.cli.registry import Handler
from billing_desktop.domain.money import format_amount, format_money
from billing_desktop.domain.quotas import Statistic, format_quantity

STATISTICS = [s.value for s in Statistic]


def register(commands: Any) -> dict[str, Handler]:
    auto = commands.add_parser(
        "auto-pay",
        help="pay the invoices that are due by the default payment method (when auto-pay is on)",
        description="When auto-pay is on ('account set auto_pay on'), every open invoice whose "
        "due date is reached is recorded as paid by the default payment method on its due "
        "date (reference AUTOPAY-<invoice>), once. The app does this when it starts and "
        "refreshes, and after a month is closed; this command does it now and says what it "
        "paid, or why it could not (no default method, an expired card).",
    )
    auto.add_argument(
        "--status", action="store_true", help="only show what is due and why, paying nothing"
    )
    auto.add_argument("--json", action="store_true", help="print JSON")
    packs = commands.add_parser(
        "packs",
        help="list or buy add-on volume packs (they raise this month's quota)",
        description="Add-on volume packs raise a statistic's quota for the current month. "
        "Their prices come from the rate card ('import packs FILE'). A credit-card account "
        "pays a pack from its credit (a ledger row); an invoice account gets an invoice "
        "PACK-… for it.",
    )
    packs.add_argument("action", nargs="?", choices=("list", "buy"), default="list")
    packs.add_argument(
        "statistic", nargs="?", choices=STATISTICS, metavar="STATISTIC",
        help="for buy: one of " + ", ".join(STATISTICS),
    )  # fmt: skip
    packs.add_argument("pack", nargs="?", metavar="PACK", help="for buy: the pack's name")
    packs.add_argument("--count", type=int, default=1, help="how many packs (default 1)")
    packs.add_argument("--json", action="store_true", help="print JSON")
    return {"auto-pay": _cmd_auto_pay, "packs": _cmd_packs}


def _cmd_auto_pay(args: argparse.Namespace) -> int:
    from billing_desktop.services.auto_pay import apply_auto_pay, auto_pay_status

    store, actor = acting(args)
    if args.status:
        report = store.read(auto_pay_status, actor)
    else:
        report = store.write(apply_auto_pay, actor)
    return emit(args, report.as_json, report.summary)


def _cmd_packs(args: argparse.Namespace) -> int:
    if args.action == "buy":
        if args.statistic is None or args.pack is None:
            raise UsageError("packs buy: give the STATISTIC and the PACK's name")
        return _buy(args)
    if args.statistic is not None or args.pack is not None:
        raise UsageError("packs list takes no STATISTIC or PACK")
    return _list(args)


def _buy(args: argparse.Namespace) -> int:
    from billing_desktop.services.pack_purchases import buy_pack, pack_purchases

    store, actor = acting(args)
    purchase = store.write(buy_pack, actor, args.statistic, args.pack, args.count)
    currency = store.read(pack_purchases, actor).currency
    return emit(args, lambda: purchase.as_json(currency), lambda: purchase.summary(currency))


def _list(args: argparse.Namespace) -> int:
    from billing_desktop.services.pack_purchases import pack_purchases
    from billing_desktop.services.quotas import quota_overview

    store, actor = acting(args)
    overview = store.read(quota_overview, actor)
    bought = store.read(pack_purchases, actor)
    currency = overview.currency
    month = overview.month.strftime("%Y-%m")

    def as_json() -> dict[str, Any]:
        return {
            "month": month,
            "currency": currency,
            "offered": [
                {
                    "statistic": line.statistic.value,
                    "name": pack.name,
                    "volume": pack.volume,
                    "price": format_amount(pack.price, currency),
                }
                for line in overview.lines
                for pack in line.packs
            ],
            "quotas": [
                {
                    "statistic": line.statistic.value,
                    "quota": line.quota,
                    "packs_bought": line.packs_bought,
                    "extra": line.extra,
                    "quota_with_packs": line.effective_quota,
                }
                for line in overview.lines
            ],
            "bought": [p.as_json(currency) for p in bought.purchases],
        }

    def text() -> str:
        offered = [
            [line.statistic.value, pack.name, format_quantity(pack.volume),
             format_money(pack.price, currency)]
            for line in overview.lines
            for pack in line.packs
        ]  # fmt: skip
        parts = [
            render_table(["Statistic", "Pack", "Volume", "Price"], offered, right={2, 3})
            if offered
            else "No add-on packs are offered (import them: 'import packs FILE')."
        ]
        quotas = [
            f"{line.label}: quota {format_quantity(line.quota)}"
            + (
                f" +{line.packs_bought} pack{'s' if line.packs_bought != 1 else ''} "
                f"(+{format_quantity(line.extra)}) = {format_quantity(line.effective_quota or 0)}"
                if line.packs_bought
                else ""
            )
            for line in overview.lines
            if line.quota is not None
        ]
        if quotas:
            parts.append(f"Quotas of {month}:\n" + "\n".join(f"  {q}" for q in quotas))
        if bought.purchases:
            parts.append(
                render_table(
                    ["Bought", "Number", "Month", "Statistic", "Pack", "Count", "Price", "Paid by"],
                    [
                        [p.bought_on.isoformat(), p.number, str(p.month), p.statistic.value,
                         p.pack, str(p.count), format_money(p.price, currency), p.paid_by]
                        for p in bought.purchases
                    ],
                    right={5, 6},
                )
            )  # fmt: skip
        return "\n\n".join(parts)

    return emit(args, as_json, text)
