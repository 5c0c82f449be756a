"""Invoices + payments + credit notes always reconcile with the ledger (issue 18), and payment
and credit note numbers never skip or repeat under concurrent writers.

The property: after any sequence of payments (partial, exact, over), voids and credit notes
(against an invoice or a line; some refused), the sum of what is left on the invoices is what
the ledger says is owed (minus its owed pool), nothing is left below zero, the credits pool
holds what went beyond the invoices, each invoice's derived status agrees with what is left,
and ``check`` finds nothing wrong.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.services import credit_notes, payments
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.integrity import ledger_problems
from billing_desktop.services.receivables import left_on_invoices
from billing_desktop.services.statements import invoice_history
from tests.integration.test_payments import NOW, TODAY, close_october
from tests.usage_workspace import build

D = Decimal
ROOT = Path(__file__).resolve().parents[2]
SEPTEMBER = "INV-000000"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlStore]:
    """October closed (INV-000001: VOICE 300.00 + SMS 100.00) and an older invoice without
    lines (INV-000000, 120.00); every example works in a unit of work it never commits."""
    path = tmp_path_factory.mktemp("receivables") / "store.db"
    store = SqlStore(f"sqlite:///{path}")
    with store(write=True) as uow:
        build(uow, TODAY)
        close_october(uow)
        uow.invoices.add_many(
            [m.Invoice(SEPTEMBER, date(2026, 10, 1), date(2026, 9, 1), D("120.00"),
                       m.InvoiceStatus.ISSUED, date(2026, 10, 31))]
        )  # fmt: skip
        uow.ledger.add_many(
            [m.LedgerEntry(date(2026, 10, 1), m.LedgerKind.INVOICE, D("-120.00"),
                           reference=SEPTEMBER)]
        )  # fmt: skip
        uow.commit()
    yield store
    store.dispose()


amounts = st.decimals(min_value=D("0.01"), max_value=D("500"), places=2)
invoices = st.sampled_from([SEPTEMBER, "INV-000001"])
operations = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), invoices, amounts),
        st.tuples(st.just("void"), st.integers(1, 8)),
        st.tuples(st.just("credit"), invoices, st.sampled_from([None, "VOICE", "SMS"]), amounts),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
def test_open_amounts_always_reconcile_with_the_ledger(
    workspace: SqlStore, steps: list[tuple[Any, ...]]
) -> None:
    with workspace(write=True) as uow:  # never committed
        admin = resolve_actor(uow, None)
        for step in steps:
            rows_before = len(uow.ledger.all())
            try:
                if step[0] == "pay":
                    payments.record_payment(uow, admin, step[1], step[2], TODAY, now=NOW)
                elif step[0] == "void":
                    payments.void_payment(uow, admin, f"PMT-{step[1]:06d}", "check", now=NOW)
                else:
                    credit_notes.issue_credit_note(
                        uow, admin, step[1], step[3], "check", step[2], now=NOW
                    )
            except (InvalidInput, payments.NotFound):
                assert len(uow.ledger.all()) == rows_before  # a refusal writes nothing
            left = left_on_invoices(uow)
            totals = uow.ledger.pool_totals(before=date.max)
            assert sum(left.values(), D(0)) == -totals.get("", D(0))
            assert all(amount >= 0 for amount in left.values()), left
            assert ledger_problems(uow) == []
            history = invoice_history(uow, admin, today=TODAY).rows
            for row in history:
                if row.kind.value == "invoice":
                    assert row.left == left[row.number]
                    assert (row.status == m.InvoiceStatus.PAID) == (left[row.number] == 0)
        # Numbers are gap-free: PMT-000001.. and CN-000001.. in the order written.
        for collection, prefix in ((uow.payments, "PMT-"), (uow.credit_notes, "CN-")):
            numbers = sorted(record.number for record in collection.all())
            assert numbers == [f"{prefix}{n:06d}" for n in range(1, len(numbers) + 1)]
        uow.rollback()


# --- concurrent writers ----------------------------------------------------------------------

NOTES = 12
WRITER = textwrap.dedent(
    """
    import sys
    from billing_desktop.services.credit_notes import issue_credit_note
    from billing_desktop.services.payments import record_payment
    from billing_desktop.services.context import resolve_actor
    from billing_desktop.bootstrap import SqlStore
    store = SqlStore(f"sqlite:///{sys.argv[1]}")
    with store() as uow:
        admin = resolve_actor(uow, None)
    for n in range(int(sys.argv[2])):
        store.write(issue_credit_note, admin, "INV-000001", "0.01", f"{sys.argv[3]} {n}")
        store.write(record_payment, admin, "INV-000000", "0.01")
    store.dispose()
    """
)


def numbers_of(store: SqlStore) -> tuple[list[str], list[str]]:
    with store() as uow:
        return (
            sorted(n.number for n in uow.credit_notes.all()),
            sorted(p.number for p in uow.payments.all()),
        )


@pytest.fixture
def shared(store: SqlStore) -> SqlStore:
    with store(write=True) as uow:
        build(uow, TODAY)
        close_october(uow)
        uow.invoices.add_many(
            [m.Invoice(SEPTEMBER, date(2026, 10, 1), date(2026, 9, 1), D("120.00"),
                       m.InvoiceStatus.ISSUED, date(2026, 10, 31))]
        )  # fmt: skip
        uow.ledger.add_many(
            [m.LedgerEntry(date(2026, 10, 1), m.LedgerKind.INVOICE, D("-120.00"),
                           reference=SEPTEMBER)]
        )  # fmt: skip
        uow.commit()
    return store


def expected(count: int) -> tuple[list[str], list[str]]:
    return (
        [f"CN-{n:06d}" for n in range(1, count + 1)],
        [f"PMT-{n:06d}" for n in range(1, count + 1)],
    )


def test_two_processes_writing_at_once_never_skip_or_repeat_a_number(
    shared: SqlStore, store_path: Path
) -> None:
    shared.dispose()
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(store_path), str(NOTES), name],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("first", "second")
    ]
    for process in processes:
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    assert numbers_of(shared) == expected(2 * NOTES)
    with shared() as uow:
        reasons = {n.reason for n in uow.credit_notes.all()}
        assert ledger_problems(uow) == []
    assert reasons == {f"{name} {n}" for name in ("first", "second") for n in range(NOTES)}


def test_two_threads_writing_at_once_never_skip_or_repeat_a_number(shared: SqlStore) -> None:
    with shared() as uow:
        admin = resolve_actor(uow, None)
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def stream(name: str) -> None:
        barrier.wait()
        for _n in range(NOTES):
            try:
                shared.write(credit_notes.issue_credit_note, admin, "INV-000001", "0.01", name)
                shared.write(payments.record_payment, admin, SEPTEMBER, "0.01")
            except BaseException as exc:  # reported below
                failures.append(exc)

    threads = [threading.Thread(target=stream, args=(name,)) for name in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    assert numbers_of(shared) == expected(2 * NOTES)
