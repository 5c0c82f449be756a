"""My account (issue 19 §1): the account's name, billing contacts, address, VAT id, time zone,
plan tier, payment method kind, commit scope and currency, viewed and changed in one place.

Viewing needs the right to view Usage (every role but agents); changing needs the right to edit
Usage (admins and the Edit Billing access group). Every change is one audit row with the fields
before and after, and moves the ``workspace`` version (the server's If-Match). The account's own
columns stay where the CSV import puts them; contacts, address, VAT id and the payment settings
(payment terms: the days from an invoice's date to its due date, which close-month uses; the
address invoice PDFs are e-mailed to — a stored setting only: sending them is the platform's
job), which the import does not carry, are the workspace setting ``account_profile``.

Rules:

* **Currency** can change only while no money row exists (ledger rows, invoices, closed
  months): amounts already written would otherwise change their meaning.
* **Time zone**: a change takes effect from the first open month. Closed months keep what was
  billed (their lines and invoices are stored, never recomputed), and the records of closed
  months keep their hours. The hourly rollups of the records from the start of the first open
  month (as the old zone drew it) are moved to the new zone's local hours in the same
  transaction; a record that the new zone would put before that month (a zone further west) is
  counted in the month's first hour, so no closed month ever changes.
* **Payment method**: switching from credit card to invoice switches auto-recharge off (it
  charges a card) and says so; switching to credit card reminds that auto-recharge needs a
  valid default card.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from stdnum import vatin
from stdnum.exceptions import ValidationError

from billing_desktop.domain import model as m
from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.metering import RollupDeltas, rollup_deltas
from billing_desktop.domain.money import validate_currency
from billing_desktop.domain.periods import Month, account_today
from billing_desktop.services import csv_parsing as p
from billing_desktop.services.changes import changes
from billing_desktop.services.context import require_account
from billing_desktop.services.ledger import audit
from billing_desktop.services.recording import ROLLUP_KINDS
from billing_desktop.store.ports import CallFilter, CallOrder, UnitOfWork

PROFILE_KEY = "account_profile"
MAX_CONTACTS = 10
MAX_ADDRESS_LINES = 5
MAX_ADDRESS_LINE = 100
MAX_EMAIL = 254
CALL_CHUNK = 20_000

# Field names, as the command line spells them, in the order they are shown.
FIELDS = (
    "name",
    "contacts",
    "address",
    "vat_id",
    "timezone",
    "currency",
    "plan",
    "payment_method",
    "commit_scope",
    "payment_terms",
    "invoice_email",
    "auto_pay",
)
FIELD_LABELS = {
    "name": "Name",
    "contacts": "Billing contacts",
    "address": "Postal address",
    "vat_id": "VAT id",
    "timezone": "Time zone",
    "currency": "Currency",
    "plan": "Plan tier",
    "payment_method": "Payment method",
    "commit_scope": "Commit scope",
    "payment_terms": "Payment terms (days)",
    "invoice_email": "Invoice PDFs to",
    "auto_pay": "Auto-pay invoices",
}
# Payment settings (issue 19 §3): invoices are due this many days after their date.
DEFAULT_PAYMENT_TERMS = 30
MAX_PAYMENT_TERMS = 120
PROFILE_FIELDS = ("contacts", "address", "vat_id", "payment_terms", "invoice_email", "auto_pay")
_ON = frozenset({"on", "yes", "true", "1"})
_OFF = frozenset({"off", "no", "false", "0"})
ACCOUNT_COLUMNS = frozenset(
    {"name", "timezone", "currency", "plan", "payment_method", "commit_scope"}
)
_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[A-Za-z]{2,}")


@dataclass(frozen=True, slots=True)
class AccountDetails:
    name: str
    contacts: tuple[str, ...]
    address: tuple[str, ...]  # lines
    vat_id: str
    timezone: str
    currency: str
    plan: m.PlanTier
    payment_method: m.PaymentMethod
    commit_scope: m.CommitScope
    payment_terms: int  # days from an invoice's date to its due date
    invoice_email: str  # where the platform e-mails invoice PDFs ("" = the billing contacts)
    auto_pay: bool  # pay invoices by the default method on their due date (services/auto_pay)
    can_edit: bool
    currency_locked: str | None  # why the currency cannot change, or None
    first_open_month: str  # "YYYY-MM": where a time-zone change would start

    def field_text(self, field: str) -> str:
        value = self.as_json()[field]
        if isinstance(value, bool):
            return "on" if value else "off"
        if isinstance(value, list):
            return ", ".join(value) if field == "contacts" else " / ".join(value)
        return str(value)

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "contacts": list(self.contacts),
            "address": list(self.address),
            "vat_id": self.vat_id,
            "timezone": self.timezone,
            "currency": self.currency,
            "plan": self.plan.value,
            "payment_method": self.payment_method.value,
            "commit_scope": self.commit_scope.value,
            "payment_terms": self.payment_terms,
            "invoice_email": self.invoice_email,
            "auto_pay": self.auto_pay,
        }


@dataclass(frozen=True, slots=True)
class AccountChange:
    details: AccountDetails
    changed: tuple[str, ...]  # the fields that changed
    messages: tuple[str, ...]  # what else followed (auto-recharge off, zone from month ...)

    def summary(self) -> str:
        if not self.changed:
            return "Nothing changed."
        names = ", ".join(FIELD_LABELS[f].lower() for f in self.changed)
        return " ".join((f"Saved {names}.", *self.messages))


# Reading ------------------------------------------------------------------------------------


def _profile(uow: UnitOfWork) -> dict[str, object]:
    value = uow.settings.get(PROFILE_KEY)
    return dict(value) if isinstance(value, dict) else {}


def _strings(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def money_rows_exist(uow: UnitOfWork) -> bool:
    return bool(uow.ledger.all()) or uow.invoices.count() > 0 or bool(uow.closing.all())


def first_open_month(uow: UnitOfWork, today: date) -> Month:
    closed = [Month.of(c.month) for c in uow.closing.all()]
    return max(closed).plus(1) if closed else Month.of(today)


def _details(uow: UnitOfWork, actor: Actor, today: date | None = None) -> AccountDetails:
    account = require_account(uow)
    profile = _profile(uow)
    buyer = _buyer(profile)
    day = today or account_today(account)
    locked = (
        "it cannot change once the account has money rows (ledger, invoices or closed "
        "months) in " + account.currency
        if money_rows_exist(uow)
        else None
    )
    return AccountDetails(
        name=account.name,
        contacts=_strings(profile.get("contacts")),
        address=buyer.address,
        vat_id=buyer.vat_id,
        timezone=account.timezone,
        currency=account.currency,
        plan=account.plan,
        payment_method=account.payment_method,
        commit_scope=account.commit_scope,
        payment_terms=payment_terms(uow),
        invoice_email=buyer.invoice_email,
        auto_pay=auto_pay_enabled(uow),
        can_edit=actor.rights.can_edit(Area.USAGE),
        currency_locked=locked,
        first_open_month=str(first_open_month(uow, day)),
    )


def account_details(uow: UnitOfWork, actor: Actor, today: date | None = None) -> AccountDetails:
    """The account as My account shows it."""
    actor.rights.require(Area.USAGE, Level.VIEW, "see the account")
    return _details(uow, actor, today)


def auto_pay_enabled(uow: UnitOfWork) -> bool:
    """Whether invoices are paid automatically by the default method on their due date."""
    return _profile(uow).get("auto_pay") is True


def payment_terms(uow: UnitOfWork) -> int:
    """Days from an invoice's date to its due date (close-month dates invoices with it)."""
    value = _profile(uow).get("payment_terms", DEFAULT_PAYMENT_TERMS)
    return (
        value if isinstance(value, int) and not isinstance(value, bool) else DEFAULT_PAYMENT_TERMS
    )


@dataclass(frozen=True, slots=True)
class BuyerProfile:
    """What documents print and e-invoices carry about the customer (no rights needed: the
    documents' own use cases check theirs)."""

    address: tuple[str, ...]
    vat_id: str
    invoice_email: str


def account_profile(uow: UnitOfWork) -> BuyerProfile:
    return _buyer(_profile(uow))


def _buyer(profile: dict[str, object]) -> BuyerProfile:
    return BuyerProfile(
        address=_strings(profile.get("address")),
        vat_id=str(profile.get("vat_id", "")),
        invoice_email=str(profile.get("invoice_email", "")),
    )


def customer_block(uow: UnitOfWork) -> tuple[str, ...]:
    """The lines under the customer's name on invoices and statements: postal address, then
    the VAT id (empty when neither was given)."""
    profile = _profile(uow)
    lines = list(_strings(profile.get("address")))
    vat_id = str(profile.get("vat_id", ""))
    if vat_id:
        lines.append(f"VAT id: {vat_id}")
    return tuple(lines)


# Checking values ------------------------------------------------------------------------------


def _bad(field: str, problem: str) -> InvalidInput:
    return InvalidInput(f"{FIELD_LABELS[field]}: {problem}")


def parse_contacts(text: str) -> tuple[str, ...]:
    items = [item.strip() for item in re.split(r"[,;\n]", text)]
    found = tuple(dict.fromkeys(item for item in items if item))
    if len(found) > MAX_CONTACTS:
        raise _bad("contacts", f"at most {MAX_CONTACTS} e-mail addresses")
    for item in found:
        if len(item) > MAX_EMAIL or not _EMAIL.fullmatch(item):
            raise _bad("contacts", f"'{item[:60]}' is not an e-mail address")
    return found


def parse_address(text: str) -> tuple[str, ...]:
    """Lines of a postal address: real line breaks, or "\\n" typed on the command line."""
    lines = [" ".join(line.split()) for line in text.replace("\\n", "\n").splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > MAX_ADDRESS_LINES:
        raise _bad("address", f"at most {MAX_ADDRESS_LINES} lines")
    for line in lines:
        if len(line) > MAX_ADDRESS_LINE:
            raise _bad(
                "address", f"a line is {len(line)} characters long; at most {MAX_ADDRESS_LINE}"
            )
    return tuple(lines)


def parse_vat_id(text: str) -> str:
    compact = re.sub(r"[\s.\-]", "", text).upper()
    if not compact:
        return ""
    try:
        return str(vatin.validate(compact))
    except ValidationError:
        raise _bad(
            "vat_id",
            f"'{text.strip()[:40]}' is not a valid VAT id (its country code first, "
            "e.g. DE136695976)",
        ) from None


def _value(field: str, text: str) -> object:
    try:
        if field == "name":
            if not text.strip():
                raise _bad(field, "enter the account's name")
            return p.name(text.strip())
        if field == "timezone":
            return p.timezone_name(text.strip())
        if field == "plan":
            return p.choice(m.PlanTier)(text.strip())
        if field == "payment_method":
            return p.choice(m.PaymentMethod)(text.strip())
        if field == "commit_scope":
            return p.choice(m.CommitScope)(text.strip())
    except p.BadValue as exc:
        raise _bad(field, str(exc)) from None
    if field == "currency":
        try:
            return validate_currency(text.strip())
        except InvalidInput as exc:
            raise _bad(field, str(exc)) from None
    if field == "contacts":
        return parse_contacts(text)
    if field == "address":
        return parse_address(text)
    if field == "vat_id":
        return parse_vat_id(text)
    if field == "payment_terms":
        days = text.strip().removesuffix("days").strip()
        if not days.isdigit() or not days.isascii() or int(days) > MAX_PAYMENT_TERMS:
            raise _bad(field, f"give whole days from 0 to {MAX_PAYMENT_TERMS}, not '{text[:20]}'")
        return int(days)
    if field == "invoice_email":
        found = parse_contacts(text) if text.strip() else ()
        if len(found) > 1:
            raise _bad(field, "give one e-mail address")
        return found[0] if found else ""
    if field == "auto_pay":
        word = text.strip().lower()
        if word in _ON or word in _OFF:
            return word in _ON
        raise _bad(field, f"give on or off, not '{text[:20]}'")
    raise InvalidInput(f"'{field}' is not a field of the account (one of: {', '.join(FIELDS)})")


# Changing --------------------------------------------------------------------------------------


@changes("workspace")
def update_account(
    uow: UnitOfWork,
    actor: Actor,
    values: dict[str, str],
    today: date | None = None,
    now: datetime | None = None,
) -> AccountChange:
    """Change the fields of ``values`` (field name -> text as typed), checked all before any is
    written; one audit row with what changed."""
    actor.rights.require(Area.USAGE, Level.EDIT, "change the account")
    account = require_account(uow)
    when = now or datetime.now(UTC)
    day = today or account_today(account, when)
    before = _details(uow, actor, day)
    parsed = {field: _value(field, text) for field, text in values.items()}
    old = before.as_json()
    new_values = {
        f: list(v) if isinstance(v, tuple) else (v.value if isinstance(v, StrEnum) else v)
        for f, v in parsed.items()
    }
    changed = tuple(f for f in FIELDS if f in new_values and new_values[f] != old[f])
    if not changed:
        return AccountChange(before, (), ())
    if "currency" in changed and before.currency_locked is not None:
        raise _bad("currency", before.currency_locked)
    messages: list[str] = []
    columns: dict[str, Any] = {f: parsed[f] for f in changed if f in ACCOUNT_COLUMNS}
    updated = dataclasses.replace(account, **columns)
    if "timezone" in changed:
        opened = first_open_month(uow, day)
        moved = rebucket_open_months(
            uow, ZoneInfo(account.timezone), ZoneInfo(updated.timezone), opened
        )
        messages.append(
            f"The time zone counts from {opened} on ({moved:,} records moved to its hours); "
            "closed months keep what was billed."
        )
    uow.account.save(updated)
    profile = _profile(uow)
    for field in PROFILE_FIELDS:
        if field in changed:
            profile[field] = new_values[field]
    if any(f in changed for f in PROFILE_FIELDS):
        uow.settings.put(PROFILE_KEY, profile)
    if "payment_method" in changed:
        messages.append(_payment_method_followups(uow, actor, updated, day, when))
    if "auto_pay" in changed and new_values["auto_pay"] is True:
        messages.append(_auto_pay_message(uow, day))
    audit(
        uow, actor, "account-changed", "account",
        {f: old[f] for f in changed}, {f: new_values[f] for f in changed}, when, entity="account",
    )  # fmt: skip
    return AccountChange(_details(uow, actor, day), changed, tuple(x for x in messages if x))


def _payment_method_followups(
    uow: UnitOfWork, actor: Actor, account: m.Account, today: date, now: datetime
) -> str:
    from billing_desktop.services import credits
    from billing_desktop.services.payment_methods import default_card_problem

    if account.payment_method == m.PaymentMethod.INVOICE:
        if credits.auto_recharge_settings(uow).enabled:
            credits.store_auto_recharge_off(uow, actor, now)
            return "Auto-recharge is now off: it charges a card, and the account pays by invoice."
        return ""
    problem = default_card_problem(uow, today)
    if problem is not None:
        return "Auto-recharge needs a valid default card: add one in Payment methods."
    return ""


def _auto_pay_message(uow: UnitOfWork, day: date) -> str:
    """What switching auto-pay on means (services/auto_pay.py does the paying)."""
    from billing_desktop.services.payment_methods import default_method

    method, problem = default_method(uow, day)
    if method is None:
        return f"Auto-pay pays nothing while {problem}."
    return (
        f"Auto-pay pays open invoices by {method.label} on their due date, including invoices "
        "already due."
    )


# Time zone ------------------------------------------------------------------------------------


def _records_from(uow: UnitOfWork, kind: str, start: datetime) -> Iterable[list[object]]:
    """The records of ``kind`` timed at or after ``start``, in batches."""
    if kind == "calls":
        for chunk in uow.queries.call_chunks(CallFilter(start=start), CallOrder(), CALL_CHUNK):
            yield [_call(row) for row in chunk]
        return
    field = {
        "conversations": "started_at",
        "alerts": "delivered_at",
        "sms": "sent_at",
        "interviews": "completed_at",
        "recordings": "recorded_at",
    }[kind]
    yield [r for r in getattr(uow, kind).all() if getattr(r, field) >= start]


def _call(row: tuple[object, ...]) -> m.Call:
    ident, kind, by, source, _candidate, campaign, number, micros, seconds = row
    started = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(str(micros)))
    return m.Call(
        id=str(ident), type=m.CallType(str(kind)), triggered_by=m.TriggeredBy(str(by)),
        trigger_source=str(source), candidate_id=None, campaign=str(campaign),
        number=None if number is None else str(number), user_id=None, started_at=started,
        duration_seconds=int(str(seconds)),
    )  # fmt: skip


def _clamped(deltas: Mapping[tuple[date, int, str, str], Decimal], first: date) -> RollupDeltas:
    out: RollupDeltas = defaultdict(Decimal)
    for (day, hour, app, measure), quantity in deltas.items():
        key = (day, hour, app, measure) if day >= first else (first, 0, app, measure)
        out[key] += quantity
    return out


def rebucket_open_months(uow: UnitOfWork, old: ZoneInfo, new: ZoneInfo, opened: Month) -> int:
    """Move the rollups of the records from the start of ``opened`` (in the ``old`` zone) to
    the ``new`` zone's local hours; returns how many records moved."""
    start = opened.bounds(old)[0]
    moved = 0
    for kind in ROLLUP_KINDS:
        for batch in _records_from(uow, kind, start):
            if not batch:
                continue
            moved += len(batch)
            combined: RollupDeltas = defaultdict(Decimal)
            for key, quantity in rollup_deltas(batch, old).items():
                combined[key] -= quantity
            for key, quantity in _clamped(rollup_deltas(batch, new), opened.first_day).items():
                combined[key] += quantity
            uow.rollups.add({k: v for k, v in combined.items() if v})
    return moved


__all__ = [
    "FIELDS",
    "AccountChange",
    "AccountDetails",
    "account_details",
    "customer_block",
    "update_account",
]
