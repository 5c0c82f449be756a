"""The Invoices tab, the print preview and the statements dialog (PRODUCT §8): derived statuses,
filters, open / save / print of an invoice PDF rendered off the GUI thread, cancelling, the
Enterprise explanation, File ▸ Print statement… and batches of statements."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.access import Area
from billing_desktop.domain.periods import Month
from billing_desktop.reports.layout import Rendered, RenderHooks
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.demo import build_demo
from billing_desktop.services.month_close import close_month
from billing_desktop.services.overview import ENTERPRISE_INVOICES
from billing_desktop.services.task_state import TaskState
from billing_desktop.ui.context import TabContext
from billing_desktop.ui.dialogs import batch_statements, print_preview
from billing_desktop.ui.dialogs.batch_statements import BatchResult, StatementsDialog
from billing_desktop.ui.dialogs.print_preview import PdfFile, PdfPrintPreview, preview_dpi
from billing_desktop.ui.main_window import MainWindow
from billing_desktop.ui.tabs import invoices as invoices_module
from billing_desktop.ui.tabs.invoices import InvoicesTab
from tests.gui.conftest import RecordingStore
from tests.gui.test_main_window import open_window, wait_idle
from tests.gui.workspace_data import ROLE_USERS
from tests.integration.pdf_text import page_count, pdf_text

D = Decimal
TODAY = date(2026, 11, 21)


@pytest.fixture
def invoices_store(populated_store: SqlStore) -> SqlStore:
    """The GUI workspace plus a payment for INV-0001, an old overdue invoice and an order."""
    with populated_store() as uow:
        uow.invoices.add_many(
            [
                m.Invoice(
                    "INV-0000",
                    date(2025, 12, 1),
                    date(2025, 11, 1),
                    D("75.00"),
                    m.InvoiceStatus.ISSUED,
                    date(2025, 12, 31),
                )
            ]
        )
        uow.ledger.add_many(
            [
                m.LedgerEntry(date(2026, 9, 3), m.LedgerKind.PAYMENT, D("1234.50"),
                              reference="INV-0001"),
                m.LedgerEntry(date(2026, 9, 10), m.LedgerKind.PURCHASE, D("500.00"),
                              reference="CR-0001", description="Credit purchase",
                              pool=m.CREDITS_POOL),
            ]
        )  # fmt: skip
        uow.commit()
    return populated_store


def invoices_tab(qtbot: Any, window: MainWindow) -> InvoicesTab:
    tab = window.select_area(Area.INVOICES)
    wait_idle(qtbot, window)
    assert isinstance(tab, InvoicesTab)
    return tab


def shown(tab: InvoicesTab, column: int = 0) -> list[str]:
    model = tab.model
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def select(tab: InvoicesTab, number: str) -> None:
    tab.table.selectRow(shown(tab).index(number))
    assert tab.selected is not None and tab.selected.number == number


def close_boxes() -> list[str]:
    texts = []
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible():
            texts.append(widget.text())
            widget.accept()
    return texts


def test_the_history_shows_derived_statuses_and_orders(
    qtbot: Any, qtmodeltester: Any, invoices_store: SqlStore
) -> None:
    window = open_window(qtbot, invoices_store)
    tab = invoices_tab(qtbot, window)
    qtmodeltester.check(tab.model)
    assert tab.showing_table
    assert shown(tab) == ["INV-0002", "CR-0001", "INV-0001", "INV-0000"]
    status = dict(zip(shown(tab), shown(tab, 4), strict=True))
    # INV-0001 is paid by the ledger's payment; INV-0000 is past due and unpaid; INV-0002
    # has no due date; the order is paid when placed.
    assert status == {
        "INV-0002": "Issued",
        "CR-0001": "Paid",
        "INV-0001": "Paid",
        "INV-0000": "Overdue",
    }
    assert shown(tab, 2) == ["2026-09", "—", "2026-08", "2025-11"]
    assert shown(tab, 3)[1] == "$500.00"
    assert shown(tab, 6)[2] == "2026-09-03"  # paid on
    assert shown(tab, 7)[1] == "Receipt · Credit purchase"
    years = [tab.year_combo.itemText(i) for i in range(tab.year_combo.count())]
    assert years == ["All years", "2026", "2025"]
    assert not tab.print_button.isEnabled()  # nothing selected yet
    select(tab, "INV-0002")
    assert tab.print_button.isEnabled() and tab.save_button.isEnabled()


def test_the_filters_reload_the_history(qtbot: Any, invoices_store: SqlStore) -> None:
    window = open_window(qtbot, invoices_store)
    tab = invoices_tab(qtbot, window)
    tab.year_combo.setCurrentIndex(tab.year_combo.findData(2025))
    wait_idle(qtbot, window)
    assert shown(tab) == ["INV-0000"]
    tab.set_filters(None, m.InvoiceStatus.PAID)
    wait_idle(qtbot, window)
    assert shown(tab) == ["CR-0001", "INV-0001"]
    assert tab.status_combo.currentText() == "Paid" and tab.year_combo.currentIndex() == 0
    tab.set_filters(2025, m.InvoiceStatus.PAID)
    wait_idle(qtbot, window)
    assert not tab.showing_table
    assert tab.empty_label.text() == "No invoice or order matches these filters."


def test_save_as_pdf_renders_off_the_gui_thread(
    qtbot: Any, invoices_store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recording = RecordingStore(invoices_store)
    window = open_window(qtbot, recording)
    tab = invoices_tab(qtbot, window)
    select(tab, "INV-0002")
    target = tmp_path / "copy"  # no suffix: ".pdf" is added
    monkeypatch.setattr(
        invoices_module.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "")
    )
    recording.threads.clear()
    tab.save_button.click()
    qtbot.waitUntil(lambda: (tmp_path / "copy.pdf").exists(), timeout=20_000)
    wait_idle(qtbot, window)
    assert recording.threads and threading.main_thread() not in recording.threads
    text = pdf_text(tmp_path / "copy.pdf")
    assert "INV-0002" in text and "Usage for September 2026" in text and "$980.00" in text
    assert tab.last_pdf == tmp_path / "copy.pdf"
    assert tab.save_button.isEnabled()


def test_open_hands_the_pdf_to_the_desktop(
    qtbot: Any, invoices_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(
        invoices_module.QDesktopServices, "openUrl", lambda url: opened.append(url) or True
    )
    window = open_window(qtbot, invoices_store)
    tab = invoices_tab(qtbot, window)
    select(tab, "CR-0001")
    tab.open_button.click()
    qtbot.waitUntil(lambda: bool(opened), timeout=20_000)
    path = Path(opened[0].toLocalFile())
    assert path.name == "CR-0001.pdf" and "RECEIPT" in pdf_text(path)


def test_print_previews_the_same_pdf_and_saves_it(
    qtbot: Any, invoices_store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(qtbot, invoices_store)
    tab = invoices_tab(qtbot, window)
    select(tab, "INV-0001")
    tab.print_button.click()
    qtbot.waitUntil(lambda: isinstance(tab.preview, PdfPrintPreview), timeout=20_000)
    preview = tab.preview
    assert isinstance(preview, PdfPrintPreview)
    assert preview.isVisible() and preview.page_count == 1
    widget = preview.preview_widget
    assert widget is not None
    widget.updatePreview()
    assert widget.pageCount() == 1 and preview.painted_pages == 1
    assert "INV-0001" in preview.windowTitle()
    monkeypatch.setattr(
        print_preview.QFileDialog,
        "getSaveFileName",
        lambda *a, **k: (str(tmp_path / "saved.pdf"), ""),
    )
    preview.save_action.trigger()
    assert (tmp_path / "saved.pdf").read_bytes() == preview.files[0].data
    assert "Paid 3 Sep 2026" in pdf_text(tmp_path / "saved.pdf")
    preview.close()


def slow_render(*_args: Any, hooks: RenderHooks | None = None, **_kwargs: Any) -> Rendered:
    """Stands in for a long render: reports progress until it is cancelled (10 s at most)."""
    assert hooks is not None
    deadline = time.monotonic() + 10
    step = 0
    while time.monotonic() < deadline:
        step += 1
        hooks.report(min(0.9, step / 1000), f"Laying out page {step}…")
        time.sleep(0.01)
    raise AssertionError("never cancelled")


def test_a_long_render_shows_progress_and_can_be_cancelled(
    qtbot: Any, invoices_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from billing_desktop.reports import invoice

    monkeypatch.setattr(
        invoice, "render_invoice", lambda doc, hooks=None, **_: slow_render(hooks=hooks)
    )
    opened: list[QUrl] = []
    monkeypatch.setattr(
        invoices_module.QDesktopServices, "openUrl", lambda url: opened.append(url) or True
    )
    window = open_window(qtbot, invoices_store)
    tab = invoices_tab(qtbot, window)
    select(tab, "INV-0002")
    tab.open_button.click()
    progress = tab._progress
    assert progress is not None and not tab.open_button.isEnabled()
    qtbot.waitUntil(lambda: progress.value() > 0, timeout=10_000)
    qtbot.waitUntil(progress.isVisible, timeout=10_000)  # shown once the render takes a while
    assert progress.labelText().startswith("Laying out page")
    task = progress.task
    assert task is not None and task.state is not None
    cancel = next(b for b in progress.findChildren(QPushButton) if b.text() == "Cancel")
    cancel.click()
    wait_idle(qtbot, window)
    assert task.state.cancelled()  # the render itself was told to stop
    assert opened == [] and close_boxes() == []  # cancelled: nothing opened, nothing to say
    assert tab._progress is None and tab.open_button.isEnabled()


def test_enterprise_accounts_get_the_explanation_only(qtbot: Any, store: SqlStore) -> None:
    with store() as uow:
        uow.account.save(
            m.Account("Big Co", "EUR", "UTC", m.PlanTier.ENTERPRISE, m.PaymentMethod.INVOICE,
                      m.CommitScope.NONE)
        )  # fmt: skip
        uow.users.add_many([m.User("ada", "Ada", "ada@example.com", m.Role.ADMIN)])
        uow.invoices.add_many(
            [m.Invoice("INV-1", date(2026, 10, 1), date(2026, 9, 1), D(1), m.InvoiceStatus.ISSUED)]
        )
        uow.commit()
    window = open_window(qtbot, store)
    tab = invoices_tab(qtbot, window)
    assert not tab.showing_table and tab.model.rowCount() == 0
    assert tab.empty_label.text() == ENTERPRISE_INVOICES
    assert tab.filters.isHidden()


# --- statements -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlStore]:
    store = SqlStore(f"sqlite:///{tmp_path_factory.mktemp('gui-statements') / 'demo.db'}")
    build_demo(store, seed=7, today=TODAY)
    for month in (Month(2026, 9), Month(2026, 10)):
        with store() as uow:
            close_month(uow, resolve_actor(uow, None), month, today=TODAY)
            uow.commit()
    yield store
    store.dispose()


def test_print_statement_is_ctrl_p_for_whoever_sees_invoices(
    qtbot: Any, populated_store: SqlStore
) -> None:
    window = open_window(qtbot, populated_store)
    action = window.ui.actionPrintStatement
    assert action.shortcut().toString() == "Ctrl+P" and action.isEnabled()
    assert window.ui.actionSaveStatements.isEnabled()
    assert action in window.ui.menuFile.actions()
    supervisor = open_window(qtbot, populated_store, ROLE_USERS["supervisor"])
    assert not supervisor.ui.actionPrintStatement.isEnabled()
    supervisor.print_statement()
    assert supervisor.statements_dialog is None


def open_statements(qtbot: Any, window: MainWindow, mode: str) -> StatementsDialog:
    (
        window.ui.actionPrintStatement if mode == "print" else window.ui.actionSaveStatements
    ).trigger()
    dialog = window.statements_dialog
    assert isinstance(dialog, StatementsDialog)
    qtbot.waitUntil(lambda: dialog.month_list.count() > 1, timeout=10_000)
    wait_idle(qtbot, window)
    return dialog


def test_print_statement_previews_the_chosen_months(qtbot: Any, demo_store: SqlStore) -> None:
    window = open_window(qtbot, demo_store, remember=False)
    dialog = open_statements(qtbot, window, "print")
    assert dialog.isVisible() and dialog.mode == "print"
    assert dialog.chosen_months == [Month(2026, 10)]  # the latest closed month by default
    labels = [dialog.month_list.item(i).text() for i in range(dialog.month_list.count())]
    assert "October 2026 — closed" in labels and any("provisional" in t for t in labels)
    dialog.set_checked([Month(2026, 9), Month(2026, 10)])
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert ok.text() == "&Print 2 statements…"
    with qtbot.waitSignal(dialog.finished_batch, timeout=30_000) as finished:
        ok.click()
    result = finished.args[0]
    assert isinstance(result, BatchResult) and not result.cancelled
    assert [f.name for f in result.files] == ["statement-2026-09.pdf", "statement-2026-10.pdf"]
    preview = dialog.preview
    assert isinstance(preview, PdfPrintPreview) and preview.isVisible()
    assert preview.page_count == sum(page_count(f.data) for f in result.files)
    widget = preview.preview_widget
    assert widget is not None
    widget.updatePreview()
    assert widget.pageCount() == preview.page_count
    assert not preview.save_action.isEnabled()  # two documents: save them from the dialog
    preview.close()


def test_save_statements_writes_one_file_per_month(
    qtbot: Any, demo_store: SqlStore, tmp_path: Path
) -> None:
    window = open_window(qtbot, demo_store, remember=False)
    dialog = open_statements(qtbot, window, "save")
    dialog.folder_edit.setText(str(tmp_path))
    dialog.set_checked([Month(2026, 8), Month(2026, 10), Month(2026, 11)])
    with qtbot.waitSignal(dialog.finished_batch, timeout=30_000) as finished:
        dialog.start()
    result = finished.args[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "statement-2026-08.pdf",
        "statement-2026-10.pdf",
        "statement-2026-11.pdf",
    ]
    assert result.written == [tmp_path / f.name for f in result.files]
    assert "PROVISIONAL" in pdf_text(tmp_path / "statement-2026-11.pdf")
    assert "Saved 3 statements" in dialog.result_text
    qtbot.waitUntil(lambda: bool(close_boxes()), timeout=5_000)


def test_a_batch_can_be_cancelled_and_keeps_what_was_finished(
    qtbot: Any, demo_store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from billing_desktop.reports import statement as statement_report

    real = statement_report.render_statement
    calls: list[str] = []

    def first_real_then_slow(data: Any, hooks: RenderHooks | None = None) -> Rendered:
        calls.append(str(data.month))
        return real(data, hooks) if len(calls) == 1 else slow_render(hooks=hooks)

    monkeypatch.setattr(statement_report, "render_statement", first_real_then_slow)
    window = open_window(qtbot, demo_store, remember=False)
    dialog = open_statements(qtbot, window, "save")
    dialog.folder_edit.setText(str(tmp_path))
    dialog.set_checked([Month(2026, 9), Month(2026, 10)])
    dialog.start()
    progress = dialog.progress
    assert progress is not None
    qtbot.waitUntil(lambda: len(calls) == 2 and progress.value() > 500, timeout=20_000)
    assert "(2 of 2)" in progress.labelText()
    with qtbot.waitSignal(dialog.finished_batch, timeout=20_000) as finished:
        progress.cancel()
    result = finished.args[0]
    assert result.cancelled and [p.name for p in tmp_path.iterdir()] == ["statement-2026-09.pdf"]
    assert "Cancelled" in dialog.result_text and dialog.isVisible()
    qtbot.waitUntil(lambda: bool(close_boxes()), timeout=5_000)
    dialog.reject()


def test_months_with_nothing_to_state_are_skipped_and_named(demo_store: SqlStore) -> None:
    with demo_store() as uow:
        actor = resolve_actor(uow, None)
    result = batch_statements.render_statements(
        demo_store, actor, [Month(2020, 1), Month(2026, 10)], None, TODAY, state=TaskState()
    )
    assert [f.name for f in result.files] == ["statement-2026-10.pdf"]
    assert result.skipped == [
        (Month(2020, 1), "nothing to state for 2020-01: it is not closed, and has no ledger rows "
                         "and no usage")
    ]  # fmt: skip
    assert "Skipped 2020-01" in batch_statements.summary(result)


def test_the_statements_button_of_the_tab_opens_the_dialog(
    qtbot: Any, invoices_store: SqlStore
) -> None:
    window = open_window(qtbot, invoices_store)
    tab = invoices_tab(qtbot, window)
    tab.statements_button.click()
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, StatementsDialog)]
    assert dialogs
    dialog = dialogs[-1]
    qtbot.waitUntil(lambda: dialog.month_list.count() >= 1, timeout=10_000)
    wait_idle(qtbot, window)
    dialog.reject()


def test_preview_resolution_keeps_long_documents_affordable() -> None:
    assert preview_dpi(1) == 150 and preview_dpi(10) == 150
    assert 50 <= preview_dpi(300) < 100
    assert preview_dpi(100_000) == 50


def test_a_preview_of_bytes_that_are_not_a_pdf_is_refused(qtbot: Any) -> None:
    from billing_desktop.domain.errors import BillingError

    with pytest.raises(BillingError, match="could not be read back"):
        PdfPrintPreview([PdfFile("x.pdf", b"not a pdf")], "x")


def test_the_tab_context_is_what_the_dialog_needs(qtbot: Any, invoices_store: SqlStore) -> None:
    window = open_window(qtbot, invoices_store)
    assert window.workspace is not None
    context = TabContext(invoices_store, window.workspace, window.runner)
    dialog = StatementsDialog(context, window, mode="save", folder=Path("/nonexistent"))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.month_list.count() >= 1, timeout=10_000)
    wait_idle(qtbot, window)
    assert dialog.mode == "save" and dialog.folder == Path("/nonexistent")
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert ok.text() == "&Save statement"
    dialog.start()  # the folder does not exist: said so, nothing started
    assert dialog.progress is None
    qtbot.waitUntil(lambda: bool(close_boxes()), timeout=5_000)
