"""Payment methods on file (issue 19 §2): cards and bank accounts, one of them the default.

Kept as the workspace setting ``payment_methods`` = ``{"next_id", "methods": [...]}``: per
method its id, kind ("card" or "bank"), brand and last four digits (cards), expiry (cards,
"YYYY-MM", the month it is valid through), holder or account name, the day it was added and
whether it is the default. Nothing else of a number is kept: the number (or IBAN) is checked
and reduced to brand and last four where it is typed (``domain.payment_methods``), so these use
cases never see it, and neither does a server, a log or the audit trail.

Viewing needs the right to view Usage, changing it the right to edit Usage (admins and the Edit
Billing access group). Auto-recharge charges the default card: it needs one that has not
expired (``default_card_problem``); it is not offered and does not fire without one, and a
change here that leaves none says so. The first method added becomes the default; removing
the default makes the oldest remaining method the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import InvalidInput, NotFound
from billing_desktop.domain.model import PaymentMethod
from billing_desktop.domain.payment_methods import (
    BRAND_NAMES,
    MAX_BANK_NAME,
    check_holder,
    expiry_state,
    expiry_text,
    parse_expiry,
)
from billing_desktop.domain.periods import Month, account_today
from billing_desktop.services.changes import changes
from billing_desktop.services.context import require_account
from billing_desktop.services.ledger import audit
from billing_desktop.store.ports import UnitOfWork

SETTING_KEY = "payment_methods"
CARD = "card"
BANK = "bank"
MAX_METHODS = 20

NO_DEFAULT_CARD = (
    "Auto-recharge charges the default card on file, and there is none: add a card in "
    "File ▸ My account ▸ Payment methods and make it the default."
)


@dataclass(frozen=True, slots=True)
class PaymentMethodInfo:
    """One method on file, as shown (never more than brand and last four of a number)."""

    id: int
    kind: str  # CARD or BANK
    brand: str  # card brand, or "Bank account"
    last_four: str
    expiry: str  # "MM/YY" for a card, "" for a bank account
    holder: str  # card holder, or the bank account's name
    added_on: date
    is_default: bool
    state: str  # "expired", "expiring" (within 30 days) or ""

    @property
    def label(self) -> str:
        return f"{self.brand} •••• {self.last_four}"


@dataclass(frozen=True, slots=True)
class PaymentMethods:
    methods: tuple[PaymentMethodInfo, ...]
    today: date
    can_edit: bool
    pays_by: PaymentMethod
    auto_recharge_problem: str | None  # why auto-recharge cannot charge a card, or None

    @property
    def default(self) -> PaymentMethodInfo | None:
        return next((m for m in self.methods if m.is_default), None)


@dataclass(frozen=True, slots=True)
class PaymentMethodChange:
    methods: PaymentMethods
    message: str


# Stored form --------------------------------------------------------------------------------


def _stored(uow: UnitOfWork) -> tuple[int, list[dict[str, object]]]:
    value = uow.settings.get(SETTING_KEY)
    if not isinstance(value, dict):
        return 1, []
    methods = [m for m in value.get("methods", []) if isinstance(m, dict)]
    next_id = value.get("next_id", 1)
    return (next_id if isinstance(next_id, int) else 1), methods


def _store(uow: UnitOfWork, next_id: int, methods: list[dict[str, object]]) -> None:
    uow.settings.put(SETTING_KEY, {"next_id": next_id, "methods": methods})


def _info(raw: dict[str, object], today: date) -> PaymentMethodInfo:
    expiry = str(raw.get("expiry") or "")
    valid_through = Month.parse(expiry) if expiry else None
    return PaymentMethodInfo(
        id=int(str(raw["id"])),
        kind=str(raw["kind"]),
        brand=str(raw.get("brand", "")),
        last_four=str(raw.get("last_four", "")),
        expiry=expiry_text(valid_through) if valid_through else "",
        holder=str(raw.get("holder", "")),
        added_on=date.fromisoformat(str(raw["added_on"])),
        is_default=raw.get("default") is True,
        state=expiry_state(valid_through, today) if valid_through else "",
    )


def _audit_form(raw: dict[str, object]) -> dict[str, object]:
    return {k: raw[k] for k in ("kind", "brand", "last_four", "expiry", "holder") if k in raw}


def _today(uow: UnitOfWork, today: date | None) -> date:
    return today or account_today(require_account(uow))


def stored_methods(uow: UnitOfWork, today: date) -> list[PaymentMethodInfo]:
    return [_info(raw, today) for raw in _stored(uow)[1]]


def default_card_problem(uow: UnitOfWork, today: date | None = None) -> str | None:
    """Why auto-recharge has no card to charge (no default card, or it expired), or None."""
    day = _today(uow, today)
    default = next((m for m in stored_methods(uow, day) if m.is_default), None)
    if default is None or default.kind != CARD:
        return NO_DEFAULT_CARD
    if default.state == "expired":
        return (
            f"Auto-recharge charges the default card on file, and {default.label} expired "
            f"({default.expiry}): add a valid card and make it the default."
        )
    return None


NO_DEFAULT_METHOD = (
    "there is no default payment method: add one in File ▸ My account ▸ Payment methods and "
    "make it the default"
)


def default_method(uow: UnitOfWork, day: date) -> tuple[PaymentMethodInfo | None, str | None]:
    """The default method when it can pay (auto-pay of invoices), else None and why not: none
    on file, or the default card has expired."""
    default = next((m for m in stored_methods(uow, day) if m.is_default), None)
    if default is None:
        return None, NO_DEFAULT_METHOD
    if default.kind == CARD and default.state == "expired":
        return None, (
            f"the default card {default.label} expired ({default.expiry}): add a valid card "
            "and make it the default"
        )
    return default, None


def payment_methods(uow: UnitOfWork, actor: Actor, today: date | None = None) -> PaymentMethods:
    """The methods on file, the default first, with their expiry flags."""
    actor.rights.require(Area.USAGE, Level.VIEW, "see payment methods")
    account = require_account(uow)
    day = _today(uow, today)
    methods = sorted(stored_methods(uow, day), key=lambda m: (not m.is_default, m.id))
    problem = default_card_problem(uow, day)
    return PaymentMethods(
        methods=tuple(methods),
        today=day,
        can_edit=actor.rights.can_edit(Area.USAGE),
        pays_by=account.payment_method,
        auto_recharge_problem=problem,
    )


# Changing ------------------------------------------------------------------------------------


def _require_edit(actor: Actor, action: str) -> None:
    actor.rights.require(Area.USAGE, Level.EDIT, action)


def _card_warning(uow: UnitOfWork, today: date) -> str:
    """What a change that leaves no valid default card means for a card-paying account ("" when
    nothing): auto-recharge, which charges the default card, does not fire until there is one."""
    account = require_account(uow)
    if account.payment_method != PaymentMethod.CREDIT_CARD:
        return ""
    problem = default_card_problem(uow, today)
    return "" if problem is None else f" {problem}"


def put_on_file(uow: UnitOfWork, method: dict[str, object], today: date) -> dict[str, object]:
    """Store one more method (checked already); the first one becomes the default. Not audited:
    the use cases audit, and the demo workspace files its card with it."""
    next_id, methods = _stored(uow)
    if len(methods) >= MAX_METHODS:
        raise InvalidInput(
            f"at most {MAX_METHODS} payment methods may be on file; remove one first"
        )
    method = {"id": next_id, **method, "added_on": today.isoformat()}
    method["default"] = not any(m.get("default") is True for m in methods)
    methods.append(method)
    _store(uow, next_id + 1, methods)
    return method


def _add(
    uow: UnitOfWork, actor: Actor, method: dict[str, object], today: date, now: datetime | None
) -> PaymentMethodChange:
    method = put_on_file(uow, method, today)
    next_id = int(str(method["id"]))
    audit(uow, actor, "payment-method-added", next_id, None, _audit_form(method), now,
          entity="payment_method")  # fmt: skip
    info = _info(method, today)
    extra = " It is the default." if info.is_default else ""
    return PaymentMethodChange(payment_methods(uow, actor, today), f"Added {info.label}.{extra}")


@changes("workspace")
def add_card(
    uow: UnitOfWork,
    actor: Actor,
    brand: str,
    last_four: str,
    expiry: str,
    holder: str,
    today: date | None = None,
    now: datetime | None = None,
) -> PaymentMethodChange:
    """Put a card on file by its brand and last four digits (checked where it was typed,
    ``domain.payment_methods.check_card``), its expiry (MM/YY) and holder's name."""
    _require_edit(actor, "add payment methods")
    day = _today(uow, today)
    if brand not in BRAND_NAMES:
        raise InvalidInput(f"card brand '{brand}' is not accepted ({', '.join(BRAND_NAMES)})")
    if len(last_four) != 4 or not last_four.isdigit() or not last_four.isascii():
        raise InvalidInput("give the card's last four digits")
    valid_through = parse_expiry(expiry)
    if expiry_state(valid_through, day) == "expired":
        raise InvalidInput(f"the card expired at the end of {expiry_text(valid_through)}")
    method: dict[str, object] = {
        "kind": CARD,
        "brand": brand,
        "last_four": last_four,
        "expiry": str(valid_through),
        "holder": check_holder(holder),
    }
    return _add(uow, actor, method, day, now)


@changes("workspace")
def add_bank_account(
    uow: UnitOfWork,
    actor: Actor,
    name: str,
    last_four: str,
    today: date | None = None,
    now: datetime | None = None,
) -> PaymentMethodChange:
    """Put a bank account on file by its name and the last four characters of its IBAN
    (checked where it was typed, ``domain.payment_methods.check_iban``)."""
    _require_edit(actor, "add payment methods")
    day = _today(uow, today)
    tail = last_four.upper()
    if len(tail) != 4 or not tail.isalnum() or not tail.isascii():
        raise InvalidInput("give the last four characters of the IBAN")
    method: dict[str, object] = {
        "kind": BANK,
        "brand": "Bank account",
        "last_four": tail,
        "holder": check_holder(name, "bank account's name", MAX_BANK_NAME),
    }
    return _add(uow, actor, method, day, now)


def _find(methods: list[dict[str, object]], method_id: int) -> dict[str, object]:
    for method in methods:
        if method.get("id") == method_id:
            return method
    raise NotFound(f"payment method {method_id}: no such method on file")


@changes("workspace")
def remove_payment_method(
    uow: UnitOfWork,
    actor: Actor,
    method_id: int,
    today: date | None = None,
    now: datetime | None = None,
) -> PaymentMethodChange:
    """Take a method off file; when it was the default, the oldest remaining one becomes it."""
    _require_edit(actor, "remove payment methods")
    day = _today(uow, today)
    next_id, methods = _stored(uow)
    method = _find(methods, method_id)
    methods.remove(method)
    message = f"Removed {_info(method, day).label}."
    if method.get("default") is True and methods:
        oldest = min(methods, key=lambda m: int(str(m["id"])))
        oldest["default"] = True
        message += f" {_info(oldest, day).label} is now the default."
    _store(uow, next_id, methods)
    audit(uow, actor, "payment-method-removed", method_id, _audit_form(method), None, now,
          entity="payment_method")  # fmt: skip
    message += _card_warning(uow, day)
    return PaymentMethodChange(payment_methods(uow, actor, day), message)


@changes("workspace")
def set_default_payment_method(
    uow: UnitOfWork,
    actor: Actor,
    method_id: int,
    today: date | None = None,
    now: datetime | None = None,
) -> PaymentMethodChange:
    """Make ``method_id`` the default (an expired card cannot be)."""
    _require_edit(actor, "change the default payment method")
    day = _today(uow, today)
    next_id, methods = _stored(uow)
    chosen = _find(methods, method_id)
    info = _info(chosen, day)
    if info.state == "expired":
        raise InvalidInput(f"{info.label} expired ({info.expiry}); it cannot be the default")
    before = next((m["id"] for m in methods if m.get("default") is True), None)
    for method in methods:
        method["default"] = method is chosen
    _store(uow, next_id, methods)
    audit(uow, actor, "payment-method-default", method_id, {"default": before},
          {"default": method_id}, now, entity="payment_method")  # fmt: skip
    message = f"{info.label} is now the default."
    message += _card_warning(uow, day)
    return PaymentMethodChange(payment_methods(uow, actor, day), message)


__all__ = [
    "NO_DEFAULT_CARD",
    "PaymentMethodChange",
    "PaymentMethodInfo",
    "PaymentMethods",
    "add_bank_account",
    "add_card",
    "default_card_problem",
    "payment_methods",
    "remove_payment_method",
    "set_default_payment_method",
]
