"""Download usage pricing: the rate card service, its PDF (checked with pdftotext) and CSV."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.errors import PermissionDenied
from billing_desktop.reports.rate_card import CSV_HEADER, rate_card_csv, rate_card_pdf
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.pricing import RateCard, rate_card
from tests.integration.pdf_text import pdf_text as read_pdf_text

D = Decimal
AS_OF = date(2026, 11, 21)
PRODUCTS = [
    m.Product("VOICE", "Voice minutes", m.Unit.MINUTE, D("0.0125"), D("1000"), True,
              m.Metering.SUM, m.Source.CALLS, m.CommitAvailability.ACTIVE,
              (m.Tier(D("50000"), D("0.01")), m.Tier(D("10000"), D("0.015")))),
    m.Product("FORMULA", "=HYPERLINK(\"http://evil\")", m.Unit.MESSAGE, D("0.0075"), D("0"),
              False, m.Metering.COUNT, m.Source.SMS, m.CommitAvailability.NOT_AVAILABLE),
    m.Product("MARKUP", "Bots <b>&</b> Σύνοδοι сессии", m.Unit.SESSION, D("0.05"), D("500"),
              False, m.Metering.SESSIONS, m.Source.CONVERSATIONS,
              m.CommitAvailability.AVAILABLE),
    m.Product("STORE", "Recording storage", m.Unit.GB, D("0.23"), D("0"), False,
              m.Metering.PEAK_DAY, m.Source.STORAGE, m.CommitAvailability.NOT_AVAILABLE),
]  # fmt: skip


@pytest.fixture
def priced(store: SqlStore) -> SqlStore:
    with store() as uow:
        uow.account.save(
            m.Account(
                "Zürich Talent AG",
                "EUR",
                "Europe/Zurich",
                m.PlanTier.PRO,
                m.PaymentMethod.INVOICE,
                m.CommitScope.PRODUCT,
            )
        )
        uow.products.add_many(PRODUCTS)
        uow.users.add_many(
            [
                m.User("ada", "Ada", "ada@example.com", m.Role.ADMIN),
                m.User("shay", "Shay", "shay@example.com", m.Role.SHARED),
                m.User("alex", "Alex", "alex@example.com", m.Role.AGENT),
            ]
        )
        uow.commit()
    return store


def card_of(store: SqlStore, user: str | None = None) -> RateCard:
    with store() as uow:
        return rate_card(uow, resolve_actor(uow, user), AS_OF)


def test_the_rate_card_lists_every_product_by_name(priced: SqlStore) -> None:
    card = card_of(priced, "shay")  # viewing Usage is enough
    assert (card.account_name, card.currency, card.as_of) == ("Zürich Talent AG", "EUR", AS_OF)
    assert [line.code for line in card.lines] == ["FORMULA", "MARKUP", "STORE", "VOICE"]
    voice = card.lines[-1]
    assert voice.unit_price == "0.0125" and voice.free_units_per_agent == "1000"
    assert [t.above for t in voice.tiers] == [D("10000"), D("50000")]  # sorted
    assert voice.tags == ("Contact center services",)
    assert card.file_name("pdf") == "usage-pricing-zurich-talent-ag-2026-11-21.pdf"
    with priced() as uow, pytest.raises(PermissionDenied):
        rate_card(uow, resolve_actor(uow, "alex"))


def test_the_csv_is_formula_safe_and_exact(priced: SqlStore, tmp_path: Path) -> None:
    path = tmp_path / "pricing.csv"
    assert rate_card_csv(card_of(priced), path) == 4
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(CSV_HEADER)
    by_code = {row["code"]: row for row in rows}
    assert by_code["FORMULA"]["name"] == '\'=HYPERLINK("http://evil")'
    assert by_code["VOICE"] == {
        "code": "VOICE",
        "name": "Voice minutes",
        "unit": "minute",
        "unit_price": "0.0125",
        "currency": "EUR",
        "graduated_prices": "10000:0.015;50000:0.01",
        "free_units_per_agent": "1000",
        "contact_center_services": "true",
        "metering": "sum",
        "commit": "active",
    }
    assert by_code["MARKUP"]["name"] == "Bots <b>&</b> Σύνοδοι сессии"


def pdf_text(path: Path) -> str:
    return read_pdf_text(path, layout=True)


def test_the_pdf_shows_prices_in_the_currency_free_units_and_tags(
    priced: SqlStore, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    path = out / "pricing.pdf"
    assert rate_card_pdf(card_of(priced), path) == 4
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and b"DejaVuSans" in data  # the bundled font, embedded
    assert [p.name for p in out.iterdir()] == ["pricing.pdf"]  # no temporary file left
    text = pdf_text(path)
    for expected in (
        "Usage pricing",
        "Zürich Talent AG",
        "Prices per unit in Euro (EUR)",
        "rate card as of 21 November 2026",
        "Voice minutes",
        "€0.0125",
        "above 10,000: €0.015",
        "above 50,000: €0.01",
        "1,000",  # free units per agent
        "Contact center services",
        "Bots <b>&</b> Σύνοδοι сессии",  # escaped, not read as markup; any script
        "=HYPERLINK",
        "Highest day from the 28th to",
        "Page 1 of 1",
    ):
        assert expected in text, expected


def test_a_long_rate_card_gets_more_pages_with_the_header_repeated(
    priced: SqlStore, tmp_path: Path
) -> None:
    card = card_of(priced)
    many = RateCard(card.account_name, card.currency, card.timezone, card.as_of, card.lines * 20)
    path = tmp_path / "long.pdf"
    assert rate_card_pdf(many, path) == 80
    text = pdf_text(path)
    pages = text.count("\f")
    assert pages >= 3 and f"Page {pages} of {pages}" in text
    assert text.count("Free units") >= pages  # the header row repeats on every page
