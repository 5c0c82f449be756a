"""Invoices and statements (PRODUCT §8): the history, an invoice's lines, a month's statement.

Everything here is plain data for the Invoices tab, the PDF reports and ``statement``; nothing
is formatted for display and nothing is rated twice:

* an invoice's **status** is derived, never taken on trust: *paid* when payment rows of the
  ledger referencing its number cover its amount, *overdue* when unpaid and past its due date
  as of today (in the account's time zone), *issued* otherwise;
* an invoice's **lines** are the stored lines of the month it bills (what ``close-month``
  wrote); a month closed by an earlier system has none, and its invoice gets one line
  "Usage for <month>" marked as a summary line;
* a **statement** is the ledger of one month: the balance before it, every row of it, the
  balance after it (closing = opening + the rows; + is in the customer's favour), plus the
  month's usage per product exactly as ``usage`` reports it. A month that is not closed yet
  gets a *provisional* statement: its usage is rated so far and reaches the ledger only when
  the month is closed.

Enterprise accounts have no invoices in the product: the history and invoice documents are
refused (their contract is billed outside it). Their statements (the ledger) stay available."""

from __future__ import annotations

from billing_desktop.services.statements.common import DEFAULT_ISSUER as DEFAULT_ISSUER
from billing_desktop.services.statements.common import ISSUER_SETTING as ISSUER_SETTING
from billing_desktop.services.statements.common import MONTH_NAMES as MONTH_NAMES
from billing_desktop.services.statements.common import ORDER_KINDS as ORDER_KINDS
from billing_desktop.services.statements.common import ZERO as ZERO
from billing_desktop.services.statements.common import AccountHeader as AccountHeader
from billing_desktop.services.statements.common import DocumentKind as DocumentKind
from billing_desktop.services.statements.common import DocumentLine as DocumentLine
from billing_desktop.services.statements.common import HistoryRow as HistoryRow
from billing_desktop.services.statements.common import InvoiceDocument as InvoiceDocument
from billing_desktop.services.statements.common import Issuer as Issuer
from billing_desktop.services.statements.common import credit_note_document as credit_note_document
from billing_desktop.services.statements.common import credit_note_rows as credit_note_rows
from billing_desktop.services.statements.common import issuer as issuer
from billing_desktop.services.statements.common import month_name as month_name
from billing_desktop.services.statements.documents import invoice_document as invoice_document
from billing_desktop.services.statements.history import History as History
from billing_desktop.services.statements.history import invoice_history as invoice_history
from billing_desktop.services.statements.history import order_number as order_number
from billing_desktop.services.statements.monthly import GROUP_OF_KIND as GROUP_OF_KIND
from billing_desktop.services.statements.monthly import GROUP_TITLES as GROUP_TITLES
from billing_desktop.services.statements.monthly import KIND_TITLES as KIND_TITLES
from billing_desktop.services.statements.monthly import Movement as Movement
from billing_desktop.services.statements.monthly import MovementGroup as MovementGroup
from billing_desktop.services.statements.monthly import StatementData as StatementData
from billing_desktop.services.statements.monthly import StatementInvoice as StatementInvoice
from billing_desktop.services.statements.monthly import StatementMonth as StatementMonth
from billing_desktop.services.statements.monthly import UsageCharge as UsageCharge
from billing_desktop.services.statements.monthly import statement as statement
from billing_desktop.services.statements.monthly import statement_months as statement_months
