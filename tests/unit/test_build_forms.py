"""packaging/build_forms.py: the committed ui_*.py modules match forms/*.ui."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "packaging" / "build_forms.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_forms", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build_forms() -> ModuleType:
    return load_script()


@pytest.fixture
def copy(tmp_path: Path) -> tuple[Path, Path]:
    forms = tmp_path / "forms"
    out = tmp_path / "generated"
    shutil.copytree(ROOT / "forms", forms)
    shutil.copytree(
        ROOT / "billing_desktop" / "ui" / "forms", out, ignore=shutil.ignore_patterns("__pycache__")
    )
    return forms, out


def test_the_committed_forms_are_fresh() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


def test_every_form_has_a_module(build_forms: ModuleType) -> None:
    forms = sorted(p.stem for p in (ROOT / "forms").glob("*.ui"))
    assert {"main_window", "import_dialog"} <= set(forms)
    for stem in forms:
        assert (ROOT / "billing_desktop" / "ui" / "forms" / f"ui_{stem}.py").is_file()


def test_a_stale_module_fails_the_check(
    build_forms: ModuleType, copy: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    forms, out = copy
    target = out / "ui_main_window.py"
    target.write_text(
        target.read_text(encoding="utf-8").replace("Billing Desktop", "Billing"), encoding="utf-8"
    )
    (out / "ui_import_dialog.py").unlink()
    (out / "ui_orphan.py").write_text("# left over\n", encoding="utf-8")
    assert build_forms.main(["--check", "--forms", str(forms), "--out", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "stale:" in printed and "ui_main_window.py" in printed
    assert "missing:" in printed and "ui_import_dialog.py" in printed
    assert "orphan:" in printed and "ui_orphan.py" in printed


def test_a_different_uic_version_is_not_stale(
    build_forms: ModuleType, copy: tuple[Path, Path]
) -> None:
    forms, out = copy
    target = out / "ui_main_window.py"
    text = target.read_text(encoding="utf-8")
    marker = build_forms.VERSION_MARKER
    assert marker in text
    lines = [f"## {marker} 6.99.1" if marker in line else line for line in text.splitlines()]
    target.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8", newline="")
    assert build_forms.check(forms, out) == []


def test_building_regenerates_what_is_missing(
    build_forms: ModuleType, copy: tuple[Path, Path]
) -> None:
    forms, out = copy
    (out / "ui_import_dialog.py").unlink()
    written = build_forms.build(forms, out)
    assert [p.name for p in written] == ["ui_import_dialog.py"]
    assert build_forms.check(forms, out) == []
    assert build_forms.build(forms, out) == []  # nothing to do the second time
