"""Download usage pricing (PRODUCT §5): the rate card as plain data for the PDF and CSV reports."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from billing_desktop.domain.access import Actor, Area, Level
from billing_desktop.domain.errors import NO_ACCOUNT, StoreError
from billing_desktop.domain.model import CommitAvailability, Metering, Product, Tier, Unit
from billing_desktop.domain.periods import account_today
from billing_desktop.services.billing import plain_decimal as plain
from billing_desktop.store.ports import UnitOfWork

METERING_TEXT = {
    Metering.SUM: "Sum of the usage",
    Metering.COUNT: "One per record",
    Metering.SESSIONS: "Every started 15 minutes of a conversation",
    Metering.VOICE_SESSIONS: "Every started 15 minutes of voice (AI and human)",
    Metering.PEAK_DAY: "Highest day from the 28th to the 27th",
    Metering.PER_AGENT: "Per licensed agent, monthly",
    Metering.PER_NUMBER: "Per phone number, monthly",
}
COMMIT_TEXT = {
    CommitAvailability.NOT_AVAILABLE: "Not available",
    CommitAvailability.AVAILABLE: "Available",
    CommitAvailability.ACTIVE: "Active",
}
CONTACT_CENTER_TAG = "Contact center services"


@dataclass(frozen=True, slots=True)
class RateCardLine:
    code: str
    name: str
    unit: Unit
    unit_price: str  # an exact decimal as written in the rate card ("0.0125")
    tiers: tuple[Tier, ...]
    free_units_per_agent: str
    contact_center_services: bool
    metering: Metering
    commit: CommitAvailability

    @property
    def tags(self) -> tuple[str, ...]:
        return (CONTACT_CENTER_TAG,) if self.contact_center_services else ()

    @property
    def counted(self) -> str:
        return METERING_TEXT.get(self.metering, self.metering.value)

    @property
    def commit_text(self) -> str:
        return COMMIT_TEXT.get(self.commit, self.commit.value)


@dataclass(frozen=True, slots=True)
class RateCard:
    """The account's rate card on ``as_of``: prices per unit in ``currency``."""

    account_name: str
    currency: str
    timezone: str
    as_of: date
    lines: tuple[RateCardLine, ...]

    def file_name(self, suffix: str) -> str:
        return pricing_file_name(self.account_name, self.as_of, suffix)


def pricing_file_name(account_name: str, as_of: date, suffix: str) -> str:
    """A sensible default file name: ``usage-pricing-<account>-<date>.<suffix>``."""
    ascii_name = unicodedata.normalize("NFKD", account_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.casefold()).strip("-")[:40].strip("-")
    parts = (
        ["usage-pricing", slug, as_of.isoformat()] if slug else ["usage-pricing", as_of.isoformat()]
    )
    return "-".join(parts) + "." + suffix.lstrip(".")


def _line(product: Product) -> RateCardLine:
    return RateCardLine(
        code=product.code,
        name=product.name,
        unit=product.unit,
        unit_price=plain(product.unit_price),
        tiers=tuple(sorted(product.tiers)),
        free_units_per_agent=plain(product.free_units_per_agent),
        contact_center_services=product.contact_center_services,
        metering=product.metering,
        commit=product.commit,
    )


def rate_card(uow: UnitOfWork, actor: Actor, today: date | None = None) -> RateCard:
    """Every product of the rate card, by name (PRODUCT §3), in the account's currency."""
    actor.rights.require(Area.USAGE, Level.VIEW, "download usage pricing")
    account = uow.account.get()
    if account is None:
        raise StoreError(NO_ACCOUNT)
    products = sorted(uow.products.all(), key=lambda p: (p.name.casefold(), p.code))
    return RateCard(
        account_name=account.name,
        currency=account.currency,
        timezone=account.timezone,
        as_of=today or account_today(account),
        lines=tuple(_line(p) for p in products),
    )


def tiers_text(tiers: tuple[Tier, ...]) -> str:
    """Graduated prices in the import format: ``10000:0.015;50000:0.01``."""
    return ";".join(f"{plain(t.above)}:{plain(t.unit_price)}" for t in tiers)


__all__ = [
    "CONTACT_CENTER_TAG",
    "RateCard",
    "RateCardLine",
    "pricing_file_name",
    "rate_card",
    "tiers_text",
]
