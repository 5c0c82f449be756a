"""What the billing-unit use cases share: the view right and the wording of counts and lists."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import partial

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.services.ledger import audit

ENTITY = "billing_unit"
_audit = partial(audit, entity=ENTITY)  # the audit row of a change to one of these
ZERO = Decimal(0)


def _require_view(actor: Actor) -> None:
    actor.rights.require(Area.BILLING_UNITS, Level.VIEW, "see billing units")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _list(items: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
