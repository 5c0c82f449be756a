"""CAMT.053 bank statements (ISO 20022 ``BkToCstmrStmt``) as rows of ``import payments``.

Read with the standard library's ElementTree behind ``defusedxml`` (no DTD, no entity, no
external reference is ever resolved: a statement is a file from outside). Each booked credit
entry (``Ntry`` with ``CdtDbtInd`` CRDT, status BOOK, not a reversal) becomes one row
``date, amount, reference, payer, id``, handed to the same checks as a CSV row (dates, amounts
in the account's currency, lengths), with the XML line of its entry as its line; an entry that
batches several transactions (``NtryDtls/TxDtls`` with their own amounts) gives one row each.
Debits are not payments received and are left out.

* date: ``BookgDt/Dt`` (or the date of ``BookgDt/DtTm``), else ``ValDt``;
* amount: the transaction's ``Amt`` (its ``Ccy`` must be the account's currency);
* reference: the unstructured remittance lines (``RmtInf/Ustrd``) joined, then the structured
  creditor reference (``RmtInf/Strd/CdtrRefInf/Ref``), then the end-to-end id;
* payer: ``RltdPties/Dbtr/Nm`` (``Dbtr/Pty/Nm`` in later versions);
* id: the bank's reference of the transaction (``Refs/AcctSvcrRef``), else of the entry
  (``AcctSvcrRef``, with the transaction's position in a batch), else ``NtryRef``; without
  any, the line's values are hashed as for a CSV file.

Every element is looked up by its local name, so the versions of camt.053 (001.02 to 001.13)
read alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from billing_desktop.domain.errors import ImportFailed

HEADER = ["date", "amount", "reference", "payer", "id"]
MAX_REFERENCE = 500


def looks_like_xml(path: Path) -> bool:
    """``path`` is an XML file (by its name, or its first character when it has none)."""
    if path.suffix.lower() == ".xml":
        return True
    if path.suffix.lower() == ".csv":
        return False
    try:
        with path.open("rb") as handle:
            start = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return False
    return start.startswith(b"<")


class _LineBuilder(TreeBuilder):
    """A tree builder that remembers the line each element starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[int, int] = {}
        self.parser: Any = None

    def start(self, tag: Any, attrs: Any) -> Element:
        element = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[id(element)] = int(self.parser.parser.CurrentLineNumber)
        return element


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: Element | None, *path: str) -> Element | None:
    """The first descendant along ``path`` of local names (namespaces ignored)."""
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


def _children(element: Element | None, name: str) -> list[Element]:
    return [] if element is None else [c for c in element if _local(c.tag) == name]


def _text(element: Element | None, *path: str) -> str:
    found = _child(element, *path)
    return " ".join((found.text or "").split()) if found is not None else ""


def _parse(path: Path) -> tuple[Element, dict[int, int]]:
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFailed([f"{path}: no such file"]) from None
    except OSError as exc:
        raise ImportFailed([f"{path}: cannot read the file ({exc.strerror})"]) from None
    try:
        parser.feed(data)
        root = parser.close()
    except ParseError as exc:
        line = exc.position[0] if exc.position else 1
        raise ImportFailed([f"{path.name}, line {line}: not well-formed XML ({exc})"]) from None
    except DefusedXmlException as exc:
        raise ImportFailed(
            [f"{path.name}: refused: the XML declares a DTD or entities ({type(exc).__name__})"]
        ) from None
    return root, builder.lines


def _status(entry: Element) -> str:
    status = _child(entry, "Sts")
    if status is None:
        return "BOOK"
    code = _text(status, "Cd")
    return code or " ".join((status.text or "").split()) or "BOOK"


def _payer(details: Element | None) -> str:
    debtor = _child(details, "RltdPties", "Dbtr")
    return _text(debtor, "Nm") or _text(debtor, "Pty", "Nm")


def _reference(details: Element | None) -> str:
    remittance = _child(details, "RmtInf")
    lines = [" ".join((u.text or "").split()) for u in _children(remittance, "Ustrd")]
    text = " ".join(line for line in lines if line)
    if not text:
        text = _text(remittance, "Strd", "CdtrRefInf", "Ref")
    if not text:
        end_to_end = _text(details, "Refs", "EndToEndId")
        text = "" if end_to_end.upper() == "NOTPROVIDED" else end_to_end
    return text[:MAX_REFERENCE]


def records(path: Path, currency: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of the header and of every booked credit of the statement in ``path``."""
    root, lines = _parse(path)
    statement_root = _child(root, "BkToCstmrStmt")
    if _local(root.tag) != "Document" or statement_root is None:
        raise ImportFailed(
            [
                f"{path.name}: not a CAMT.053 bank statement (its root is "
                f"<{_local(root.tag)}>, not <Document><BkToCstmrStmt>); import a CSV file with "
                "the columns date, amount, reference, payer (id optional) instead"
            ]
        )
    yield 1, list(HEADER)
    for statement in _children(statement_root, "Stmt"):
        for entry in _children(statement, "Ntry"):
            line = lines.get(id(entry), 1)
            if _text(entry, "CdtDbtInd") != "CRDT" or _text(entry, "RvslInd") == "true":
                continue
            if _status(entry) != "BOOK":
                continue  # pending or informational: not money received yet
            day = _text(entry, "BookgDt", "Dt") or _text(entry, "BookgDt", "DtTm")[:10]
            day = day or _text(entry, "ValDt", "Dt") or _text(entry, "ValDt", "DtTm")[:10]
            transactions = [
                t
                for t in _children(_child(entry, "NtryDtls"), "TxDtls")
                if _child(t, "Amt") is not None
            ]
            batch = len(transactions) > 1
            for position, details in enumerate(transactions or [None], start=1):
                amount = _child(details, "Amt") if details is not None else None
                amount = amount if amount is not None else _child(entry, "Amt")
                here = lines.get(id(details), line) if details is not None else line
                code = (amount.get("Ccy") or "") if amount is not None else ""
                if code and code.upper() != currency:
                    raise ImportFailed(
                        [
                            f"{path.name}, line {here}, column 'amount': the amount is in "
                            f"{code}, the account's currency is {currency}"
                        ]
                    )
                bank_id = _text(details, "Refs", "AcctSvcrRef")
                if not bank_id:
                    entry_id = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
                    bank_id = f"{entry_id}/{position}" if entry_id and batch else entry_id
                yield (
                    here,
                    [
                        day,
                        " ".join(((amount.text if amount is not None else "") or "").split()),
                        _reference(details),
                        _payer(details),
                        bank_id,
                    ],
                )


__all__ = ["HEADER", "looks_like_xml", "records"]
