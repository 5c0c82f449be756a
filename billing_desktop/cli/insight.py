"""Why a figure is what it is, where it is going, what if: ``explain``, ``forecast``,
``whatif`` (issue 20)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from billing_desktop.cli.common import acting, emit, month_arg, month_or_none
from billing_desktop.cli.registry import Handler

if TYPE_CHECKING:
    from billing_desktop.services.explain import ChargeExplanation
    from billing_desktop.services.forecast import MonthForecast
    from billing_desktop.services.whatif import WhatIf


def register(commands: Any) -> dict[str, Handler]:
    explain = commands.add_parser(
        "explain",
        help="walk one product's charge for a month through the engine's numbers",
        description="How a product's charge for a month is what 'usage' shows: the quantity "
        "and how it was measured, the free units (allowance x peak agents), the billable rest, "
        "each price band, the rounding, each credit pool drawn and what is left, the charge "
        "and the balance; then the usage per day and the records behind it.",
    )
    explain.add_argument(
        "--month", type=month_arg, default=None, metavar="YYYY-MM", help="default: this month"
    )
    explain.add_argument("--product", required=True, metavar="CODE", help="the product's code")
    explain.add_argument(
        "--json", action="store_true", help="print the JSON shape (README: explain --json)"
    )
    forecast = commands.add_parser(
        "forecast",
        help="where the current month will end: quantities, charges, run-out dates",
        description="Month-end forecast of the current month from its run-rate (the complete "
        "days so far): projected quantity, charge and balance per product with a band from "
        "the day-to-day spread, the dates free units and commit credit run out, and the date "
        "each Usage Data quota will be exceeded.",
    )
    forecast.add_argument(
        "--json", action="store_true", help="print the JSON shape (README: forecast --json)"
    )
    whatif = commands.add_parser(
        "whatif",
        help="a month's invoice and unit costs with other agents, commits, prices, tiers, "
        "commit scope or app plans (writes nothing)",
        description="Rate an open month as if the number of agents, a commit, the commit scope, "
        "a price or a product's tiers were different, billing units held other members or an "
        "app were on another plan, and show its invoice and the unit cost report (and the "
        "plans in force) beside today's, line by line. Nothing is written.",
    )
    whatif.add_argument(
        "--month", type=month_arg, default=None, metavar="YYYY-MM", help="default: this month"
    )
    whatif.add_argument("--agents", type=int, default=None, metavar="N", help="licensed agents")
    whatif.add_argument(
        "--commit",
        action="append",
        default=[],
        metavar="PRODUCT=AMOUNT/FREQ",
        help="a product's commit (or 'account'), e.g. voice-minutes=500/monthly; repeatable",
    )
    whatif.add_argument(
        "--price",
        action="append",
        default=[],
        metavar="PRODUCT=PRICE",
        help="a product's unit price, e.g. sms=0.0075; repeatable",
    )
    whatif.add_argument(
        "--move",
        action="append",
        default=[],
        metavar="UNIT=MEMBER[,MEMBER]",
        help="move users (ids) and numbers (+E.164) into a billing unit, e.g. "
        "Sales=u001,+14155550100; repeatable",
    )
    whatif.add_argument(
        "--commit-scope",
        default=None,
        metavar="SCOPE",
        help="the account's commit scope: account, product or none",
    )
    whatif.add_argument(
        "--tiers",
        action="append",
        default=[],
        metavar="PRODUCT=UPTO:PRICE,…,PRICE",
        help="replace a product's price table: the first UPTO billable units at PRICE, the "
        "units up to the next UPTO at its PRICE…, the rest at the last PRICE, e.g. "
        "sms=1000:0.01,5000:0.008,0.006; repeatable",
    )
    whatif.add_argument(
        "--plan",
        action="append",
        default=[],
        metavar="APP=PLAN",
        help="move an app (id or name) to a plan (code or name), as the Plans tab would: an "
        "upgrade at once, a downgrade at the period's end; repeatable",
    )
    whatif.add_argument(
        "--basis",
        choices=("list", "invoiced"),
        default="invoiced",
        help="the unit cost report's basis (default invoiced)",
    )
    whatif.add_argument(
        "--json", action="store_true", help="print the JSON shape (README: whatif --json)"
    )
    return {"explain": _cmd_explain, "forecast": _cmd_forecast, "whatif": _cmd_whatif}


def _cmd_whatif(args: argparse.Namespace) -> int:
    from billing_desktop.services.whatif import (
        Changes,
        parse_commit,
        parse_move,
        parse_plan,
        parse_price,
        parse_scope,
        parse_tiers,
        what_if,
    )

    changes = Changes(
        agents=args.agents,
        commits=tuple(parse_commit(text) for text in args.commit),
        prices=tuple(parse_price(text) for text in args.price),
        moves=tuple(parse_move(text) for text in args.move),
        commit_scope=None if args.commit_scope is None else parse_scope(args.commit_scope),
        tiers=tuple(parse_tiers(text) for text in args.tiers),
        plans=tuple(parse_plan(text) for text in args.plan),
    )
    store, actor = acting(args)
    month = month_or_none(args.month) or _current_month(store, args)
    result = store.read(what_if, actor, month, changes, args.basis)
    return emit(args, result.as_json, lambda: whatif_text(result))


def _current_month(store: Any, args: argparse.Namespace) -> Any:
    from billing_desktop.domain.errors import NO_ACCOUNT, StoreError
    from billing_desktop.domain.periods import Month, account_today
    from billing_desktop.services.overview import workspace

    account = store.read(workspace, args.user).account
    if account is None:
        raise StoreError(NO_ACCOUNT)
    return Month.of(account_today(account))


def whatif_text(w: WhatIf) -> str:
    from billing_desktop.domain.money import format_money
    from billing_desktop.text_tables import aligned

    def money(amount: Any) -> str:
        return format_money(amount, w.currency)

    def delta(before: Any, after: Any) -> str:
        change = after - before
        return "" if change == 0 else ("+" if change > 0 else "") + money(change)

    header = ("Product", "Charged today", "What if", "Change")
    rows = [
        (
            line.name,
            money(line.today_charged),
            money(line.projected_charged),
            delta(line.today_charged, line.projected_charged),
        )
        for line in w.lines
    ]
    total = ("Invoice", money(w.invoice_today), money(w.invoice_projected),
             delta(w.invoice_today, w.invoice_projected))  # fmt: skip
    line = aligned([header, *rows, total])
    units_header = (f"Billing unit ({w.units_today.basis})", "Today", "What if", "Change")
    units = [(u.name, money(u.today), money(u.projected), delta(u.today, u.projected))
             for u in w.units]  # fmt: skip
    unit_line = aligned([units_header, *units])
    said = ", ".join(w.changes.describe()) or "no change"
    plans: list[str] = []
    if w.plans:
        plans_header = ("App", "Change", "Plan today", "What if", "Price today", "What if",
                        "Sessions (peak)", "Eligible")  # fmt: skip
        plan_rows = [plans_header]
        for p in w.plans:
            when = "at once" if p.takes_effect_on is None else f"after {p.takes_effect_on}"
            plan_rows.append(
                (
                    p.app_name,
                    f"{p.change.value} {when}" if p.change.value != "same" else "none",
                    p.today.name if p.today else "—",
                    p.projected.name if p.projected else "—",
                    money(p.today.monthly_price) if p.today else "—",
                    money(p.projected.monthly_price) if p.projected else "—",
                    f"{p.usage:,}",
                    "yes" if p.eligible else f"no: {p.reason}",
                )
            )
        plan_line = aligned(plan_rows)
        plans = [
            "",
            f"Plans in force in {w.month} (paid from the app's funds, not on the invoice):",
            *(plan_line(r) for r in plan_rows),
        ]
    return "\n".join(
        [
            f"What if in {w.month} ({said}); nothing is written",
            "",
            line(header),
            *(line(r) for r in rows),
            line(total),
            "",
            f"Agents at peak: {w.today.agents} -> {w.projected.agents}; balance: "
            f"{money(w.today.balance)} -> {money(w.projected.balance)}",
            "",
            unit_line(units_header),
            *(unit_line(u) for u in units),
            *plans,
        ]
    )


def _cmd_forecast(args: argparse.Namespace) -> int:
    from billing_desktop.services.forecast import month_forecast

    store, actor = acting(args)
    result = store.read(month_forecast, actor)
    return emit(args, result.as_json, lambda: forecast_text(result))


def forecast_text(f: MonthForecast) -> str:
    from billing_desktop.domain.money import format_money
    from billing_desktop.services.billing import plain_decimal as plain
    from billing_desktop.text_tables import aligned

    def money(amount: Any) -> str:
        return format_money(amount, f.currency)

    header = ("Product", "So far", "Projected", "Band", "Charge", "Free units run out")
    rows = [
        (
            p.name,
            plain(p.quantity_so_far),
            plain(p.projected),
            "known" if p.method == "known" else f"{plain(p.low)} – {plain(p.high)}",
            money(p.charge),
            str(p.free_units_run_out or ("-" if p.free_units_total <= 0 else "not this month")),
        )
        for p in f.products
    ]
    line = aligned([header, *rows])
    out = [
        f"Forecast for {f.month} on {f.today} ({f.observed_days} complete days, "
        f"{f.days_left} left; {f.currency})",
        "",
        line(header),
        *(line(r) for r in rows),
        "",
        f"Projected invoice: {money(f.charge)} (band {money(f.charge_low)} – "
        f"{money(f.charge_high)}); balance at month end: {money(f.balance)}",
    ]
    for c in f.credits:
        when = f"runs out on {c.runs_out_on}" if c.runs_out_on else "lasts the month"
        out.append(f"{c.label}: {money(c.available)} at the start, {when}")
    for q in f.quotas:
        when = f"exceeded on {q.exceeded_on}" if q.exceeded_on else "not exceeded this month"
        out.append(f"Quota {q.label}: {q.quota:,}, projected {plain(q.projected)}, {when}")
    out += ["", f.method]
    return "\n".join(out)


def _cmd_explain(args: argparse.Namespace) -> int:
    from billing_desktop.domain.periods import Month, account_today
    from billing_desktop.services.explain import explain_charge
    from billing_desktop.services.overview import workspace

    store, actor = acting(args)
    month = month_or_none(args.month)
    if month is None:
        account = store.read(workspace, args.user).account
        month = Month.of(account_today(account)) if account is not None else None
    if month is None:
        from billing_desktop.domain.errors import NO_ACCOUNT, StoreError

        raise StoreError(NO_ACCOUNT)
    explanation = store.read(explain_charge, actor, month, args.product)
    return emit(args, explanation.as_json, lambda: explanation_text(explanation))


def explanation_text(e: ChargeExplanation) -> str:
    from billing_desktop.domain.money import format_money
    from billing_desktop.services.billing import plain_decimal as plain

    def money(amount: Any) -> str:
        return format_money(amount, e.currency)

    def price(amount: Any) -> str:
        return format_money(amount, e.currency, keep_precision=True)

    state = (
        f"closed, invoice {e.invoice_number}"
        if e.closed and e.invoice_number
        else ("closed" if e.closed else "open")
    )
    plural = "" if e.quantity == 1 or e.unit == "GB" else "s"
    lines = [
        f"{e.name} ({e.code}) in {e.month} ({state}; {e.currency})",
        "",
        f"1. Quantity: {plain(e.quantity)} {e.unit}{plural} ({e.method.lower()})",
        f"   {e.measured}",
    ]
    peak = f" (first reached on {e.agents_peak_day})" if e.agents_peak_day else ""
    lines.append(
        f"2. Free units: {plain(e.free_units_per_agent)} per agent x {e.agents} agents at "
        f"peak{peak} = {plain(e.free_units_total)}; used {plain(e.free_units_used)}"
    )
    lines.append(
        f"3. Billable: {plain(e.quantity)} - {plain(e.free_units_used)} = {plain(e.billable)}"
    )
    if not e.slices:
        lines.append("4. Price: nothing billable")
    for i, s in enumerate(e.slices):
        head = "4. Price:" if i == 0 else "         "
        band = f" (units above {plain(s.start)})" if s.start else ""
        lines.append(
            f"{head} {plain(s.quantity)} x {price(s.unit_price)}{band} = {plain(s.amount)}"
        )
    lines.append(
        f"5. Rounded half-up once: {plain(e.exact_amount)} -> {money(e.amount)} "
        f"(rounding {plain(e.rounding)})"
    )
    if not e.draws:
        lines.append("6. Credit: none drawn")
    for i, d in enumerate(e.draws):
        head = "6. Credit:" if i == 0 else "          "
        left = "" if d.left is None else f", {money(d.left)} left of {money(d.before or 0)}"
        lines.append(f"{head} {money(d.drawn)} from {d.label}{left}")
    lines.append(
        f"7. Charged: {money(e.amount)} - {money(e.credit_applied)} = {money(e.charged)}"
        + (" (invoiced at the start of next month)" if e.charged > 0 else "")
    )
    lines.append(f"8. Balance: {money(e.balance)}")
    if e.days:
        lines += ["", "Per day:"]
        lines += [f"  {d.day}  {plain(d.quantity):>12}" for d in e.days]
    if e.records:
        lines += ["", f"Records: {e.record_count} {e.records} in the month"]
        if e.records == "calls":
            lines.append(
                f"  (the call log: billing-desktop export call-logs --from {e.month.first_day} "
                f"--to {e.month.last_day} --out FILE)"
            )
        for u in e.alerts_by_user:
            lines.append(f"  {u.name:<30} {u.count:>8}")
    return "\n".join(lines)
