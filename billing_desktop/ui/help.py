"""Help ▸ User guide: the bundled Markdown guide (``resources/help/*.md``, a page per tab) in a
Qt viewer. F1 opens the page of the tab in front.

The guide is read in the GUI's language when it is translated (``resources/help/<language>/``,
e.g. ``help/es/usage.md``); a page missing there is read in English.
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
from billing_desktop.ui.i18n import SOURCE_LANGUAGE, current_language, tr
from billing_desktop.ui.resources import resource_path

INDEX = "index.md"
# The guide's pages in their order: (file, title); each tab has its page.
PAGES: tuple[tuple[str, str], ...] = (
    (INDEX, tr("Overview")),
    ("usage.md", tr("Usage")),
    ("billing-units.md", tr("Billing Units")),
    ("plans.md", tr("Plans")),
    ("invoices.md", tr("Invoices")),
    ("usage-data.md", tr("Usage Data")),
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


def help_folder(language: str | None = None) -> Path | None:
    """The guide's folder in ``language`` (the GUI's by default), else the English one."""
    language = language or current_language()
    relatives = [f"help/{INDEX}"]
    if language != SOURCE_LANGUAGE:
        relatives.insert(0, f"help/{language}/{INDEX}")
    for relative in relatives:
        index = resource_path(relative)
        if index is not None:
            return index.parent
    return None


def guide_page(name: str, language: str | None = None) -> Path | None:
    """The file of the guide's page ``name`` in ``language`` (the GUI's by default), falling
    back to the English page when the language has no translation of it."""
    for folder in (help_folder(language), help_folder(SOURCE_LANGUAGE)):
        if folder is not None and (folder / name).is_file():
            return folder / name
    return None


def user_guide_action(parent: QWidget) -> QAction:
    """Help ▸ User guide (F1)."""
    action = QAction(tr("&User guide"), parent)
    action.setObjectName("actionUserGuide")
    action.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.HelpContents))
    return action


class HelpWindow(QDialog):
    """The guide: its pages on the left, the page (Markdown) on the right; links between pages
    follow, links out open in the system's browser."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("helpWindow")
        self.setWindowTitle(tr("Billing Desktop — User guide"))
        self.folder = help_folder()
        self.pages = QListWidget(self)
        self.pages.setObjectName("helpPages")
        self.pages.setAccessibleName(tr("Guide pages"))
        for name, title in PAGES:
            item = QListWidgetItem(title, self.pages)
            item.setData(Qt.ItemDataRole.UserRole, name)
        self.pages.setMaximumWidth(180)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("helpBrowser")
        self.browser.setAccessibleName(tr("Guide page"))
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
        path = guide_page(name)
        if path is None:
            self.browser.setMarkdown(
                tr(
                    "# Page not found\n\nThe guide's page *{name}* is missing from this "
                    "installation."
                ).format(name=name)
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
