"""Explain this charge (issue 20 §1) in the GUI: from a Usage product row and an invoice line."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.access import Area
from billing_desktop.domain.money import format_money
from billing_desktop.services.billing import ProductSummary
from billing_desktop.services.demo import build_demo
from billing_desktop.services.forecast import month_forecast
from billing_desktop.services.overview import workspace
from billing_desktop.ui.dialogs.explain_charge import ExplainChargeDialog
from billing_desktop.ui.tabs import invoices_explain, usage_explain
from billing_desktop.ui.tabs.invoices import InvoicesTab
from billing_desktop.ui.widgets.forecast_panel import ForecastPanel
from tests.gui.test_main_window import open_window, wait_idle
from tests.gui.test_usage_tab import acme_closed, usage_tab  # noqa: F401 (fixture)

DISPLAY = Qt.ItemDataRole.DisplayRole


def _loaded(qtbot: Any, dialog: ExplainChargeDialog) -> None:
    qtbot.waitUntil(lambda: dialog.explanation is not None, timeout=10_000)


def _figures(dialog: ExplainChargeDialog) -> dict[str, list[str]]:
    model = dialog.steps_model
    found: dict[str, list[str]] = {}
    for row in range(model.rowCount()):
        step = model.data(model.index(row, 0), DISPLAY)
        found.setdefault(step, []).append(model.data(model.index(row, 2), DISPLAY))
    return found


def test_a_usage_row_explains_its_figures(qtbot: Any, qtmodeltester: Any, acme: SqlStore) -> None:
    tab = usage_tab(qtbot, acme)
    assert tab.model.rowCount() > 0
    for row in range(tab.model.rowCount()):
        product = tab.model.row_at(row)
        assert isinstance(product, ProductSummary)
        dialog = usage_explain.explain_row(tab, row)
        assert dialog is not None
        _loaded(qtbot, dialog)
        qtmodeltester.check(dialog.steps_model)
        currency = tab.page.summary.currency if tab.page else "USD"
        figures = _figures(dialog)
        assert figures["Charged"] == [format_money(product.charged, currency)]
        assert figures["Balance"] == [format_money(product.balance, currency)]
        assert figures["Rounding"] == [format_money(product.amount, currency)]
        drawn = [f for f in figures.get("Credit", [])]
        if product.credit_applied:
            assert drawn and all(f.startswith("-") for f in drawn)
        explanation = dialog.explanation
        assert explanation is not None
        assert len(dialog.chart.days) == len(explanation.days)
        dialog.close()


def test_double_click_opens_the_dialog(qtbot: Any, acme: SqlStore) -> None:
    tab = usage_tab(qtbot, acme)
    index = tab.model.index(0, 0)
    tab.table.doubleClicked.emit(index)
    dialog = tab.explain_dialog
    assert isinstance(dialog, ExplainChargeDialog)
    _loaded(qtbot, dialog)
    assert dialog.title.text().startswith(tab.model.row_at(0).name)
    dialog.close()


def test_an_invoice_line_opens_its_explanation(
    qtbot: Any,
    acme_closed: SqlStore,  # noqa: F811
) -> None:
    window = open_window(qtbot, acme_closed)
    tab = window.select_area(Area.INVOICES)
    assert isinstance(tab, InvoicesTab)
    wait_idle(qtbot, window)
    assert not invoices_explain.can_explain(tab)  # nothing selected
    tab.table.selectRow(0)
    assert tab.selected is not None and tab.selected.period
    assert invoices_explain.can_explain(tab)
    assert "Right-click" in tab.table.toolTip()
    invoices_explain.lines_menu(tab, show=False)  # a right-click pops this menu up
    qtbot.waitUntil(lambda: tab.explain_menu is not None, timeout=10_000)
    menu = tab.explain_menu
    actions = [a for a in menu.actions() if a.isEnabled()]  # type: ignore[union-attr]
    assert actions and "charged" in actions[0].text()
    actions[0].trigger()
    dialog = tab.explain_dialog
    assert isinstance(dialog, ExplainChargeDialog)
    _loaded(qtbot, dialog)
    explanation = dialog.explanation
    assert explanation is not None and explanation.closed
    assert explanation.invoice_number == tab.selected.number
    dialog.close()


def test_price_tooltips_keep_the_rate_cards_precision(qtbot: Any, store: SqlStore) -> None:
    build_demo(store, seed=7)  # recording minutes cost $0.004 each
    tab = usage_tab(qtbot, store)
    tips = {}
    for row in range(tab.model.rowCount()):
        product = tab.model.row_at(row)
        tips[product.code] = tab.model.data(tab.model.index(row, 0), Qt.ItemDataRole.ToolTipRole)
    assert (
        tips["recording-minutes"] == "Call recording minutes (recording-minutes): $0.004 per minute"
    )
    assert tips["agent-seats"] == "Agent seats (agent-seats): $65.00 per agent"


def test_the_forecast_section_shows_the_services_figures(
    qtbot: Any, qtmodeltester: Any, store: SqlStore
) -> None:
    build_demo(store, seed=7)
    tab = usage_tab(qtbot, store)
    panel = tab.forecast_panel
    assert isinstance(panel, ForecastPanel) and panel.forecast is None  # read when shown
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        tab.sections.setCurrentIndex(tab.sections.count() - 1)
    shown = panel.forecast
    assert shown is not None
    expected = store.read(month_forecast, store.read(workspace, None).actor)
    assert shown == expected
    assert format_money(expected.charge, expected.currency) in panel.caption.text()
    assert panel.products.rows == list(expected.products)
    assert panel.dates.rowCount() == len(expected.credits) + len(expected.quotas)
    assert panel.method.text().startswith("Run-rate")
    qtmodeltester.check(panel.products)
    qtmodeltester.check(panel.dates)


def test_what_if_shows_today_beside_the_change(
    qtbot: Any, qtmodeltester: Any, store: SqlStore
) -> None:
    build_demo(store, seed=7)
    tab = usage_tab(qtbot, store)
    button = tab.findChild(QPushButton, "whatIfButton")
    assert button is not None and button.isEnabled()
    dialog = usage_explain.open_what_if(tab)
    assert dialog.month_combo.count() == 2  # this month and the next
    dialog.compute()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10_000)
    outcome = dialog.outcome
    assert outcome is not None and outcome.projected == outcome.today
    rows = dialog.lines.rows
    assert all(r.today == r.projected for r in rows)
    assert rows[-1].name == "Invoice total" and rows[-1].today == outcome.invoice_today
    qtmodeltester.check(dialog.lines)
    qtmodeltester.check(dialog.units)

    dialog.price_product.setCurrentIndex(dialog.price_product.findData("interviews"))
    dialog.price_edit.setText("not a price")
    dialog.compute()
    assert dialog.status.text() == "Unit price: write a number, e.g. 0.0075"
    dialog.price_edit.setText("0.70")
    dialog.outcome = None
    dialog.compute()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10_000)
    changed = next(r for r in dialog.lines.rows if r.name == "Completed interviews")
    assert changed.projected > changed.today or changed.today == 0
    line = next(ln for ln in dialog.outcome.lines if ln.code == "interviews")  # type: ignore[union-attr]
    assert line.projected_amount == 2 * line.today_amount
    dialog.close()


def test_what_if_moves_previews_the_unit_costs(qtbot: Any, store: SqlStore) -> None:
    build_demo(store, seed=7)
    tab = usage_tab(qtbot, store)
    dialog = usage_explain.open_what_if(tab)
    dialog.move_edit.setText("Sales")
    dialog.compute()
    assert dialog.status.text().startswith("Move to unit: write UNIT=MEMBER")
    with store() as uow:
        recruiting = next(u for u in uow.units.all() if u.name == "Recruiting")
    dialog.move_edit.setText("Sales=" + ",".join(recruiting.numbers))
    dialog.compute()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10_000)
    units = {r.name: r for r in dialog.units.rows}
    assert units["Recruiting"].projected < units["Recruiting"].today
    assert units["Total"].projected == units["Total"].today
    dialog.close()


def test_more_conversations_are_listed_page_by_page(
    qtbot: Any, qtmodeltester: Any, store: SqlStore
) -> None:
    """A conversation product lists its month's first 500 conversations; Show more adds the
    next page (read off the GUI thread) until every one the month holds is listed."""
    from datetime import date

    from billing_desktop.domain.periods import Month
    from billing_desktop.services.explain import explained_conversations

    build_demo(store, seed=7)
    tab = usage_tab(qtbot, store)
    month = Month.of(date.today()).plus(-1)  # a whole month of the demo: ~2,000 conversations
    dialog = ExplainChargeDialog(tab.context, month, "va-sessions", tab)
    qtbot.addWidget(dialog)
    _loaded(qtbot, dialog)
    explanation = dialog.explanation
    assert explanation is not None and explanation.record_count > 500
    model = dialog.conversations_model
    assert model is not None and model.rowCount() == 500
    assert not dialog.more_button.isHidden() and "500 more" in dialog.more_button.text()
    actor = tab.context.actor
    pages = [list(explanation.conversations)]
    while sum(map(len, pages)) < explanation.record_count:
        pages.append(
            list(store.read(explained_conversations, actor, month, "va-sessions", 500 * len(pages)))
        )
    everything = [row for page in pages for row in page]
    while model.rowCount() < explanation.record_count:
        shown = model.rowCount()
        dialog.more_button.click()
        qtbot.waitUntil(lambda shown=shown: model.rowCount() > shown, timeout=10_000)
    assert model.rows == everything
    assert len({row.id for row in everything}) == explanation.record_count  # no row twice
    assert dialog.more_button.isHidden()
    assert "the first" not in dialog.records_note.text()
    qtmodeltester.check(model)
    dialog.close()
