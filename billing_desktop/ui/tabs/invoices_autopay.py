"""Invoices tab ▸ the auto-pay note (issue 19 §3): when auto-pay is on, a line under the buttons
says by which method invoices are paid on their due date, or — where the accountant looks — why
the due invoices it lists were not paid (no default method, an expired card). Read off the GUI
thread (``services.auto_pay.auto_pay_status``, which writes nothing) each time the tab loads."""

from __future__ import annotations

from functools import partial
from typing import Protocol

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtWidgets import QLabel, QLayout, QVBoxLayout, QWidget

from billing_desktop.services.auto_pay import AutoPayReport, auto_pay_status
from billing_desktop.ui.context import TabContext
from billing_desktop.ui.dialogs.common import colour_label
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.locale_format import format_money  # in the GUI's language
from billing_desktop.ui.service_messages import translate_message


class InvoicesTab(Protocol):
    """What the hook needs of the Invoices tab (not imported: the tab imports this module)."""

    context: TabContext
    auto_pay_note: QLabel
    loaded: SignalInstance

    @property
    def enterprise(self) -> bool: ...

    def layout(self) -> QLayout | None: ...


def install(tab: InvoicesTab) -> None:
    assert isinstance(tab, QWidget)
    note = QLabel(tab)
    note.setObjectName("autoPayNote")
    note.setWordWrap(True)
    note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    note.hide()
    layout = tab.layout()
    assert isinstance(layout, QVBoxLayout)
    layout.insertWidget(3, note)  # under the filter and accounting rows, above the table
    tab.auto_pay_note = note
    tab.loaded.connect(partial(_refresh, tab))


def _refresh(tab: InvoicesTab) -> None:
    if tab.enterprise:
        tab.auto_pay_note.hide()
        return
    context = tab.context
    context.runner.run(
        context.store.read, auto_pay_status, context.actor,
        on_done=partial(show_report, tab), on_error=lambda _message: tab.auto_pay_note.hide(),
        description="read the auto-pay status",
    )  # fmt: skip


def note_text(report: AutoPayReport) -> str:
    """The note: empty when auto-pay is off."""
    if not report.enabled:
        return ""
    if report.problem is not None and report.unpaid:
        invoices = ", ".join(
            tr("{invoice} ({amount}, due {due})").format(
                invoice=u.invoice,
                amount=format_money(u.left, report.currency),
                due=u.due_on.isoformat(),
            )
            for u in report.unpaid
        )
        return tr("Auto-pay could not pay {invoices}: {problem}.").format(
            invoices=invoices, problem=translate_message(report.problem)
        )
    if report.problem is not None:
        problem = translate_message(report.problem)
        return tr("Auto-pay is on, but {problem}.").format(problem=problem)
    return tr("Auto-pay is on: open invoices are paid by {method} on their due date.").format(
        method=report.method
    )


def show_report(tab: InvoicesTab, report: AutoPayReport) -> None:
    text = note_text(report)
    tab.auto_pay_note.setText(text)
    colour_label(tab.auto_pay_note, report.problem is not None and bool(report.unpaid))
    tab.auto_pay_note.setVisible(bool(text))
