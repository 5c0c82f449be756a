"""The application's own files (icon, style sheet) wherever ``resources/`` is.

Below both ``ui.app`` and ``ui.main_window``, which need the icon: neither imports the other
for it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QIcon

from billing_desktop import paths

log = logging.getLogger(__name__)

ICON_NAME = "billing-desktop.svg"
STYLESHEET = "light.qss"


def resource_dirs() -> list[Path]:
    """Where ``resources/`` may be: the frozen bundle, the source tree, the installed package."""
    return paths.resource_dirs()


def resource_path(relative: str) -> Path | None:
    """The first existing ``resources/<relative>``, or None (a missing resource never crashes)."""
    for folder in resource_dirs():
        candidate = folder / relative
        if candidate.is_file():
            return candidate
    return None


def app_icon() -> QIcon:
    path = resource_path(f"icons/{ICON_NAME}")
    return QIcon(str(path)) if path else QIcon()


def stylesheet(name: str = STYLESHEET) -> str:
    """``resources/styles/<name>`` (the light one by default; ``ui.theme`` picks)."""
    path = resource_path(f"styles/{name}")
    if path is None:
        return ""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        log.warning("cannot read the style sheet %s: %s", path, exc)
        return ""


__all__ = ["ICON_NAME", "STYLESHEET", "app_icon", "resource_dirs", "resource_path", "stylesheet"]
