"""The statement PDF read back with pdftotext: figures agree with ``usage --json`` and the
ledger, "Page X of Y" on every page, the table header repeated on page 2 of a long statement,
hostile names printed literally, the ``statement`` command's refusals."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.pdfmetrics import getFont

from billing_desktop.bootstrap import SqlStore
from billing_desktop.cli import main
from billing_desktop.domain import model as m
from billing_desktop.domain.money import format_money
from billing_desktop.domain.periods import Month
from billing_desktop.reports.fonts import register
from billing_desktop.reports.layout import RenderCancelled, RenderHooks
from billing_desktop.reports.statement import render_statement
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.demo import build_demo
from billing_desktop.services.month_close import close_month
from billing_desktop.services.statements import (
    AccountHeader,
    Issuer,
    Movement,
    StatementData,
    UsageCharge,
)
from tests.integration.pdf_text import page_count, page_size_points, pdf_text, squeeze

D = Decimal
TODAY = date(2026, 11, 21)
A4_POINTS = (595.28, 841.89)
HOSTILE_NAME = "Smith & Sons <Ltd>"
HOSTILE_DESCRIPTION = '<img src=x onerror="alert(1)"> &amp; </para> Ωμέγα Ёлка € ₹ ₽'


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The seed-7 demo with September and October closed (as ``close-month`` does)."""
    path = tmp_path_factory.mktemp("statement") / "demo.db"
    store = SqlStore(f"sqlite:///{path}")
    build_demo(store, seed=7, today=TODAY)
    for month in (Month(2026, 9), Month(2026, 10)):
        with store() as uow:
            close_month(uow, resolve_actor(uow, None), month, today=TODAY)
            uow.commit()
    store.dispose()
    yield path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def money_cells(line: str) -> list[str]:
    return re.findall(r"-?[$€¥£₹₽]?[\d,]+\.\d\d", line)


def test_the_statement_agrees_with_usage_json_and_the_ledger(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--store", str(demo_path), "usage", "--month", "2026-10", "--json")
    assert code == 0
    usage = json.loads(out)
    pdf = tmp_path / "october.pdf"
    code, out, err = run(
        capsys, "--store", str(demo_path), "statement", "--month", "2026-10", "--out", str(pdf)
    )
    assert code == 0 and err == ""
    pages = page_count(pdf)
    assert out.strip() == f"Wrote the statement for 2026-10 to {pdf} ({pages} pages)."
    text = pdf_text(pdf, layout=True)
    lines = text.splitlines()

    def usd(amount: str | Decimal) -> str:
        return format_money(D(amount), "USD")

    for product in usage["products"]:
        row = next(line for line in lines if line.strip().startswith(product["name"] + " ("))
        assert money_cells(row)[-3:] == [
            usd(product["amount"]),
            usd(product["credit_applied"]),
            usd(product["charged"]),
        ], row
    totals = next(line for line in lines if line.strip().startswith("Total "))
    assert money_cells(totals) == [
        usd(sum((D(p[k]) for p in usage["products"]), D(0)))
        for k in ("amount", "credit_applied", "charged")
    ]
    assert "invoicedasINV-000007on1Nov2026" in squeeze(text)

    store = SqlStore(f"sqlite:///{demo_path}")
    with store() as uow:
        ledger = uow.ledger.all()
    store.dispose()
    opening = sum((e.amount for e in ledger if e.occurred_on < date(2026, 10, 1)), D(0))
    during = [e for e in ledger if date(2026, 10, 1) <= e.occurred_on <= date(2026, 10, 31)]
    closing = opening + sum((e.amount for e in during), D(0))
    summary_open = next(line for line in lines if "Opening balance on 1 Oct 2026" in line)
    summary_close = next(line for line in lines if "Closing balance on 31 Oct 2026" in line)
    assert money_cells(summary_open) == [usd(opening)]
    assert money_cells(summary_close) == [usd(closing)]
    for entry in during:  # every ledger row of the month, with its amount
        assert any(
            line.strip().startswith(entry.occurred_on.isoformat()) and usd(entry.amount) in line
            for line in lines
        ), entry
    assert "Page 1 of" in text and "USD ($), 2 decimals" in text


def long_store(path: Path, rows: int) -> SqlStore:
    """An account with a hostile name and ``rows`` purchases in October 2026."""
    store = SqlStore(f"sqlite:///{path}")
    with store() as uow:
        uow.account.save(
            m.Account(
                HOSTILE_NAME,
                "EUR",
                "Europe/Berlin",
                m.PlanTier.PRO,
                m.PaymentMethod.INVOICE,
                m.CommitScope.NONE,
            )
        )
        uow.users.add_many([m.User("ada", "Ada", "ada@example.com", m.Role.ADMIN)])
        uow.ledger.add_many(
            [
                m.LedgerEntry(
                    date(2026, 10, 1) + timedelta(days=n * 30 // rows),
                    m.LedgerKind.PURCHASE,
                    D(n + 1),
                    reference=f"CR-{n:06d}",
                    description=HOSTILE_DESCRIPTION if n == 0 else f"Credit purchase {n}",
                    pool=m.CREDITS_POOL,
                )
                for n in range(rows)
            ]
        )
        uow.commit()
    return store


def test_every_page_is_numbered_and_repeats_the_table_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long_store(tmp_path / "long.db", 300).dispose()
    pdf = tmp_path / "long.pdf"
    code, out, _ = run(
        capsys, "--store", str(tmp_path / "long.db"), "statement", "--month", "2026-10",
        "--out", str(pdf),
    )  # fmt: skip
    assert code == 0 and "provisional statement" in out  # October is not closed here
    pages = page_count(pdf)
    assert pages >= 3
    assert page_size_points(pdf) == pytest.approx(A4_POINTS, abs=0.1)
    for page in range(1, pages + 1):
        assert f"Page {page} of {pages}" in pdf_text(pdf, first=page, last=page)
    second = [line.split() for line in pdf_text(pdf, layout=True, first=2, last=2).splitlines()]
    second = [line for line in second if line]
    header_at = second.index(["Date", "Type", "Reference", "Description", "Amount", "Balance"])
    assert header_at <= 2  # under the running header, before any row
    assert "Statement" in second[0] and "October" in second[0]
    first_row = second[header_at + 1]
    assert first_row[0].startswith("2026-10-") and first_row[2] != "CR-000000"  # continued
    # The header row is drawn on every page of the transactions, not only on page 2.
    for page in range(2, pages + 1):
        assert "DateTypeReferenceDescriptionAmountBalance" in squeeze(
            pdf_text(pdf, first=page, last=page, raw=True)
        )


def test_hostile_names_print_literally(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long_store(tmp_path / "s.db", 3).dispose()
    pdf = tmp_path / "s.pdf"
    assert run(capsys, "--store", str(tmp_path / "s.db"), "statement", "--month", "2026-10",
               "--out", str(pdf))[0] == 0  # fmt: skip
    text = pdf_text(pdf)
    assert text.count(HOSTILE_NAME) == 2  # the account paragraph and the footer of page 1
    assert squeeze(HOSTILE_DESCRIPTION) in squeeze(pdf_text(pdf, raw=True))
    assert "€" in text and "Amounts in EUR (€), 2 decimals" in text


# --- generated hostile strings -----------------------------------------------------------------

RANGES = (
    (0x20, 0x7E),  # ASCII, markup characters included
    (0xA1, 0x17F),  # Latin-1 and Latin Extended-A
    (0x370, 0x3FF),  # Greek
    (0x400, 0x4FF),  # Cyrillic
    (0x2010, 0x205E),  # punctuation
    (0x20A0, 0x20C0),  # currency symbols: € ₹ ₽ …
    (0x2190, 0x22FF),  # arrows, mathematical operators
)


def _printable() -> list[str]:
    """Characters of the ranges that the bundled font can draw (letters, digits, marks of
    punctuation, symbols; no control or combining characters)."""
    regular, bold = register()
    covered = set(getFont(regular).face.charToGlyph) & set(getFont(bold).face.charToGlyph)
    return [
        chr(code)
        for low, high in RANGES
        for code in range(low, high + 1)
        if code in covered and (chr(code) == " " or unicodedata.category(chr(code))[0] in "LNPS")
    ]


MARKUP = (
    "<img src=x>",
    "&amp;",
    "&lt;b&gt;",
    "<b>",
    "</para>",
    "<font size=40>",
    "&#60;",
    "&nbsp;",
    "<br/>",
    "]]>",
    "Smith & Sons <Ltd>",
    "€ ₹ ₽",
)
hostile = st.lists(
    st.one_of(
        st.text(st.sampled_from(_printable()), min_size=1, max_size=12), st.sampled_from(MARKUP)
    ),
    min_size=1,
    max_size=5,
).map(lambda parts: " ".join(" ".join(parts).split()))  # single spaces, none at the ends
hostile = hostile.filter(bool)


def tagged(index: int, text: str) -> str:
    return f"«{index}|{text}|{index}»"


def statement_with(strings: list[str], currency: str = "EUR") -> StatementData:
    """A statement carrying ``strings`` in every place user text reaches: paragraphs (account,
    issuer), table cells (products, descriptions, references) and the footer."""
    texts = [tagged(i, text) for i, text in enumerate(strings)]
    month = Month(2026, 10)
    movements = tuple(
        Movement(
            occurred_on=month.first_day,
            kind=m.LedgerKind.PURCHASE,
            reference=texts[i + 1] if i % 7 == 0 else f"R{i}",
            description=text,
            product="",
            amount=D(i),
            balance=D(i),
        )
        for i, text in enumerate(texts[12:])
    )
    usage = tuple(
        UsageCharge(f"p{i}", text, "minute", D(1), D(0), D(0), D("0.5"), D("0.50"), D(0), D("0.50"))
        for i, text in enumerate(texts[3:12])
    )
    return StatementData(
        issuer=Issuer(texts[1], (texts[2],)),
        account=AccountHeader(
            texts[0], currency, "Europe/Berlin", m.PlanTier.PRO, m.PaymentMethod.INVOICE
        ),
        month=month,
        closed=True,
        provisional=False,
        generated_on=TODAY,
        opening_balance=D(0),
        movements=movements,
        closing_credit=D(0),
        closing_owed=D(0),
        usage=usage,
        usage_invoice=None,
        invoices=(),
    )


def found_strings(text: str, count: int) -> dict[int, str]:
    flat = squeeze(text)
    found: dict[int, str] = {}
    for index in range(count):
        match = re.search(re.escape(f"«{index}|") + "(.*?)" + re.escape(f"|{index}»"), flat)
        if match:
            found[index] = match.group(1)
    return found


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(hostile, min_size=200, max_size=230))
def test_200_generated_hostile_strings_round_trip_exactly(strings: list[str]) -> None:
    data = statement_with(strings)
    text = pdf_text(render_statement(data).data, raw=True)
    found = found_strings(text, len(strings))
    # pdftotext breaks wrapped cells and paragraphs into lines: compare without whitespace.
    assert found == {i: squeeze(s) for i, s in enumerate(strings)}


def test_the_generator_makes_hostile_strings() -> None:
    assert find(hostile, lambda s: "<img src=x>" in s and "&amp;" in s)
    assert find(hostile, lambda s: any("\u0370" <= c <= "\u04ff" for c in s) and "<" in s)
    assert find(hostile, lambda s: "₽" in s)


def test_currencies_print_their_symbol_and_minor_units() -> None:
    yen = statement_with([f"Name {i}" for i in range(20)], currency="JPY")
    yen = replace(yen, opening_balance=D(1234567))
    text = pdf_text(render_statement(yen).data)
    assert "Amounts in JPY (¥), no decimals" in text and "¥1,234,567" in text
    dinar = replace(
        statement_with([f"N{i}" for i in range(20)], currency="KWD"), opening_balance=D("1.5")
    )
    text = pdf_text(render_statement(dinar).data)
    assert "Amounts in KWD (KWD), 3 decimals" in text and "KWD 1.500" in text


# --- long renders ------------------------------------------------------------------------------


def long_statement(rows: int) -> StatementData:
    return statement_with([f"Row {n} text" for n in range(rows)])


def test_a_render_reports_progress_and_can_be_cancelled() -> None:
    seen: list[tuple[float, str]] = []
    rendered = render_statement(
        long_statement(1500), RenderHooks(lambda f, msg: seen.append((f, msg)))
    )
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(seen) > rendered.pages
    assert any(msg.startswith("Laying out page") for _, msg in seen)

    pages: list[float] = []

    def cancel_after_two_pages() -> bool:
        return len(pages) >= 2

    with pytest.raises(RenderCancelled):
        render_statement(
            long_statement(1500),
            RenderHooks(
                lambda f, msg: pages.append(f) if msg.startswith("Laying out") else None,
                cancel_after_two_pages,
            ),
        )
    assert len(pages) == 2


def test_cancelling_never_leaves_a_file(tmp_path: Path) -> None:
    from billing_desktop.reports.layout import write_atomically

    target = tmp_path / "statement.pdf"
    with pytest.raises(RenderCancelled):
        write_atomically(
            target, render_statement(long_statement(500), RenderHooks(None, lambda: True)).data
        )
    assert list(tmp_path.iterdir()) == []


# --- the command's refusals ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-13", "'2026-13' is not a month (YYYY-MM)"),
        ("October", "'October' is not a month (YYYY-MM)"),
        ("2099-01", "2099-01 has not started yet in America/New_York"),
        ("2020-01", "nothing to state for 2020-01: it is not closed, and has no ledger rows"),
    ],
)
def test_bad_or_empty_months_exit_2_and_write_nothing(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], month: str, message: str
) -> None:
    pdf = tmp_path / "out.pdf"
    code, out, err = run(
        capsys, "--store", str(demo_path), "statement", "--month", month, "--out", str(pdf)
    )
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err
    assert list(tmp_path.iterdir()) == []


def test_a_bad_output_path_is_refused_before_anything_is_read(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--store", str(demo_path), "statement", "--month", "2026-10",
                       "--out", str(tmp_path / "missing" / "s.pdf"))  # fmt: skip
    assert code == 2 and "no such folder" in err and not (tmp_path / "missing").exists()
    code, _, err = run(capsys, "--store", str(demo_path), "statement", "--month", "2026-10",
                       "--out", str(tmp_path))  # fmt: skip
    assert code == 2 and "is a folder" in err


def test_an_open_month_prints_a_provisional_statement(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "november.pdf"
    code, out, _ = run(
        capsys, "--store", str(demo_path), "statement", "--month", "2026-11", "--out", str(pdf)
    )
    assert code == 0 and "provisional statement for 2026-11" in out
    text = pdf_text(pdf)
    assert "STATEMENT" in text and "PROVISIONAL — month not closed" in text
    assert "Provisional: November 2026 is not closed yet" in " ".join(text.split())
    assert "INV-000007" in text  # issued on 1 November: November's invoices


def test_an_open_months_balance_is_so_far_until_the_month_ends() -> None:
    data = replace(statement_with([f"N{i}" for i in range(20)]), closed=False, provisional=True)
    assert data.generated_on == TODAY
    open_text = " ".join(
        pdf_text(render_statement(replace(data, month=Month(2026, 11))).data).split()
    )
    assert open_text.count("Balance so far, on 21 Nov 2026") == 2  # summary and transactions
    assert "Closing balance" not in open_text
    ended = " ".join(pdf_text(render_statement(data).data).split())  # October: over by then
    assert ended.count("Closing balance on 31 Oct 2026") == 2


def test_the_statement_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["statement", "--help"])
    assert exited.value.code == 0
    assert "--month YYYY-MM" in capsys.readouterr().out


def test_cells_wrap_without_losing_a_character() -> None:
    from billing_desktop.reports.layout import text_width, wrap

    word = "Ж" * 120 + "€<b>&amp;"
    lines = wrap(word, 60)
    assert len(lines) > 3 and "".join(lines) == word
    assert all(text_width(line) <= 60 for line in lines)
    assert wrap("one two\nthree\tfour", 500) == ["one two", "three four"]
    sentence = "Voice minutes usage for the Spring hiring campaign, second half"
    assert " ".join(wrap(sentence, 80)) == sentence


def test_line_breaks_in_names_make_taller_rows_not_overlaps() -> None:
    data = statement_with(["x"] * 20)
    multi = replace(data.movements[0], description="first line\nsecond line\nthird line")
    text = pdf_text(render_statement(replace(data, movements=(multi,))).data, layout=True)
    lines = [line.strip() for line in text.splitlines()]
    at = next(i for i, line in enumerate(lines) if "first line" in line)
    assert "second line" in lines[at + 1] and "third line" in lines[at + 2]
