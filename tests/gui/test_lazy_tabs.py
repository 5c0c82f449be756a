"""The main window builds a tab when it is first shown (issue 21, B1): the start builds only
the tab shown, the others keep their place, title and shortcut, and a change broadcast passes
over the tabs not built yet."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.access import Area
from billing_desktop.ui.app import collect_garbage_when_shown
from billing_desktop.ui.main_window import LAST_TAB_KEY, MainWindow
from billing_desktop.ui.tabs.base import Page
from tests.gui.test_main_window import ALL_TABS, open_window, wait_idle


def _built(window: Any) -> set[Area]:
    return set(window.built_tab_pages)


def test_only_the_tab_shown_is_built_at_start(qtbot: Any, populated_store: SqlStore) -> None:
    window = open_window(qtbot, populated_store)
    assert window.tab_titles == ALL_TABS
    assert _built(window) == {Area.USAGE}
    usage = window.ui.tabs.widget(0)
    assert isinstance(usage, Page) and usage.loaded_once
    for index in range(1, len(ALL_TABS)):
        widget = window.ui.tabs.widget(index)
        assert isinstance(widget, QWidget) and not isinstance(widget, Page)
    assert [a.text() for a in window.goto_actions if a.isVisible()] == [
        f"&{i + 1} {title}" for i, title in enumerate(ALL_TABS)
    ]


def test_a_tab_is_built_in_its_place_when_first_shown(
    qtbot: Any, populated_store: SqlStore
) -> None:
    window = open_window(qtbot, populated_store)
    window.goto_actions[2].trigger()  # Ctrl+3: Plans
    wait_idle(qtbot, window)
    assert window.current_area == Area.PLANS
    plans = window.ui.tabs.currentWidget()
    assert isinstance(plans, Page) and plans.loaded_once
    assert window.ui.tabs.indexOf(plans) == 2
    assert window.tab_titles == ALL_TABS
    assert _built(window) == {Area.USAGE, Area.PLANS}

    window.ui.tabs.setCurrentIndex(0)  # back and forth: the same page, not built again
    window.goto_actions[2].trigger()
    assert window.ui.tabs.currentWidget() is plans
    assert window.built_tab_pages[Area.PLANS] is plans


def test_clicking_a_tab_builds_and_loads_it(qtbot: Any, populated_store: SqlStore) -> None:
    window = open_window(qtbot, populated_store)
    window.ui.tabs.setCurrentIndex(3)
    wait_idle(qtbot, window)
    assert window.current_area == Area.INVOICES
    page = window.ui.tabs.currentWidget()
    assert isinstance(page, Page) and page.loaded_once


def test_a_change_broadcast_passes_over_the_tabs_not_built(
    qtbot: Any, populated_store: SqlStore
) -> None:
    window = open_window(qtbot, populated_store)
    seen: list[object] = []
    window.resources_changed.connect(seen.append)
    window._follow_changes(frozenset({"plans", "workspace", "records"}))
    assert seen == [frozenset({"plans", "workspace", "records"})]
    assert _built(window) == {Area.USAGE}  # nothing built just to be told to refresh
    window.select_area(Area.PLANS)  # built later: it reads what is stored then
    wait_idle(qtbot, window)
    assert window.built_tab_pages[Area.PLANS].loaded_once


def test_the_remembered_tab_is_the_one_built_at_start(
    qtbot: Any, populated_store: SqlStore, clean_settings: QSettings
) -> None:
    clean_settings.setValue(LAST_TAB_KEY, Area.INVOICES.value)
    window = open_window(qtbot, populated_store)
    assert window.current_area == Area.INVOICES
    assert _built(window) == {Area.INVOICES}


def test_tab_pages_builds_every_tab_in_order(qtbot: Any, populated_store: SqlStore) -> None:
    window = open_window(qtbot, populated_store)
    pages = window.tab_pages
    assert list(pages) == [Area(a) for a in window.workspace.areas]
    assert [window.ui.tabs.indexOf(page) for page in pages.values()] == list(range(len(pages)))
    assert window.current_area == Area.USAGE  # building them did not switch the tab


def test_start_up_imports_none_of_the_heavy_modules() -> None:
    """What a start on a local store imports (the window, the Usage tab, the store, the offline
    controls' check) leaves the HTTP client, the charts, PDFs and Alembic out (B1)."""
    script = (
        "import sys\n"
        "from billing_desktop.ui.app import application, open_at_start\n"
        "from billing_desktop.ui.main_window import TAB_CLASSES, MainWindow\n"
        "from billing_desktop.ui.tabs.usage import UsageTab\n"
        "from billing_desktop.ui.offline import replica_of\n"
        "assert replica_of(object()) is None\n"
        "heavy = ('httpx', 'rich', 'pyqtgraph', 'numpy', 'reportlab', 'alembic', 'uvicorn',\n"
        "         'pyarrow', 'adbc_driver_sqlite')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "[]"


def test_the_app_start_imports_the_store_before_qt_and_no_forecast_and_collects_later(
    populated_store: SqlStore,
) -> None:
    """The app's own start (``billing-desktop --store FILE``) until the Usage tab is filled,
    in a fresh interpreter (B1): SQLAlchemy and the store come before PySide6 (whose import
    hook reads the source of every module imported after it), neither the month-end
    forecast's service, the call-log queries, Babel's catalog reader (English), SQLAlchemy's
    PostgreSQL dialect nor Arrow and the ADBC driver (the big imports') are loaded
    before they are first needed, and the cyclic garbage collector, off during the start, is
    on again once the Usage tab is filled, with what the start made frozen (no collection walks
    it: the first one took ≈ 33 ms of the start)."""
    path = populated_store.path
    assert path is not None
    script = """
import gc, importlib.util, sys

def probe(app):
    from PySide6.QtCore import QEventLoop
    from billing_desktop.ui.main_window import MainWindow
    window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
    loop = QEventLoop()
    page = lambda: window.ui.tabs.currentWidget()
    while window.runner.busy or not getattr(page(), "loaded_once", False):
        loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
    late = ("billing_desktop.services.forecast", "billing_desktop.services.usage_data",
            "babel.messages", "pyqtgraph", "httpx", "sqlalchemy.dialects.postgresql",
            "pyarrow", "adbc_driver_sqlite")
    print(type(page()).__name__, sorted(m for m in late if m in sys.modules))
    print("collecting garbage once filled:", gc.isenabled())
    print("the start's objects frozen:", gc.get_freeze_count() > 10_000)
    return 0

class Hook:  # sees PySide6 imported; puts the probe in place of the event loop
    def find_spec(self, name, path, target=None):
        if name == "PySide6":
            print("before Qt:", [m for m in ("sqlalchemy", "billing_desktop.store.sql.uow",
                                               "billing_desktop.services.usage_page")
                                 if m in sys.modules])
            print("collecting garbage at start:", gc.isenabled())
        if name != "PySide6.QtWidgets":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        load = spec.loader.exec_module
        def exec_module(module):
            load(module)
            module.QApplication.exec = probe
        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, Hook())
from billing_desktop.cli import main
print("status", main(["--store", sys.argv[1]]))
"""
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=60,
        check=True,
    )
    assert done.stdout.splitlines() == [
        "before Qt: ['sqlalchemy', 'billing_desktop.store.sql.uow', "
        "'billing_desktop.services.usage_page']",
        "collecting garbage at start: False",
        "UsageTab []",
        "collecting garbage once filled: True",
        "the start's objects frozen: True",
        "status 0",
    ], done.stderr


def test_garbage_collection_is_back_on_once_the_first_tab_is_filled(
    qtbot: Any, populated_store: SqlStore
) -> None:
    gc.disable()  # as the command line's start leaves it (cli.core._cmd_gui)
    try:
        window = MainWindow(populated_store, None, remember=False)
        qtbot.addWidget(window)
        collect_garbage_when_shown(window)
        window.show()
        assert not gc.isenabled()  # the workspace is read off the GUI thread
        with qtbot.waitSignal(window.workspace_loaded, timeout=10_000):
            pass
        usage = window.ui.tabs.currentWidget()
        assert isinstance(usage, Page)
        if not usage.loaded_once:
            assert not gc.isenabled()
            with qtbot.waitSignal(usage.loaded, timeout=10_000):
                pass
        assert usage.loaded_once and gc.isenabled()
        # what the start made is in the permanent generation: no collection walks it
        assert gc.get_freeze_count() > 0
        wait_idle(qtbot, window)
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual
        gc.enable()
