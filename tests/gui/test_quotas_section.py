"""Usage Data ▸ Quotas: progress and banners at 79 %, 80 % and 101 % (with the cost beyond the
quota), setting a quota through the dialog (admins) and its refusal (supervisor, shared
account), persistence, and the add-on packs table."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain import model as m
from billing_desktop.domain.access import Area
from billing_desktop.domain.quotas import AddOnPack, QuotaState, Statistic
from billing_desktop.services import quotas
from billing_desktop.services.context import resolve_actor
from billing_desktop.services.recording import add_records
from billing_desktop.ui.main_window import MainWindow
from billing_desktop.ui.tabs.quotas import BAR_SCALE, QuotasSection, SetQuotaDialog
from billing_desktop.ui.tabs.usage_data import UsageDataTab
from tests.gui.test_main_window import open_window, wait_idle
from tests.gui.workspace_data import ROLE_USERS, this_month_start_utc

D = Decimal
SMS_QUOTA = 100


def add_sms(store: SqlStore, count: int) -> None:
    start = this_month_start_utc() + timedelta(hours=4)
    with store() as uow:
        add_records(
            uow,
            "sms",
            [
                m.Sms(f"sms-{i:04}", "Invitation", "Spring", start + timedelta(minutes=i))
                for i in range(count)
            ],
        )
        quotas.set_quota(uow, resolve_actor(uow, "ada"), "sms", SMS_QUOTA)
        quotas.set_packs(
            uow,
            resolve_actor(uow, "ada"),
            "sms",
            [AddOnPack("SMS 1,000", 1_000, D("7.00")), AddOnPack("SMS 10,000", 10_000, D("60"))],
        )
        quotas.set_packs(
            uow,
            resolve_actor(uow, "ada"),
            "interviews",
            [AddOnPack("Interviews 100", 100, D("30.00"))],
        )
        uow.commit()


def open_quotas(
    qtbot: Any, store: SqlStore, user: str | None = None
) -> tuple[MainWindow, QuotasSection]:
    window = open_window(qtbot, store, user)
    tab = window.select_area(Area.USAGE_DATA)
    assert isinstance(tab, UsageDataTab)
    page = tab.show_section("quotas")
    assert isinstance(page, QuotasSection)
    wait_idle(qtbot, window)
    return window, page


@pytest.mark.parametrize(
    ("count", "state", "percent"),
    [(79, QuotaState.OK, 79), (80, QuotaState.WARNING, 80), (101, QuotaState.EXCEEDED, 101)],
)
def test_progress_and_banners_at_the_thresholds(
    qtbot: Any, populated_store: SqlStore, count: int, state: QuotaState, percent: int
) -> None:
    add_sms(populated_store, count)
    _window, page = open_quotas(qtbot, populated_store)
    assert page.overview is not None
    line = page.overview.line(Statistic.SMS)
    assert (line.usage, line.quota, line.state, line.percent) == (count, SMS_QUOTA, state, percent)
    row = page.rows[Statistic.SMS]
    assert row.used.text() == str(count) and row.quota.text() == "100"
    assert row.bar.maximum() == BAR_SCALE
    assert row.bar.value() == min(count, 100) * BAR_SCALE // 100
    assert row.bar.text() == f"{count} of 100 ({percent} %)"
    assert row.used.alignment() & Qt.AlignmentFlag.AlignRight
    banner = page.banners[Statistic.SMS]
    if state == QuotaState.OK:
        assert not banner.isVisibleTo(page) and banner.text == ""
        assert row.beyond.text() == "0" and row.cost.text() == "$0.00"
    elif state == QuotaState.WARNING:
        assert banner.isVisibleTo(page) and banner.property("kind") == "warning"
        assert "SMS messages: 80 of 100 messages used this month (80 %)" in banner.text
        assert "nearly reached" in banner.text and "$0.0075 per message" in banner.text
        assert row.cost.text() == "$0.00"
    else:
        assert banner.isVisibleTo(page) and banner.property("kind") == "exceeded"
        # 1 message beyond, at 0.0075: rounded half-up once to $0.01.
        assert "Quota exceeded — SMS messages: 101 of 100 messages" in banner.text
        assert "The 1 message beyond it costs $0.01 at list price" in banner.text
        assert row.beyond.text() == "1" and row.cost.text() == "$0.01"
    # No product prices interviews or recordings in this workspace, and they have no quota.
    interviews = page.rows[Statistic.INTERVIEWS]
    assert interviews.cost.text() == "no price on the rate card"
    assert interviews.bar.text() == "0 used · no quota set"
    assert not page.banners[Statistic.INTERVIEWS].isVisibleTo(page)


def test_the_packs_table_lists_prices_right_aligned(
    qtbot: Any, qtmodeltester: Any, populated_store: SqlStore
) -> None:
    add_sms(populated_store, 10)
    _window, page = open_quotas(qtbot, populated_store)
    model = page.packs_model
    qtmodeltester.check(model)
    assert model.rowCount() == 3
    rows = [[model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(3)]
    assert rows == [
        ["Completed interviews", "Interviews 100", "100", "$30.00", "$0.30", quotas.NO_PRICE],
        ["SMS messages", "SMS 1,000", "1,000", "$7.00", "$0.007", "$7.50"],
        ["SMS messages", "SMS 10,000", "10,000", "$60.00", "$0.006", "$75.00"],
    ]
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    for title in ("Volume", "Price", "Per unit", "At list price"):
        column = titles.index(title)
        align = model.data(model.index(0, column), Qt.ItemDataRole.TextAlignmentRole)
        assert align & Qt.AlignmentFlag.AlignRight
    assert page.packs_table.isVisibleTo(page) and not page.packs_empty.isVisibleTo(page)


def test_without_packs_the_section_says_so(qtbot: Any, populated_store: SqlStore) -> None:
    _window, page = open_quotas(qtbot, populated_store)
    assert page.packs_model.rowCount() == 0
    assert page.packs_empty.isVisibleTo(page) and not page.packs_table.isVisibleTo(page)
    assert all(not banner.isVisibleTo(page) for banner in page.banners.values())


def test_an_admin_sets_a_quota_through_the_dialog_and_it_persists(
    qtbot: Any, populated_store: SqlStore
) -> None:
    add_sms(populated_store, 90)
    window, page = open_quotas(qtbot, populated_store)
    button = page.rows[Statistic.SMS].button
    assert button.isEnabled()
    dialog = page.open_set_quota(Statistic.SMS)
    assert isinstance(dialog, SetQuotaDialog) and dialog.isVisible()
    assert dialog.enabled.isChecked() and dialog.spin.value() == SMS_QUOTA
    intro = dialog.findChild(QLabel, "quotaIntro")
    assert intro is not None and "This month so far: 90 messages" in intro.text()
    # An unfinished entry is refused, naming the box, and nothing is saved.
    dialog.spin.lineEdit().setText("")
    assert not dialog.spin.hasAcceptableInput()
    dialog.save()
    assert dialog.status.text().startswith("Monthly quota: enter a whole number of messages")
    assert dialog.isVisible() and not dialog.busy
    # A real value is saved off the GUI thread; the section reloads with it.
    dialog.spin.setValue(1_000)
    with qtbot.waitSignal(dialog.saved, timeout=5_000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: page.dialog is None, timeout=5_000)
    assert page.notice.text() == "SMS messages: the monthly quota is now 1,000 messages."
    assert page.overview is not None
    line = page.overview.line(Statistic.SMS)
    assert line.quota == 1_000 and line.state == QuotaState.OK
    assert not page.banners[Statistic.SMS].isVisibleTo(page)  # 90 % warning gone
    with populated_store() as uow:  # a new unit of work reads it back
        assert quotas.stored_quotas(uow)[Statistic.SMS] == 1_000
        audit = [a for a in uow.audit.recent(5) if a.action == "usage-quota.set"]
        assert audit[0].actor == "ada" and audit[0].after == {"quota": 1_000}
    # Removing a quota: untick the box.
    dialog = page.open_set_quota(Statistic.SMS)
    assert dialog is not None
    dialog.enabled.setChecked(False)
    assert not dialog.spin.isEnabled()
    with qtbot.waitSignal(dialog.saved, timeout=5_000):
        dialog.save()
    wait_idle(qtbot, window)
    with populated_store() as uow:
        assert Statistic.SMS not in quotas.stored_quotas(uow)


@pytest.mark.parametrize("role", ["supervisor", "shared"])
def test_users_who_may_not_edit_usage_billing_cannot_set_quotas(
    qtbot: Any, populated_store: SqlStore, role: str
) -> None:
    add_sms(populated_store, 90)
    _window, page = open_quotas(qtbot, populated_store, ROLE_USERS[role])
    assert page.overview is not None and not page.overview.can_edit
    for row in page.rows.values():
        assert not row.button.isEnabled()
        assert row.button.toolTip() == quotas.EDIT_REFUSAL
        assert "admins and the Edit Billing access group" in row.button.toolTip()
    assert page.open_set_quota(Statistic.SMS) is None
    # They still see the usage and the warning.
    assert page.banners[Statistic.SMS].isVisibleTo(page)
    with populated_store() as uow:
        assert quotas.stored_quotas(uow) == {Statistic.SMS: SMS_QUOTA}
