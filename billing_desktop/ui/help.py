"""Help ▸ User guide: the bundled Markdown guide (``resources/help/*.md``, a page per tab) in a
Qt viewer. F1 opens the page of the tab in front.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.access import Area
from billing_desktop.ui.resources import resource_path

INDEX = "index.md"
# The guide's pages in their order: (file, title); each tab has its page.
PAGES: tuple[tuple[str, str], ...] = (
    (INDEX, "Overview"),
    ("usage.md", "Usage"),
    ("billing-units.md", "Billing Units"),
    ("plans.md", "Plans"),
    ("invoices.md", "Invoices"),
    ("usage-data.md", "Usage Data"),
)
AREA_PAGES: dict[Area, str] = {
    Area.USAGE: "usage.md",
    Area.BILLING_UNITS: "billing-units.md",
    Area.PLANS: "plans.md",
    Area.INVOICES: "invoices.md",
    Area.USAGE_DATA: "usage-data.md",
}


def page_for(area: Area | None) -> str:
    return AREA_PAGES.get(area, INDEX) if area is not None else INDEX


def help_folder() -> Path | None:
    index = resource_path(f"help/{INDEX}")
    return index.parent if index is not None else None


def user_guide_action(parent: QWidget) -> QAction:
    """Help ▸ User guide (F1)."""
    action = QAction("&User guide", parent)
    action.setObjectName("actionUserGuide")
    action.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.HelpContents))
    return action


class HelpWindow(QDialog):
    """The guide: its pages on the left, the page (Markdown) on the right; links between pages
    follow, links out open in the system's browser."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("helpWindow")
        self.setWindowTitle("Billing Desktop — User guide")
        self.folder = help_folder()
        self.pages = QListWidget(self)
        self.pages.setObjectName("helpPages")
        self.pages.setAccessibleName("Guide pages")
        for name, title in PAGES:
            item = QListWidgetItem(title, self.pages)
            item.setData(Qt.ItemDataRole.UserRole, name)
        self.pages.setMaximumWidth(180)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("helpBrowser")
        self.browser.setAccessibleName("Guide page")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._follow)
        self.pages.currentRowChanged.connect(self._row_chosen)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.pages)
        row.addWidget(self.browser, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(buttons)
        self.resize(820, 600)
        self.current = ""
        self.show_page(INDEX)

    def show_page(self, name: str) -> None:
        """Show ``name`` (a file of resources/help); a missing guide says so."""
        path = self.folder / name if self.folder is not None else None
        if path is None or not path.is_file():
            self.browser.setMarkdown(
                f"# Page not found\n\nThe guide's page *{name}* is missing from this installation."
            )
        else:
            self.browser.setSearchPaths([str(path.parent)])
            self.browser.setMarkdown(path.read_text(encoding="utf-8"))
        self.current = name
        rows = [n for n, _title in PAGES]
        if name in rows and self.pages.currentRow() != rows.index(name):
            self.pages.blockSignals(True)
            self.pages.setCurrentRow(rows.index(name))
            self.pages.blockSignals(False)

    def _row_chosen(self, row: int) -> None:
        if 0 <= row < len(PAGES):
            self.show_page(PAGES[row][0])

    def _follow(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            from PySide6.QtGui import QDesktopServices

            QDesktopServices.openUrl(url)
            return
        name = Path(url.path()).name
        if name:
            self.show_page(name)
