"""No plan money in the files a user without the Plans right makes (PRODUCT §9, §10; issue 15
§3), on a local store: the statement PDF (read back with pdftotext) and the Usage tab's
transactions CSV, written as the demo's shared-account user after an admin added funds to an
app. The admin's files show the funds; the shared user's are exactly what they were before."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.access import Actor
from billing_desktop.domain.model import Role
from billing_desktop.domain.periods import Month
from billing_desktop.reports.statement import render_statement
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.demo import build_demo
from billing_desktop.services.plans import add_funds
from billing_desktop.services.statements import statement
from billing_desktop.services.usage_page import transactions
from billing_desktop.ui.tabs.usage import write_transactions
from tests.integration.pdf_text import pdf_text, squeeze

TODAY = date(2026, 11, 21)
NOVEMBER = Month(2026, 11)
APP_ID = "app-sales-assistant"
APP_NAME = "Sales Assistant"
FUNDS = "4321.98"


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[SqlStore]:
    store = SqlStore(f"sqlite:///{tmp_path / 'demo.db'}")
    build_demo(store, seed=7, today=TODAY)
    yield store
    store.dispose()


def actors(store: SqlStore) -> tuple[Actor, Actor]:
    """The demo's first admin and its shared-account user (the demo has one of each role)."""
    with store() as uow:
        users = sorted(uow.users.all(), key=lambda u: u.id)
        shared = next(u for u in users if u.role == Role.SHARED and not u.access_groups)
        return resolve_actor(uow, None), resolve_actor(uow, shared.id)


def fund_the_app(store: SqlStore, admin: Actor) -> None:
    with store() as uow:
        add_funds(uow, admin, APP_ID, FUNDS, today=TODAY)
        uow.commit()


def giveaways(store: SqlStore) -> list[str]:
    """App ids, names and balances, the funds' amount and reference, the pool prefix."""
    with store() as uow:
        apps = uow.apps.all()
    words = [FUNDS, "4,321.98", "APP-000001", "app:"]
    for app in apps:
        words += [app.id, app.name, f"{app.balance:.2f}", f"{app.balance:,.2f}"]
    return words


def statement_text(store: SqlStore, actor: Actor) -> str:
    data = store.read(statement, actor, NOVEMBER, TODAY)
    return pdf_text(render_statement(data).data)


def transactions_csv(store: SqlStore, actor: Actor, path: Path) -> list[list[str]]:
    rows = store.read(transactions, actor, NOVEMBER)
    with store() as uow:
        account = uow.account.get()
    assert account is not None
    write_transactions(path, rows, account.currency)
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))


def found(text: str, words: list[str]) -> list[str]:
    squeezed = squeeze(text).casefold()
    return [word for word in words if squeeze(word).casefold() in squeezed]


def test_the_shared_users_statement_pdf_carries_no_app_money(demo: SqlStore) -> None:
    admin, shared = actors(demo)
    before = statement_text(demo, shared)
    fund_the_app(demo, admin)
    words = giveaways(demo)

    after = statement_text(demo, shared)
    assert found(after, words) == []
    assert after == before  # not a row, not a cent of the balances moved

    admins = statement_text(demo, admin)
    assert f"Funds added to app {APP_NAME}" in " ".join(admins.split())
    assert found(admins, [FUNDS, "4,321.98"]), "the admin's statement shows the funds"


def test_the_shared_users_transactions_csv_carries_no_app_money(
    demo: SqlStore, tmp_path: Path
) -> None:
    admin, shared = actors(demo)
    before = transactions_csv(demo, shared, tmp_path / "before.csv")
    fund_the_app(demo, admin)
    words = giveaways(demo)

    after = transactions_csv(demo, shared, tmp_path / "shared.csv")
    assert after == before
    assert found((tmp_path / "shared.csv").read_text(encoding="utf-8-sig"), words) == []

    admins = transactions_csv(demo, admin, tmp_path / "admin.csv")
    funds = [row for row in admins if row[3] == "APP-000001"]
    assert len(funds) == 1
    assert funds[0][4] == f"Funds added to app {APP_NAME}"
    assert funds[0][5] == FUNDS
