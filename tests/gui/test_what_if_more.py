"""The What if… dialog's commit scope, price tiers and app plan (issue 20 §3)."""

from __future__ import annotations

from typing import Any

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.model import CommitScope
from billing_desktop.services.demo import build_demo
from billing_desktop.services.whatif import Changes, what_if
from billing_desktop.ui.tabs import usage_explain
from tests.gui.test_usage_tab import usage_tab


def test_scope_tiers_and_a_plan_in_the_dialog(
    qtbot: Any, qtmodeltester: Any, store: SqlStore
) -> None:
    build_demo(store, seed=7)
    tab = usage_tab(qtbot, store)
    dialog = usage_explain.open_what_if(tab)
    assert dialog.sees_plans
    qtbot.waitUntil(lambda: dialog.plan_app.count() > 1, timeout=10_000)  # the apps are read

    dialog.tiers_product.setCurrentIndex(dialog.tiers_product.findData("alerts"))
    dialog.tiers_edit.setText("100:0.02,50:0.01,0.005")
    dialog.compute()
    assert dialog.status.text() == "Tiers: band '50:0.01': UPTO must be more than 0 and increase"
    dialog.tiers_edit.setText("100:0.02,500:0.015,0.01")
    dialog.scope_combo.setCurrentIndex(dialog.scope_combo.findData(CommitScope.NONE))
    dialog.plan_app.setCurrentIndex(dialog.plan_app.findData("app-voice-ivr"))
    dialog.compute()
    assert dialog.status.text() == "App plan: pick the plan"
    qtbot.waitUntil(lambda: dialog.plan_combo.isEnabled(), timeout=10_000)
    assert "(current)" in dialog.plan_combo.itemText(dialog.plan_combo.findData("scale"))
    dialog.plan_combo.setCurrentIndex(dialog.plan_combo.findData("growth"))
    dialog.compute()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10_000)
    outcome = dialog.outcome
    assert outcome is not None
    changes = outcome.changes
    assert changes.commit_scope == CommitScope.NONE and changes.tiers[0].product == "alerts"
    expected = store.read(what_if, tab.context.actor, outcome.month, changes, "invoiced", None)
    assert [(r.name, r.projected) for r in dialog.lines.rows[:-1]] == [
        (ln.name, ln.projected_charged) for ln in expected.lines
    ]
    assert dialog.plans.rows == list(expected.plans)
    assert not dialog.plans_table.isHidden()
    qtmodeltester.check(dialog.plans)
    plan_row = dialog.plans.rows[0]
    assert plan_row.app == "app-voice-ivr" and plan_row.projected is not None
    assert Changes().none and not changes.none
    dialog.close()
