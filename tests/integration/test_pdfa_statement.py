"""Statements are PDF/A-2b (issue 23), checked by pikepdf's validator (veraPDF's rules),
qpdf --check and the metadata rules of archival_checks; the same statement and date give the
same bytes; the validator is not vacuous."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.periods import Month
from billing_desktop.reports.layout import Furniture, build, para
from billing_desktop.reports.pdfa import Described, archival, validate
from billing_desktop.reports.statement import render_statement
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.demo import build_demo
from billing_desktop.services.month_close import close_month
from billing_desktop.services.statements import StatementData, statement
from tests.integration.archival_checks import check_pdfa, qpdf_check

TODAY = date(2026, 11, 21)
CREATED = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def october(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StatementData]:
    store = SqlStore(f"sqlite:///{tmp_path_factory.mktemp('pdfa') / 'demo.db'}")
    build_demo(store, seed=7, today=TODAY)
    for month in (Month(2026, 9), Month(2026, 10)):
        with store() as uow:
            close_month(uow, resolve_actor(uow, None), month, today=TODAY)
            uow.commit()
    with store() as uow:
        yield statement(uow, resolve_actor(uow, None), Month(2026, 10), TODAY)
    store.dispose()


def test_a_statement_is_pdfa_2b(october: StatementData, tmp_path: Path) -> None:
    rendered = render_statement(october, created=CREATED)
    assert rendered.pages >= 2
    pdf = check_pdfa(rendered.data, "2b", tmp_path)
    assert not pdf.attachments  # PDF/A-2 embeds no files
    assert str(pdf.docinfo["/CreationDate"]) == "D:20261101000000+00'00'"


def test_the_same_statement_and_date_give_the_same_bytes(october: StatementData) -> None:
    first = render_statement(october, created=CREATED).data
    assert render_statement(october, created=CREATED).data == first
    later = render_statement(october, created=datetime(2026, 11, 2, tzinfo=UTC)).data
    assert later != first


def test_the_validator_refuses_what_is_not_pdfa(tmp_path: Path) -> None:
    """reportlab's own output (no output intent, no XMP, the page transitions) fails; the
    same pages through archival() pass, and so does qpdf."""
    plain = build(
        [para("A page", "body")],
        Furniture("footer", "title", "account"),
        title="t",
        author="a",
        subject="s",
    )
    report = validate(plain.data, "2b")
    assert not report.passed
    assert any("OutputIntent" in f or "Metadata" in f or "/Trans" in f for f in report.findings)
    described = Described("t", "a", "s", CREATED)
    archived = archival(plain.data, "2b", described)
    assert validate(archived, "2b").passed
    qpdf_check(archived, tmp_path)
