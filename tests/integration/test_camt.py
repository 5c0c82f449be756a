"""``import payments FILE.xml``: a CAMT.053 bank statement, read safely, checked like a CSV file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.errors import ImportFailed
from billing_desktop.services.camt import looks_like_xml
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.imports import import_file
from billing_desktop.services.reconcile import MatchState, reconciliation
from tests.integration.test_payments import INVOICE, TODAY, close_october
from tests.usage_workspace import build

D = Decimal
NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def entry(
    amount: str,
    details: str = "",
    *,
    side: str = "CRDT",
    status: str = "<Sts>BOOK</Sts>",
    day: str = "2026-11-18",
    currency: str = "USD",
    ref: str = "",
) -> str:
    return f"""
      <Ntry>
        <Amt Ccy="{currency}">{amount}</Amt>
        <CdtDbtInd>{side}</CdtDbtInd>
        {status}
        <BookgDt><Dt>{day}</Dt></BookgDt>
        <ValDt><Dt>{day}</Dt></ValDt>
        {f"<AcctSvcrRef>{ref}</AcctSvcrRef>" if ref else ""}
        <BkTxCd/>
        {details}
      </Ntry>"""


def tx(amount: str, text: str, payer: str, ref: str = "", currency: str = "USD") -> str:
    refs = f"<Refs><AcctSvcrRef>{ref}</AcctSvcrRef></Refs>" if ref else ""
    return f"""
          <TxDtls>
            {refs}
            <Amt Ccy="{currency}">{amount}</Amt>
            <RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr></RltdPties>
            <RmtInf><Ustrd>{text}</Ustrd></RmtInf>
          </TxDtls>"""


def statement(*entries: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{NS}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>STMT-1</MsgId><CreDtTm>2026-11-20T08:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>S1</Id>
      <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>
      {"".join(entries)}
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


GOOD = statement(
    entry("150.00", f"<NtryDtls>{tx('150.00', 'INV-000001 part payment', 'Acme Corp')}</NtryDtls>",
          ref="BANK-1"),
    entry("75.00", side="DBIT", ref="BANK-2"),  # money paid out: not a payment received
    entry("10.00", status="<Sts>PDNG</Sts>", ref="BANK-3"),  # not booked yet
    entry("250.00", "<NtryDtls>"
          + tx("200.00", "Invoice 1 rest", "Acme Corp", ref="TX-A")
          + tx("50.00", "Deposit", "Landlord Ltd", ref="TX-B") + "</NtryDtls>"),
)  # fmt: skip


@pytest.fixture
def acme(store: SqlStore) -> SqlStore:
    with store() as uow:
        build(uow, TODAY)
        close_october(uow)
        uow.commit()
    return store


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_booked_credits_are_staged_once_with_the_banks_references(
    acme: SqlStore, tmp_path: Path
) -> None:
    path = write(tmp_path / "statement.xml", GOOD)
    report = import_file(acme, "payments", path, today=TODAY)
    assert (report.rows, report.added, report.skipped) == (3, 3, 0)
    assert import_file(acme, "payments", path, today=TODAY).skipped == 3  # idempotent
    with acme() as uow:
        lines = {line.id: line for line in uow.bank_lines.all()}
        found = reconciliation(uow, resolve_actor(uow, None))
    assert set(lines) == {"BANK-1", "TX-A", "TX-B"}
    first = lines["BANK-1"]
    assert (first.date.isoformat(), first.amount, first.reference, first.payer) == (
        "2026-11-18",
        D("150.00"),
        "INV-000001 part payment",
        "Acme Corp",
    )
    states = {(x.reference, x.state, x.invoice) for x in found.lines}
    assert states == {
        ("INV-000001 part payment", MatchState.MATCHED, INVOICE),
        ("Invoice 1 rest", MatchState.MATCHED, INVOICE),
        ("Deposit", MatchState.UNMATCHED, ""),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (statement(entry("5.00", currency="EUR", ref="B1")),
         "statement.xml, line 9, column 'amount': the amount is in EUR, the account's currency "
         "is USD"),
        (statement(entry("-5.00", ref="B1")), "statement.xml, line 9, column 'amount':"),
        (statement(entry("5.00", day="2026-02-30", ref="B1")),
         "statement.xml, line 9, column 'date':"),
        (GOOD.replace("</Stmt>", "</Stmnt>"),
         f"statement.xml, line {GOOD.splitlines().index('    </Stmt>') + 1}: not well-formed XML"),
        ('<?xml version="1.0"?><Document><pain/></Document>',
         "statement.xml: not a CAMT.053 bank statement"),
        ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
         "<Document>&b;</Document>", "statement.xml: refused: the XML declares a DTD"),
    ],
)  # fmt: skip
def test_a_bad_statement_is_named_and_stages_nothing(
    acme: SqlStore, tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ImportFailed) as failed:
        import_file(acme, "payments", write(tmp_path / "statement.xml", text), today=TODAY)
    assert str(failed.value).startswith(message), str(failed.value)
    with acme() as uow:
        assert uow.bank_lines.all() == []


def test_xml_is_told_by_its_name_or_first_character(tmp_path: Path) -> None:
    assert looks_like_xml(write(tmp_path / "a.XML", "x"))
    assert not looks_like_xml(write(tmp_path / "a.csv", "<x/>"))
    assert looks_like_xml(write(tmp_path / "export", "\ufeff  <?xml version='1.0'?><a/>"))
    assert not looks_like_xml(write(tmp_path / "export2", "date,amount\n"))
