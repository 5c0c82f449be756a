"""Where the read-only ``resources/`` folder (icons, styles, PDF fonts) is, however the app runs.

No Qt here: the PDF reports use it too.
"""

from __future__ import annotations

import site
import sys
import sysconfig
from pathlib import Path

import billing_desktop

# Where a wheel installs resources/ (pyproject.toml's [tool.setuptools.data-files]), under the
# installation's data prefix: the virtualenv, /usr/local, or the user base of `pip --user`.
DATA_FILES_FOLDER = Path("share", "billing-desktop", "resources")


def resource_dirs() -> list[Path]:
    """Candidate ``resources/`` folders, in order: the frozen bundle (PyInstaller's
    ``sys._MEIPASS``: ``_internal/`` of a one-folder build, ``Contents/Frameworks`` of a macOS
    app, whose data files are linked from ``Contents/Resources``), the source tree (a checkout
    or an editable install), the package folder, then a wheel's installed data files."""
    found: list[Path] = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        found.append(Path(frozen) / "resources")
    package = Path(billing_desktop.__file__).resolve().parent
    found.append(package.parent / "resources")
    found.append(package / "resources")
    prefixes = [sysconfig.get_path("data"), sys.prefix]
    user_base = getattr(site, "USER_BASE", None)
    if isinstance(user_base, str):
        prefixes.append(user_base)
    for prefix in prefixes:
        folder = Path(prefix) / DATA_FILES_FOLDER
        if folder not in found:
            found.append(folder)
    return found
