"""``billing-desktop --self-test``: passes on a working installation, writes real files, and
fails (status 1, naming the check) when a part is missing."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from billing_desktop import selftest
from tests.packaging.conftest import ROOT

CHECK_NAMES = [name for name, _ in selftest.CHECKS]


def test_self_test_from_the_command_line_passes_and_keeps_its_files(tmp_path: Path) -> None:
    folder = tmp_path / "self-test"
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}  # it sets it itself
    result = subprocess.run(
        [sys.executable, "-m", "billing_desktop", "--self-test", str(folder)],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[1] for line in lines if line.startswith("ok ")] == CHECK_NAMES
    assert lines[-1].startswith(f"self-test passed: {len(CHECK_NAMES)} checks")
    assert (folder / selftest.LOG_NAME).read_text(encoding="utf-8").splitlines() == lines

    (pdf,) = folder.glob("statement-*.pdf")
    assert pdf.read_bytes().startswith(b"%PDF-") and pdf.stat().st_size > 10_000
    (chart,) = folder.glob("billing-units-*.png")
    tabs = sorted((folder / "tabs").glob("*.png"))
    assert [p.name for p in tabs] == sorted(
        ["usage.png", "billing-units.png", "plans.png", "invoices.png", "usage-data.png"]
    )
    from PySide6.QtGui import QImage

    for png in [chart, *tabs]:
        assert png.read_bytes().startswith(selftest.PNG_SIGNATURE)
        image = QImage(str(png))
        assert not image.isNull() and image.width() > 100 and image.height() > 100, png.name
    assert QImage(str(chart)).size().toTuple() == selftest.CHART_SIZE


def test_self_test_in_a_temporary_folder_leaves_nothing_behind(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    out = io.StringIO()
    assert selftest.run(out=out) == 0, out.getvalue()
    assert "self-test passed" in out.getvalue()
    assert list(tmp_path.iterdir()) == []


def test_a_missing_resource_fails_the_self_test_naming_it(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from billing_desktop.ui import resources as app

    monkeypatch.setattr(app, "resource_dirs", lambda: [tmp_path / "nowhere"])
    out = io.StringIO()
    assert selftest.run(tmp_path / "run", out=out) == 1
    lines = out.getvalue().splitlines()
    assert "FAIL  resources  the application icon icons/billing-desktop.svg is missing" in lines
    assert lines[-1].startswith("self-test FAILED at 'resources'")
    assert not any(line.startswith("ok    store") for line in lines)  # it stops there


def test_missing_migrations_fail_the_self_test(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from billing_desktop.store.sql import engine

    monkeypatch.setattr(engine, "MIGRATIONS", tmp_path / "no-migrations")
    out = io.StringIO()
    assert selftest.run(tmp_path / "run", out=out) == 1
    assert "self-test FAILED at 'store'" in out.getvalue()


def test_a_blank_chart_fails_the_self_test(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from billing_desktop.ui.charts.bars import HorizontalBarChart

    monkeypatch.setattr(HorizontalBarChart, "set_data", lambda self, labels, series: None)
    out = io.StringIO()
    assert selftest.run(tmp_path / "run", out=out) == 1
    assert "self-test FAILED at 'chart'" in out.getvalue()
    assert "shows no usage bar" in out.getvalue()
