"""The GUI on a remote store: the same window, tabs and figures through a live server."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.access import Area
from billing_desktop.remote.client import HttpStore
from tests.gui.test_main_window import load_all_tabs, open_window, table_pages, wait_idle
from tests.live_server import live_server, token_for


def table_texts(model: Any) -> list[list[str]]:
    return [
        [str(model.data(model.index(r, c))) for c in range(model.columnCount())]
        for r in range(min(model.rowCount(), 50))
    ]


def shown(qtbot: Any, store: Any, user_id: str | None) -> dict[Area, list[list[str]]]:
    window = open_window(qtbot, store, user_id)
    load_all_tabs(qtbot, window)
    pages = table_pages(window)
    wait_idle(qtbot, window)
    texts = {area: table_texts(page.model) for area, page in pages.items()}
    texts[Area.USAGE_DATA].append([window.windowTitle(), window.current_page_name])
    window.close()
    return texts


def test_every_tab_shows_the_same_through_the_server(qtbot: Any, populated_store: SqlStore) -> None:
    local = shown(qtbot, populated_store, "ada")
    with live_server(populated_store) as url:
        remote_store = HttpStore(url, token_for(populated_store, "ada"))
        remote = shown(qtbot, remote_store, None)
        remote_store.close()
    assert set(remote) == set(local) == set(Area)
    for area in Area:
        assert remote[area] == local[area], area
    assert local[Area.USAGE][0][0] == "Billing sessions"


def test_a_shared_account_user_gets_no_plans_tab_through_the_server(
    qtbot: Any, populated_store: SqlStore
) -> None:
    with populated_store() as uow:
        shared = next(u.id for u in uow.users.all() if u.role.value == "shared")
    with live_server(populated_store) as url:
        remote_store = HttpStore(url, token_for(populated_store, shared))
        window = open_window(qtbot, remote_store)
        wait_idle(qtbot, window)
        assert Area.PLANS not in window.tab_pages
        assert "Remote store" in window.store_label.text()
        window.close()
        remote_store.close()


def test_a_billing_unit_added_in_the_gui_reaches_the_server(
    qtbot: Any, populated_store: SqlStore
) -> None:
    from billing_desktop.services import units

    with live_server(populated_store) as url:
        remote_store = HttpStore(url, token_for(populated_store, "ada"))
        window = open_window(qtbot, remote_store)
        page = window.select_area(Area.BILLING_UNITS)
        wait_idle(qtbot, window)
        actor = window.workspace.actor
        remote_store.write(units.add_unit, actor, "Remote desk")
        window.refresh()
        wait_idle(qtbot, window)
        names = [page.model.data(page.model.index(r, 0)) for r in range(page.model.rowCount())]
        assert "Remote desk" in names
        assert page.model.data(page.model.index(0, 1), Qt.ItemDataRole.DisplayRole) is not None
        window.close()
        remote_store.close()
    with populated_store() as uow:
        assert "Remote desk" in [u.name for u in uow.units.all()]
