"""The Usage tab's two cards: the account summary and the *Contact center services* balance."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtWidgets import QHBoxLayout, QWidget

from billing_desktop.domain.model import CommitScope
from billing_desktop.services.usage_page import UsagePage
from billing_desktop.ui.domain_words import auto_recharge_text, frequency_word
from billing_desktop.ui.i18n import ntr, tr
from billing_desktop.ui.locale_format import format_day
from billing_desktop.ui.tabs.usage.columns import CONTACT_CENTER_TAG, invoice_note
from billing_desktop.ui.widgets.summary_card import SummaryCard

PAID_FROM = {
    CommitScope.ACCOUNT: tr("The account commit, then purchased credits"),
    CommitScope.PRODUCT: tr("Each product's own commit, then purchased credits"),
}


class UsageCards(QWidget):
    """The month's balances side by side; ``fill`` shows a page, ``clear`` empties them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.account = SummaryCard(tr("Account summary"), tr("Current balance"), self)
        self.account.add_field("commit", tr("Committed credit"))
        self.account.add_field("period", tr("Committed credit period"))
        self.account.add_field("auto", tr("Auto-recharge"))
        self.contact_center = SummaryCard(CONTACT_CENTER_TAG, tr("Current balance"), self)
        self.contact_center.add_field("products", tr("Tagged products"))
        self.contact_center.add_field("source", tr("Paid from"))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(12)
        row.addWidget(self.account, 1)
        row.addWidget(self.contact_center, 1)

    def clear(self) -> None:
        self.account.clear()
        self.contact_center.clear()

    def fill(self, page: UsagePage, money: Callable[[Decimal], str]) -> None:
        summary = page.summary
        closed = summary.closed
        invoice_on = summary.invoice_date.isoformat()

        def balance_note(amount: Decimal) -> str:
            if amount >= 0:
                return tr("Credit available") if not closed else tr("Credit left at the close")
            if closed:
                return tr("Invoiced on {invoice_on} ({value})").format(
                    invoice_on=invoice_on, value=summary.invoice_number or tr("no invoice")
                )
            return invoice_note(summary, page.today)

        if closed:
            caption = tr("Balance at the close")
        elif page.is_current:
            caption = tr("Current balance")
        else:
            caption = tr("Balance (the month is not closed yet)")
        account = self.account
        account.caption.setText(caption)
        self.contact_center.caption.setText(caption)
        account.set_value(
            money(summary.balance), summary.balance < 0, balance_note(summary.balance)
        )
        account.note.setText(balance_note(summary.balance))
        commit, period = commit_lines(page, money)
        account.field("commit").setText(commit)
        account.field("period").setText(period)
        account.field("auto").setText(
            auto_recharge_text(page.auto_recharge, summary.currency)
            if page.auto_recharge_refusal is None or page.auto_recharge.enabled
            else tr("Not available (pays by invoice)")
        )
        cc = self.contact_center
        cc_balance = summary.contact_center_services_balance
        cc.set_value(money(cc_balance), cc_balance < 0, balance_note(cc_balance))
        cc.note.setText(balance_note(cc_balance))
        tagged = [p for p in summary.products if p.contact_center_services]
        cc.field("products").setText(
            tr("{len} with usage this month").format(len=len(tagged))
            if tagged
            else tr("None with usage this month")
        )
        cc.field("products").setToolTip(", ".join(p.name for p in tagged))
        cc.field("source").setText(PAID_FROM.get(page.account.commit_scope, "Purchased credits"))


def commit_lines(page: UsagePage, money: Callable[[Decimal], str]) -> tuple[str, str]:
    """The account card's committed credit and its period, following the commit scope."""
    summary = page.summary
    scope = page.account.commit_scope
    if scope == CommitScope.ACCOUNT:
        commit = summary.account_commit
        if commit is None:
            return tr("No account commit"), "—"
        return (
            f"{money(commit.amount)} {frequency_word(commit.frequency)}",
            tr("Last recharge {isoformat}, next {isoformat2}").format(
                isoformat=format_day(commit.last_recharge),
                isoformat2=format_day(commit.next_recharge),
            ),
        )
    if scope == CommitScope.PRODUCT:
        count = page.product_commits
        if count == 0:
            return tr("Per product: none in use this month"), "—"
        return ntr(
            "Per product: {count} commit (see the table)",
            "Per product: {count} commits (see the table)",
            count,
        ).format(count=count), tr("Per product (see the table)")
    return tr("None (this account has no credit commits)"), "—"
