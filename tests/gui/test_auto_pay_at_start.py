"""Auto-pay at start (issue 19 §3) runs once: when the first tab shown is Usage on a local
store, its own first read pays what is due (``services.usage_page``) and the window's start
hook (``ui.auto_pay_start.run_at_start``) adds no second read beside it (B1); on another first
tab, or on a remote store, the hook pays."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.access import Area
from billing_desktop.domain.periods import account_today
from billing_desktop.services import overview
from billing_desktop.services import payment_methods as pm
from billing_desktop.services.context import resolve_actor
from billing_desktop.ui import auto_pay_start
from billing_desktop.ui.main_window import LAST_TAB_KEY
from billing_desktop.ui.tasks import TaskRunner
from tests.gui.test_autopay_packs_gui import add_due_invoice
from tests.gui.test_main_window import open_window

AUTO_PAY_TASK = "auto-pay due invoices"


def _auto_pay_due_with_a_card(store: SqlStore) -> None:
    add_due_invoice(store)
    with store() as uow:
        profile = dict(uow.settings.get("account_profile") or {})
        uow.settings.put("account_profile", {**profile, "auto_pay": True})
        actor = resolve_actor(uow, "ada")
        day = account_today(uow.account.get())  # type: ignore[arg-type]
        pm.add_card(uow, actor, "Visa", "1111", "12/30", "Ada Admin", day,
                    datetime.now(UTC))  # fmt: skip
        uow.commit()


@pytest.mark.parametrize(("first_tab", "hook_runs"), [(Area.USAGE, False), (Area.INVOICES, True)])
def test_the_start_pays_a_due_invoice_once_and_reads_for_it_once(
    qtbot: Any,
    populated_store: SqlStore,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    first_tab: Area,
    hook_runs: bool,
) -> None:
    _auto_pay_due_with_a_card(populated_store)
    started: list[str] = []
    run = TaskRunner.run

    def recording(self: TaskRunner, fn: Any, *args: Any, **kwargs: Any) -> Any:
        started.append(kwargs.get("description") or getattr(fn, "__name__", "?"))
        return run(self, fn, *args, **kwargs)

    monkeypatch.setattr(TaskRunner, "run", recording)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue(LAST_TAB_KEY, first_tab.value)
    window = open_window(qtbot, populated_store, "ada", settings=settings)
    assert window.current_area is first_tab
    assert (AUTO_PAY_TASK in started) is hook_runs, started
    with populated_store() as uow:
        (payment,) = uow.payments.all()
        assert (payment.invoice, payment.reference) == ("INV-0901", "AUTOPAY-INV-0901")


class _Runner:
    def __init__(self) -> None:
        self.started: list[str] = []

    def run(self, fn: Any, *args: Any, description: str = "", **kwargs: Any) -> None:
        self.started.append(description)


class _Window:
    """What ``run_at_start`` looks at: the tab shown first, the store, the runner."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.runner = _Runner()
        self.current_area: Area | None = Area.USAGE


class _RemoteLike:
    """A store that is not a local gateway (a server's, or its offline copy's): its Usage
    read does not pay (the copy reads the page without auto-recharge or auto-pay)."""

    def __init__(self, store: SqlStore) -> None:
        self.read = store.read
        self.write = store.write


def test_on_a_remote_store_the_start_hook_pays_even_when_usage_is_shown_first(
    populated_store: SqlStore,
) -> None:
    workspace = populated_store.read(overview.workspace, "ada")
    local, remote = _Window(populated_store), _Window(_RemoteLike(populated_store))
    auto_pay_start.run_at_start(local, workspace)
    auto_pay_start.run_at_start(remote, workspace)
    assert (local.runner.started, remote.runner.started) == ([], [AUTO_PAY_TASK])
    remote.current_area = Area.INVOICES
    local.current_area = Area.INVOICES
    auto_pay_start.run_at_start(local, workspace)
    assert local.runner.started == [AUTO_PAY_TASK]
