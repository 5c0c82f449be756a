from __future__ import annotations

from pathlib import Path

import pytest

from billing_desktop.config import STORE_ENV, default_store_path, store_url
from billing_desktop.domain.errors import StoreError


def test_store_option_wins_over_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "env.db"))
    assert store_url(str(tmp_path / "opt.db")) == f"sqlite:///{tmp_path / 'opt.db'}"


def test_environment_wins_over_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "env.db"))
    assert store_url(None) == f"sqlite:///{tmp_path / 'env.db'}"


def test_default_is_the_per_user_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STORE_ENV, raising=False)
    url = store_url(None)
    assert url == f"sqlite:///{default_store_path()}"
    assert default_store_path().parent.is_dir()


def test_urls_pass_through_and_folders_are_refused(tmp_path: Path) -> None:
    assert store_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert store_url("https://billing.example/api") == "https://billing.example/api"
    with pytest.raises(StoreError, match="is a folder"):
        store_url(str(tmp_path))
