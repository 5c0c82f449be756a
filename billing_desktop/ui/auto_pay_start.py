"""Auto-pay when the app starts (issue 19 §3): once the workspace is read, a user who may edit
Usage runs ``services.auto_pay.apply_auto_pay`` off the GUI thread — only when auto-pay is on,
a valid default method is on file and some invoice is due, so an ordinary start writes nothing.
What it pays is a write like any other: the open tabs that show payments reload; the status bar
says what was paid. The Usage tab's refresh runs it too (``services.usage_page``): when the
first tab shown is Usage on a local store, its first read is the start's auto-pay and this hook
runs nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from PySide6.QtWidgets import QStatusBar

from billing_desktop.domain.access import Area
from billing_desktop.services.auto_pay import (
    AutoPaid,
    AutoPayReport,
    apply_auto_pay,
    auto_pay_status,
)
from billing_desktop.services.gateway import Gateway as Store
from billing_desktop.services.gateway import LocalGateway
from billing_desktop.services.overview import Workspace
from billing_desktop.ui.i18n import ntr, tr
from billing_desktop.ui.locale_format import format_money  # in the GUI's language
from billing_desktop.ui.tasks import TaskRunner


class MainWindow(Protocol):
    """What the hook needs of the main window (not imported: the window imports this module)."""

    runner: TaskRunner
    store: Any

    @property
    def current_area(self) -> Area | None: ...

    def statusBar(self) -> QStatusBar: ...


def due_payments(store: Store, workspace: Workspace) -> AutoPayReport | None:
    """Worker thread: pay what is due, when there is something auto-pay can pay."""
    actor = workspace.actor
    status = store.read(auto_pay_status, actor)
    if not status.enabled or status.problem is not None or not status.unpaid:
        return None
    return store.write(apply_auto_pay, actor)


def paid_text(paid: Sequence[AutoPaid], currency: str) -> str:
    """What auto-pay paid, as a notice ("Auto-pay paid INV-000005 ($1,376.05) by Visa ••••
    4242.")."""
    return " ".join(
        tr("Auto-pay paid {invoice} ({amount}) by {method}.").format(
            invoice=p.invoice, amount=format_money(p.amount, currency), method=p.method
        )
        for p in paid
    )


def run_at_start(window: MainWindow, workspace: object) -> None:
    if not isinstance(workspace, Workspace) or workspace.empty or workspace.account is None:
        return
    rights = workspace.actor.rights
    if not (rights.can_edit(Area.USAGE) and rights.can_view(Area.INVOICES)):
        return
    if window.current_area is Area.USAGE and isinstance(window.store, LocalGateway):
        # On a local store the Usage tab's first read pays what is due itself for a user who
        # may edit Usage (services.usage_page) and says so: a second read beside it only slowed
        # the start (B1) and raced it for the same payments. (A remote store's copy reads the
        # Usage page without auto-recharge or auto-pay: there this hook pays.)
        return
    window.runner.run(
        due_payments,
        window.store,
        workspace,
        on_done=lambda report: _paid(window, report),
        on_error=lambda _message: None,  # a read-only store: the Invoices tab says what is due
        description="auto-pay due invoices",
    )


def _paid(window: MainWindow, report: AutoPayReport | None) -> None:
    if report is None or not report.paid:
        return
    count = len(report.paid)
    window.statusBar().showMessage(
        ntr("Auto-pay paid {n} invoice.", "Auto-pay paid {n} invoices.", count).format(n=count),
        15_000,
    )
