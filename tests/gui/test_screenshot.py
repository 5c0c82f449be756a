"""``take_screenshots``: one PNG per visible tab, named as the command line promises."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage

from billing_desktop.bootstrap import SqlStore
from billing_desktop.domain.errors import BillingError
from billing_desktop.ui.screenshot import take_screenshots
from tests.gui.workspace_data import ROLE_USERS

ADMIN_FILES = ["usage.png", "billing-units.png", "plans.png", "invoices.png", "usage-data.png"]


def test_an_admin_gets_every_tab(
    qtbot: Any, populated_store: SqlStore, tmp_path: Path, clean_settings: QSettings
) -> None:
    out = tmp_path / "shots" / "nested"
    paths = take_screenshots(populated_store, None, out, (1024, 700), None)
    assert [p.name for p in paths] == ADMIN_FILES
    assert sorted(p.name for p in out.iterdir()) == sorted(ADMIN_FILES)
    for path in paths:
        image = QImage(str(path))
        assert (image.width(), image.height()) == (1024, 700)
    assert clean_settings.allKeys() == []  # the user's saved window state is left alone


def test_a_shared_user_gets_no_plans(qtbot: Any, populated_store: SqlStore, tmp_path: Path) -> None:
    paths = take_screenshots(populated_store, ROLE_USERS["shared"], tmp_path, (800, 600), "2026-03")
    assert [p.name for p in paths] == ["usage.png", "invoices.png", "usage-data.png"]


def test_an_agent_and_an_empty_store_get_one_picture_each(
    qtbot: Any, populated_store: SqlStore, store_path: Path, tmp_path: Path
) -> None:
    agent = take_screenshots(populated_store, ROLE_USERS["agent"], tmp_path / "a", (800, 600))
    assert [p.name for p in agent] == ["no-access.png"]
    empty_store = SqlStore(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        empty = take_screenshots(empty_store, None, tmp_path / "e", (800, 600))
    finally:
        empty_store.dispose()
    assert [p.name for p in empty] == ["empty.png"]


def test_an_unknown_user_is_an_error(qtbot: Any, populated_store: SqlStore, tmp_path: Path) -> None:
    out = tmp_path / "shots"
    with pytest.raises(BillingError, match="nobody"):
        take_screenshots(populated_store, "nobody", out, (800, 600))
    assert list(out.iterdir()) == []
