"""What a month-end bundle holds (issue 23): a closed month, the moment it was closed (every
document of the bundle is dated by it, so the same month gives the same files), and the
numbers of its invoices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.periods import Month
from billing_desktop.services.context import require_account
from billing_desktop.store.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class BundlePlan:
    month: Month
    closed_at: datetime  # UTC: the date every document of the bundle records
    as_of: date  # the day of the close in the account's time zone: documents' "today"
    invoices: tuple[str, ...]  # issued during the month, then the month's own (issued at close)
    credit_notes: tuple[str, ...] = ()  # issued during the month, in number order


def bundle_plan(uow: UnitOfWork, actor: Actor, month: Month) -> BundlePlan:
    """The closed ``month``'s bundle; refused for a month that is not closed (its documents
    would still change)."""
    actor.rights.require(Area.INVOICES, Level.VIEW, "export month-end bundles")
    account = require_account(uow)
    closed = uow.closing.get(month.first_day)
    if closed is None:
        raise InvalidInput(
            f"{month} is not closed: a month-end bundle is made of a closed month only "
            f"(close it first: close-month {month})"
        )
    as_of = closed.closed_at.astimezone(ZoneInfo(account.timezone)).date()
    invoices = sorted(uow.invoices.all(), key=lambda i: (i.issued_on, i.number))
    numbers = [i.number for i in invoices if Month.of(i.issued_on) == month]
    numbers += [
        i.number for i in invoices if Month.of(i.period) == month and i.number not in numbers
    ]
    notes = sorted(n.number for n in uow.credit_notes.all() if Month.of(n.issued_on) == month)
    return BundlePlan(
        month, closed.closed_at, max(as_of, month.last_day), tuple(numbers), tuple(notes)
    )


__all__ = ["BundlePlan", "bundle_plan"]
