"""packaging/billing_desktop.spec and packaging/bundle_contents.py: the bundle holds every part.

The spec is executed with stand-ins for PyInstaller's Analysis/EXE/COLLECT/BUNDLE, once as each
OS, so the Windows and macOS branches are checked here too.
"""

from __future__ import annotations

import ast
import importlib.util
import shutil
import sys
import tomllib
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

import billing_desktop
from billing_desktop import paths
from billing_desktop.store.sql import engine
from tests.packaging.conftest import PACKAGING, ROOT

SPEC = PACKAGING / "billing_desktop.spec"
MIGRATIONS_IN_BUNDLE = "billing_desktop/store/sql/migrations"
QT_TRANSLATION = ("PySide6/Qt/translations/qtbase_de.qm", "/site/qtbase_de.qm", "DATA")


class Build:
    """What the spec asked PyInstaller to build."""

    def __init__(self) -> None:
        self.calls: list[SimpleNamespace] = []

    def of(self, kind: str) -> list[SimpleNamespace]:
        return [call for call in self.calls if call.kind == kind]

    def stand_in(self, kind: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> SimpleNamespace:
            call = SimpleNamespace(kind=kind, args=args, kwargs=kwargs)
            if kind == "Analysis":  # the TOCs a real Analysis has: (dest, source, type)
                call.pure, call.scripts, call.binaries = ["pure"], ["script"], ["binary"]
                call.datas = [(dest, src, "DATA") for src, dest in kwargs["datas"]]
                call.datas.append(QT_TRANSLATION)
            self.calls.append(call)
            return call

        return record


def run_spec(platform: str, workpath: Path, monkeypatch: pytest.MonkeyPatch) -> Build:
    bc = sys.modules["bundle_contents"]
    bc.hidden_imports()  # import what the lists need before sys.platform is changed
    build = Build()
    namespace: dict[str, Any] = {
        "__name__": "__main__",
        "__file__": str(SPEC),
        "SPECPATH": str(PACKAGING),
        "workpath": str(workpath),
    }
    for kind in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"):
        namespace[kind] = build.stand_in(kind)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(sys, "platform", platform)
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    return build


@pytest.fixture
def bc(bundle_contents: ModuleType) -> ModuleType:
    return bundle_contents


def test_every_resource_file_is_bundled_where_the_app_looks(bc: ModuleType) -> None:
    datas = set(bc.datas())
    folders = {path.name for path in (ROOT / "resources").iterdir() if path.is_dir()}
    # A new folder under resources/ must be bundled or excluded on purpose.
    assert folders == {*bc.RESOURCE_FOLDERS, *bc.NOT_BUNDLED}
    files = [path for path in (ROOT / "resources").rglob("*") if path.is_file()]
    assert len(files) > 5
    for path in files:
        relative = path.relative_to(ROOT)
        entry = (str(path), relative.parent.as_posix())
        if relative.parts[1] in bc.NOT_BUNDLED or path.suffix in bc.NOT_BUNDLED_SUFFIXES:
            assert entry not in datas, path
        else:
            assert entry in datas, f"{relative} is not in the bundle"
    for needed in ("fonts/DejaVuSans.ttf", "icons/billing-desktop.svg", "styles/light.qss"):
        assert (str(ROOT / "resources" / needed), f"resources/{Path(needed).parent}") in datas


def test_every_migration_is_bundled_as_source_where_the_engine_finds_it(bc: ModuleType) -> None:
    package_root = Path(billing_desktop.__file__).resolve().parent.parent
    assert engine.MIGRATIONS.resolve().relative_to(package_root).as_posix() == MIGRATIONS_IN_BUNDLE
    datas = set(bc.datas())
    versions = sorted((engine.MIGRATIONS / "versions").glob("*.py"))
    assert len(versions) >= 5
    for path in versions:
        assert (str(path), f"{MIGRATIONS_IN_BUNDLE}/versions") in datas, f"{path.name} missing"
    for name in ("env.py", "script.py.mako"):
        assert (str(engine.MIGRATIONS / name), MIGRATIONS_IN_BUNDLE) in datas
    assert not any("__pycache__" in source for source, _ in datas)


def test_what_the_migrations_import_is_collected(bc: ModuleType) -> None:
    imports = set(bc.migration_imports())
    assert {"alembic.op", "alembic.context", "sqlalchemy"} <= imports
    assert "billing_desktop.store.sql.types" in imports  # a version file's own import
    assert "billing_desktop.store.sql.tables" in imports  # env.py's
    hidden = set(bc.hidden_imports())
    assert imports <= hidden
    assert {"PySide6.QtPdf", "PySide6.QtPrintSupport", "PySide6.QtSvg"} <= hidden
    for name in hidden:
        assert importlib.util.find_spec(name) is not None, name


def test_the_unicode_tables_of_the_id_check_are_bundled_next_to_their_module(
    bc: ModuleType, tmp_path: Path
) -> None:
    """confusable_homoglyphs opens its JSON tables from its own folder (no PyInstaller hook
    collects them): a frozen import without them would fail at the first non-ASCII id."""
    import confusable_homoglyphs

    folder = Path(confusable_homoglyphs.__file__).parent
    datas = set(bc.datas())
    tables = sorted(folder.glob("*.json"))
    assert {path.name for path in tables} >= {"categories.json", "confusables.json"}
    for path in tables:
        assert (str(path), "confusable_homoglyphs") in datas, path.name


def test_the_bundle_layout_is_the_one_the_app_reads(
    bc: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lay the data files out as PyInstaller would; the app finds them in sys._MEIPASS first."""
    from billing_desktop.reports import fonts
    from billing_desktop.ui import resources as app

    for source, folder in bc.datas():
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(source, tmp_path / folder)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.resource_dirs()[0] == tmp_path / "resources"
    assert fonts.fonts_folder() == tmp_path / "resources" / "fonts"
    assert app.resource_path("icons/billing-desktop.svg") == (
        tmp_path / "resources" / "icons" / "billing-desktop.svg"
    )
    assert app.resource_path("styles/light.qss") == tmp_path / "resources" / "styles" / "light.qss"
    versions = tmp_path / MIGRATIONS_IN_BUNDLE / "versions"
    assert sorted(p.name for p in versions.glob("*.py")) == sorted(
        p.name for p in (engine.MIGRATIONS / "versions").glob("*.py")
    )


def test_a_wheel_installs_the_same_resources(bc: ModuleType) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data_files = pyproject["tool"]["setuptools"]["data-files"]
    installed: dict[Path, str] = {}
    for target, patterns in data_files.items():
        for pattern in patterns:
            for path in ROOT.glob(pattern):
                # setuptools cannot copy a folder: a pattern must match files only
                assert path.is_file(), f"{pattern} matches the folder {path}"
                installed[path] = target
    assert installed == {
        path: f"{paths.DATA_FILES_FOLDER.as_posix()}/"
        f"{path.parent.relative_to(ROOT / 'resources').as_posix()}"
        for path in bc.resource_files()
    }
    assert Path(sys.prefix) / paths.DATA_FILES_FOLDER in paths.resource_dirs()
    assert "pyinstaller>=6.10" in pyproject["project"]["optional-dependencies"]["packaging"]


def test_linux_build_is_one_folder_and_windowed(
    bc: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = run_spec("linux", tmp_path, monkeypatch)
    (analysis,) = build.of("Analysis")
    assert analysis.args[0] == [str(ROOT / "billing_desktop" / "__main__.py")]
    assert analysis.kwargs["datas"] == bc.datas()
    assert analysis.kwargs["hiddenimports"] == bc.hidden_imports()
    assert set(analysis.kwargs["excludes"]) == set(bc.EXCLUDES)
    assert not {"PySide6.QtPdf", "PySide6.QtPrintSupport", "PySide6.QtSvg"} & set(bc.EXCLUDES)
    (exe,) = build.of("EXE")
    assert exe.kwargs["name"] == "billing-desktop"
    assert exe.kwargs["exclude_binaries"] is True  # one folder: binaries go to COLLECT
    assert exe.kwargs["console"] is False
    assert exe.kwargs["upx"] is False
    (collect,) = build.of("COLLECT")
    assert collect.args[0] is exe
    assert collect.kwargs["name"] == "billing-desktop"
    collected = collect.args[2]
    assert QT_TRANSLATION not in collected  # unused Qt translations are dropped, nothing else
    assert len(collected) == len(bc.datas())
    assert build.of("BUNDLE") == []


def test_macos_build_is_a_one_folder_app_bundle(
    bc: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = run_spec("darwin", tmp_path, monkeypatch)
    (exe,) = build.of("EXE")
    assert exe.kwargs["exclude_binaries"] is True
    assert exe.kwargs["codesign_identity"] is None  # signed afterwards, inside-out
    (collect,) = build.of("COLLECT")
    (bundle,) = build.of("BUNDLE")
    assert bundle.args == (collect,)  # the .app wraps the one-folder build, not a onefile EXE
    assert bundle.kwargs["name"] == "Billing Desktop.app"
    assert bundle.kwargs["bundle_identifier"] == bc.BUNDLE_IDENTIFIER
    assert bundle.kwargs["version"] == billing_desktop.__version__
    icon = Path(bundle.kwargs["icon"])
    assert icon.suffix == ".icns" and icon.read_bytes()[:4] == b"icns"
    plist = bundle.kwargs["info_plist"]
    assert plist["CFBundleShortVersionString"] == billing_desktop.__version__
    assert plist["NSHighResolutionCapable"] is True


def test_windows_build_has_a_gui_and_a_console_executable_with_version_info(
    bc: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = run_spec("win32", tmp_path, monkeypatch)
    gui, cli = build.of("EXE")
    assert (gui.kwargs["name"], gui.kwargs["console"]) == ("billing-desktop", False)
    assert (cli.kwargs["name"], cli.kwargs["console"]) == ("billing-desktop-cli", True)
    (collect,) = build.of("COLLECT")
    assert collect.args[:2] == (gui, cli)  # one _internal/ folder for both
    for exe in (gui, cli):
        assert exe.kwargs["exclude_binaries"] is True
        icon = Path(exe.kwargs["icon"])
        assert icon.suffix == ".ico" and icon.read_bytes()[:4] == b"\x00\x00\x01\x00"
        version_file = Path(exe.kwargs["version"])
        assert version_file.parent == tmp_path
    text = version_file.read_text(encoding="utf-8")
    ast.parse(text)  # PyInstaller evaluates it as a Python expression
    numbers = bc.version_tuple(billing_desktop.__version__)
    assert f"filevers={numbers}" in text
    assert f"StringStruct('ProductVersion', '{billing_desktop.__version__}')" in text
    assert build.of("BUNDLE") == []


def test_version_numbers(bc: ModuleType) -> None:
    assert bc.version() == billing_desktop.__version__
    assert bc.version_tuple("0.1.0") == (0, 1, 0, 0)
    assert bc.version_tuple("1.2.3.4.5") == (1, 2, 3, 4)
    assert bc.version_tuple("2.0rc1") == (2, 0, 1, 0)


def test_icons_are_committed_and_hold_every_size(bc: ModuleType) -> None:
    from PIL import Image

    with Image.open(bc.WINDOWS_ICON) as ico:
        assert ico.format == "ICO"
        assert {(256, 256), (48, 48), (16, 16)} <= set(ico.info["sizes"])
    with Image.open(bc.MACOS_ICON) as icns:
        assert icns.format == "ICNS"
        assert icns.size == (1024, 1024)
    for icon in (bc.WINDOWS_ICON, bc.MACOS_ICON):
        assert icon.stat().st_size < 200_000  # small binaries in git


def test_the_spanish_catalog_and_qts_own_spanish_are_bundled(bc: ModuleType) -> None:
    """resources/locale ships, and of Qt's translations only qtbase of a shipped language."""
    datas = set(bc.datas())
    po = ROOT / "resources" / "locale" / "es" / "main.po"
    assert (str(po), "resources/locale/es") in datas
    assert bc.SHIPPED_LANGUAGES == ("es",)
    assert not bc.is_unused_data("PySide6/Qt/translations/qtbase_es.qm")
    assert bc.is_unused_data("PySide6/Qt/translations/qtbase_de.qm")
    assert bc.is_unused_data("PySide6/Qt/translations/qtdeclarative_es.qm")
    assert bc.is_unused_data("pyarrow/include/arrow/api.h")
    assert not bc.is_unused_data("adbc_driver_sqlite/libadbc_driver_sqlite.so")


def test_only_arrow_flight_is_left_out_of_the_shared_libraries(bc: ModuleType) -> None:
    assert bc.is_unused_binary("pyarrow/libarrow_flight.so.2600")
    assert bc.is_unused_binary("pyarrow\\libarrow_python_flight.dll")
    for kept in ("pyarrow/libarrow.so.2600", "pyarrow/libarrow_compute.so.2600", "libsqlite3.so"):
        assert not bc.is_unused_binary(kept)
