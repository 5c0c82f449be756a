"""Manage credits (PRODUCT §5, §4.3): purchases, one-time payments and auto-recharge.

Purchased credits and one-time payments are ledger rows in the ``credits`` pool (they never
expire); the billing engine draws on that pool after the commits. Every action here checks the
actor's right to edit Usage, validates the amount (positive, at most the currency's minor-unit
digits, at most ``MAX_CREDIT_AMOUNT``) and writes its ledger row and its audit row in the
caller's unit of work: the caller commits once, so both land in one transaction or neither does.

Auto-recharge (credit-card accounts only) is a workspace setting, ``auto_recharge`` =
``{"enabled", "threshold_minor", "amount_minor"}``. It fires when the current month's balance
(``usage_summary(...).balance``) is below the threshold after usage is recorded: an import of
usage commits, or the Usage tab refreshes (``apply_auto_recharge``). It fires at most once per
call and at most once per threshold crossing: after a recharge that leaves the balance still
below the threshold it is disarmed (``auto_recharge_state``) until a check sees the balance at or
above the threshold again, so refreshing the tab never buys credit twice for one drop.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.model import (
    CREDITS_POOL,
    Account,
    AuditEntry,
    LedgerEntry,
    LedgerKind,
    PaymentMethod,
)
from billing_desktop.domain.money import (
    MAX_CREDIT_AMOUNT,
    credit_amount,
    format_amount,
    format_money,
    from_minor,
    to_minor,
)
from billing_desktop.domain.periods import account_today
from billing_desktop.services.billing import usage_summary
from billing_desktop.services.changes import changes
from billing_desktop.services.context import require_account
from billing_desktop.services.ledger import next_reference
from billing_desktop.store.ports import UnitOfWork

AUTO_RECHARGE_KEY = "auto_recharge"
AUTO_RECHARGE_STATE_KEY = "auto_recharge_state"

PURCHASE_PREFIX = "CR-"
PAYMENT_PREFIX = "OTP-"
AUTO_RECHARGE_PREFIX = "AUTO-"
AUTO_RECHARGE_DESCRIPTION = "Auto-recharge"


CARD_ONLY = (
    "Auto-recharge charges the card on file, so it is offered only when the payment method "
    "is a credit card; this account pays by invoice."
)


@dataclass(frozen=True, slots=True)
class AutoRecharge:
    """The auto-recharge setting: when ``enabled``, buy ``amount`` of credit whenever the
    current month's balance is below ``threshold``."""

    enabled: bool
    threshold: Decimal
    amount: Decimal
    # What saving the setting bought at once (``set_auto_recharge(..., fire=True)``); not part
    # of the setting, so two settings compare equal whatever either fired.
    fired: CreditChange | None = field(default=None, compare=False)

    def describe(self, currency: str) -> str:
        if not self.enabled:
            return "Off"
        return (
            f"On: adds {format_money(self.amount, currency)} when the balance is below "
            f"{format_money(self.threshold, currency)}"
        )


@dataclass(frozen=True, slots=True)
class CreditChange:
    """What a credit action wrote: the ledger row (as stored, without its id)."""

    entry: LedgerEntry
    currency: str

    def summary(self) -> str:
        what = {
            LedgerKind.PURCHASE: "Purchased credits of",
            LedgerKind.ONE_TIME_PAYMENT: "One-time payment of",
        }.get(self.entry.kind, "Added")
        if self.entry.reference.startswith(AUTO_RECHARGE_PREFIX):
            what = "Auto-recharge added"
        amount = format_money(self.entry.amount, self.currency)
        return f"{what} {amount} ({self.entry.reference}, {self.entry.occurred_on.isoformat()})."


def auto_recharge_refusal(
    account: Account, uow: UnitOfWork | None = None, today: date | None = None
) -> str | None:
    """Why auto-recharge cannot be switched on for ``account``, or None when it can: it needs
    a credit-card account and (given the store) a valid default card on file."""
    if account.payment_method != PaymentMethod.CREDIT_CARD:
        return CARD_ONLY
    if uow is not None:
        from billing_desktop.services.payment_methods import default_card_problem

        return default_card_problem(uow, today)
    return None


def store_auto_recharge_off(uow: UnitOfWork, actor: Actor, now: datetime | None = None) -> None:
    """Switch auto-recharge off (amounts kept), audited: what a change of the account's payment
    method or of its cards does when it leaves auto-recharge nothing to charge."""
    account = require_account(uow)
    before = auto_recharge_settings(uow)
    after = AutoRecharge(False, before.threshold, before.amount)
    _save_setting(uow, actor, before, after, account.currency, now)


def _save_setting(
    uow: UnitOfWork,
    actor: Actor,
    before: AutoRecharge,
    after: AutoRecharge,
    currency: str,
    now: datetime | None,
) -> None:
    """Store the auto-recharge setting ``after`` (it was ``before``), with its audit row."""
    uow.settings.put(
        AUTO_RECHARGE_KEY,
        {
            "enabled": after.enabled,
            "threshold_minor": to_minor(after.threshold, currency),
            "amount_minor": to_minor(after.amount, currency),
        },
    )
    uow.audit.add(
        AuditEntry(
            at=now or datetime.now(UTC),
            actor=actor.audit_name,
            origin=actor.origin,
            action="auto-recharge-settings",
            entity="settings",
            entity_id=AUTO_RECHARGE_KEY,
            before=_setting_json(before, currency),
            after=_setting_json(after, currency),
        )
    )


def _add_credit(
    uow: UnitOfWork,
    actor: Actor,
    kind: LedgerKind,
    amount: Decimal,
    prefix: str,
    description: str,
    action: str,
    today: date | None,
    now: datetime | None,
    extra: dict[str, object] | None = None,
) -> CreditChange:
    account = require_account(uow)
    when = now or datetime.now(UTC)
    day = today or account_today(account, when)
    entry = LedgerEntry(
        occurred_on=day,
        kind=kind,
        amount=amount,
        reference=next_reference(uow, prefix),
        description=description,
        pool=CREDITS_POOL,
    )
    uow.ledger.add_many([entry])
    uow.audit.add(
        AuditEntry(
            at=when,
            actor=actor.audit_name,
            origin=actor.origin,
            action=action,
            entity="ledger",
            entity_id=entry.reference,
            after={
                "kind": kind.value,
                "amount": format_amount(amount, account.currency),
                "currency": account.currency,
                "pool": CREDITS_POOL,
                "occurred_on": day.isoformat(),
                **(extra or {}),
            },
        )
    )
    return CreditChange(entry, account.currency)


@changes("credits")
def purchase_credits(
    uow: UnitOfWork,
    actor: Actor,
    amount: str | Decimal,
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> CreditChange:
    """Buy ``amount`` of credit (it never expires). Ledger and audit rows in ``uow``: commit it."""
    actor.rights.require(Area.USAGE, Level.EDIT, "purchase credits")
    currency = require_account(uow).currency
    value = credit_amount(amount, currency, "Purchase amount")
    return _add_credit(
        uow,
        actor,
        LedgerKind.PURCHASE,
        value,
        PURCHASE_PREFIX,
        "Credit purchase",
        "purchase-credits",
        today,
        now,
    )


@changes("credits")
def make_one_time_payment(
    uow: UnitOfWork,
    actor: Actor,
    amount: str | Decimal,
    *,
    today: date | None = None,
    now: datetime | None = None,
) -> CreditChange:
    """Pay ``amount`` once; it becomes credit that never expires. Commit ``uow`` afterwards."""
    actor.rights.require(Area.USAGE, Level.EDIT, "make a one-time payment")
    currency = require_account(uow).currency
    value = credit_amount(amount, currency, "Payment amount")
    return _add_credit(
        uow,
        actor,
        LedgerKind.ONE_TIME_PAYMENT,
        value,
        PAYMENT_PREFIX,
        "One-time payment",
        "one-time-payment",
        today,
        now,
    )


def _minor(stored: dict[str, object], key: str) -> int:
    value = stored.get(key, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def auto_recharge_settings(uow: UnitOfWork) -> AutoRecharge:
    """The stored auto-recharge setting (off, with zero amounts, when never set)."""
    account = require_account(uow)
    stored = uow.settings.get(AUTO_RECHARGE_KEY)
    if not isinstance(stored, dict):
        return AutoRecharge(False, Decimal(0), Decimal(0))
    return AutoRecharge(
        enabled=stored.get("enabled") is True,
        threshold=from_minor(_minor(stored, "threshold_minor"), account.currency),
        amount=from_minor(_minor(stored, "amount_minor"), account.currency),
    )


@changes("credits")
def set_auto_recharge(
    uow: UnitOfWork,
    actor: Actor,
    enabled: bool,
    threshold: str | Decimal,
    amount: str | Decimal,
    *,
    now: datetime | None = None,
    fire: bool = False,
) -> AutoRecharge:
    """Store the auto-recharge setting (audited, in ``uow``: commit it).

    Switching it on needs a credit-card account; switching it off is always allowed (amounts
    are then kept as given when valid, else left as they were). With ``fire`` (the Manage
    credits dialog), a setting switched on is checked at once in the same transaction and
    what it bought is returned in ``fired``: the dialog that saved it says so, whichever view
    refreshes first."""
    actor.rights.require(Area.USAGE, Level.EDIT, "change auto-recharge")
    account = require_account(uow)
    before = auto_recharge_settings(uow)
    currency = account.currency
    if enabled:
        refusal = auto_recharge_refusal(account, uow)
        if refusal is not None:
            raise InvalidInput(refusal)
        new_threshold = credit_amount(threshold, currency, "Threshold", allow_zero=True)
        new_amount = credit_amount(amount, currency, "Recharge amount")
    else:
        try:
            new_threshold = credit_amount(threshold, currency, "Threshold", allow_zero=True)
            new_amount = credit_amount(amount, currency, "Recharge amount")
        except InvalidInput:
            new_threshold, new_amount = before.threshold, before.amount
    after = AutoRecharge(enabled, new_threshold, new_amount)
    _save_setting(uow, actor, before, after, currency, now)
    uow.settings.put(AUTO_RECHARGE_STATE_KEY, {"armed": True})  # a new setting starts armed
    if fire and after.enabled:
        return replace(after, fired=apply_auto_recharge(uow, actor, now=now))
    return after


def _setting_json(setting: AutoRecharge, currency: str) -> dict[str, object]:
    return {
        "enabled": setting.enabled,
        "threshold": format_amount(setting.threshold, currency),
        "amount": format_amount(setting.amount, currency),
        "currency": currency,
    }


def _armed(uow: UnitOfWork) -> bool:
    state = uow.settings.get(AUTO_RECHARGE_STATE_KEY)
    return not isinstance(state, dict) or state.get("armed") is not False


@changes("credits")
def apply_auto_recharge(
    uow: UnitOfWork,
    actor: Actor,
    today: date | None = None,
    *,
    now: datetime | None = None,
) -> CreditChange | None:
    """Fire auto-recharge when it is on and the current month's balance is below its threshold.

    Adds one PURCHASE row (pool ``credits``, description "Auto-recharge", reference
    ``AUTO-nnnnnn``) of the configured amount, audited, in ``uow`` (commit it); returns it, or
    None when nothing fired. At most once per call, and once per threshold crossing (see the
    module docstring)."""
    actor.rights.require(Area.USAGE, Level.EDIT, "run auto-recharge")
    stored = uow.settings.get(AUTO_RECHARGE_KEY)
    account = uow.account.get()
    if not isinstance(stored, dict) or stored.get("enabled") is not True or account is None:
        return None  # off (the usual case, also before an account is imported)
    setting = auto_recharge_settings(uow)
    when = now or datetime.now(UTC)
    day = today or account_today(account, when)
    if auto_recharge_refusal(account, uow, day) is not None or setting.amount <= 0:
        return None
    balance = usage_summary(uow, actor, None, day).balance
    armed = _armed(uow)
    if balance >= setting.threshold:
        if not armed:
            uow.settings.put(AUTO_RECHARGE_STATE_KEY, {"armed": True})
        return None
    if not armed:
        return None
    change = _add_credit(
        uow,
        actor,
        LedgerKind.PURCHASE,
        setting.amount,
        AUTO_RECHARGE_PREFIX,
        AUTO_RECHARGE_DESCRIPTION,
        "auto-recharge",
        day,
        when,
        {
            "balance_before": format_amount(balance, account.currency),
            "threshold": format_amount(setting.threshold, account.currency),
        },
    )
    # Credit bought raises the month's balance by exactly its amount (it pays charges first,
    # the rest is credit left). Still below: stay quiet until the balance is back above.
    still_below = balance + setting.amount < setting.threshold
    uow.settings.put(AUTO_RECHARGE_STATE_KEY, {"armed": not still_below})
    return change


__all__ = [
    "AUTO_RECHARGE_KEY",
    "MAX_CREDIT_AMOUNT",
    "AutoRecharge",
    "CreditChange",
    "apply_auto_recharge",
    "auto_recharge_refusal",
    "auto_recharge_settings",
    "credit_amount",
    "make_one_time_payment",
    "purchase_credits",
    "set_auto_recharge",
    "store_auto_recharge_off",
]
