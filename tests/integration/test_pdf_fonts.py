"""Issue 15 §7: names in scripts DejaVu Sans lacks print in the fallback font (CJK), a
character no bundled font has prints as a visible U+FFFD, and a 3,000-character name no
longer stops a PDF with reportlab's LayoutError."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from billing_desktop.domain import model as m
from billing_desktop.reports import layout
from billing_desktop.reports.fonts import FALLBACK, REGULAR, REPLACEMENT, runs, shown
from billing_desktop.reports.invoice import render_invoice
from billing_desktop.reports.rate_card import rate_card_pdf
from billing_desktop.reports.statement import render_statement
from billing_desktop.services.pricing import RateCard, RateCardLine
from tests.integration.pdf_text import page_count, pdf_text, squeeze
from tests.integration.test_invoice_pdf import make_invoice
from tests.integration.test_statement_pdf import found_strings, statement_with, tagged

D = Decimal
CJK = ["株式会社テスト 東京", "한국어 상품 이름", "中文产品名称 Voice", "Mixed Ωμέγα 日本 €"]
NO_FONT = "Hiero 𓀀 end"  # an Egyptian hieroglyph: in no bundled font


def test_runs_split_text_by_the_font_that_has_it() -> None:
    assert runs("Ωμέγα €") == [(REGULAR, "Ωμέγα €")]
    assert runs("Acme 東京 Ltd") == [(REGULAR, "Acme "), (FALLBACK, "東京"), (REGULAR, " Ltd")]
    assert runs(NO_FONT) == [(REGULAR, f"Hiero {REPLACEMENT} end")]
    assert shown("한국") == "한국"


def test_cjk_names_print_in_statements_in_every_place(tmp_path: Path) -> None:
    strings = CJK + [NO_FONT] + [f"Name {i}" for i in range(20)]
    data = render_statement(statement_with(strings)).data
    (tmp_path / "statement.pdf").write_bytes(data)
    text = pdf_text(data, raw=True)
    found = found_strings(text, len(strings))
    # The account (a paragraph and the footer), the issuer, products and descriptions (cells).
    for index, name in enumerate(CJK):
        assert found.get(index) == squeeze(name), (index, found.get(index))
    assert found[4] == squeeze(f"Hiero {REPLACEMENT} end")  # not blank, not dropped: marked
    assert squeeze(tagged(0, CJK[0])) in squeeze(pdf_text(data, first=2, last=2))  # footer


def test_cjk_names_print_on_invoices() -> None:
    invoice = make_invoice([("東京 Voice minutes", D(10), D("0.5"))], name="株式会社テスト")
    text = pdf_text(render_invoice(invoice).data)
    assert text.count("株式会社テスト") == 2  # the "Bill to" paragraph and the footer
    assert "東京 Voice minutes" in text


def line(name: str, code: str) -> RateCardLine:
    return RateCardLine(
        code, name, m.Unit.MINUTE, "0.0125", (), "100", True, m.Metering.SUM,
        m.CommitAvailability.ACTIVE,
    )  # fmt: skip


def test_a_3000_character_product_name_is_cut_off_not_fatal(tmp_path: Path) -> None:
    long = ("Very long product name with words 長い名前 " * 100)[:3000]
    card = RateCard(
        "A" * 3000,
        "USD",
        "Europe/Berlin",
        date(2026, 11, 21),
        (line("Voice", "VOICE"), line(long, "LONG"), line("x" * 3000, "NOSPACE")),
    )
    path = tmp_path / "pricing.pdf"
    assert rate_card_pdf(card, path) == 3
    text = pdf_text(path)
    assert page_count(path) <= 3
    assert "LONG" in text and "NOSPACE" in text  # the codes still show under the names
    assert squeeze(long[:60]) in squeeze(text) and "…" in text


def test_cells_and_paragraphs_are_capped() -> None:
    lines = layout.wrap("word " * 2000, 100)
    clipped = layout.clip(lines, 100)
    assert len(clipped) == layout.MAX_CELL_LINES and clipped[-1].endswith("…")
    assert layout.text_width(clipped[-1]) <= 100
    assert len(layout.para("x" * 5000).text) <= layout.MAX_PARAGRAPH
