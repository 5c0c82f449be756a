"""Usage Data tab (PRODUCT §8.1): one page per statistic, chosen from a row of section tabs.

Each section is a :class:`Page` of its own that loads off the GUI thread when first shown, so
opening the tab reads only what is on screen. The section last looked at is remembered.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from billing_desktop.config import APP_NAME, ORGANISATION
from billing_desktop.domain.access import Area
from billing_desktop.ui.context import TabContext
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.tabs.base import Page
from billing_desktop.ui.tabs.call_log import CallLogSection
from billing_desktop.ui.tabs.quotas import QuotasSection
from billing_desktop.ui.tabs.recording_storage import RecordingStorageSection
from billing_desktop.ui.tabs.sessions_dashboard import SessionsSection
from billing_desktop.ui.tabs.statistics import InterviewsSection, RecordingsSection, SmsSection

SectionFactory = Callable[[TabContext, QWidget], Page]

# (key, title, factory) in the order the section tabs show. Sections are added here.
SECTIONS: list[tuple[str, str, SectionFactory]] = [
    ("sessions", tr("Sessions"), SessionsSection),
    ("calls", tr("Call logs"), CallLogSection),
    ("interviews", tr("Interviews"), InterviewsSection),
    ("sms", "SMS", SmsSection),
    ("recordings", tr("Recordings"), RecordingsSection),
    ("storage", tr("Storage"), RecordingStorageSection),  # issue 19 §7
    ("quotas", tr("Quotas"), QuotasSection),
]

LAST_SECTION_KEY = "usage_data/section"


class UsageDataTab(Page):
    """The Usage Data sections in a row of tabs; loads, refreshes and cancels the one shown.

    Signals:
        loaded(): see :class:`Page` (the section shown has loaded).
    """

    area = Area.USAGE_DATA

    def __init__(self, context: TabContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName(f"{self.area.value}Tab")
        self.sections = QTabWidget(self)
        self.sections.setObjectName("usageDataSections")
        self.sections.setDocumentMode(True)
        self.pages: dict[str, Page] = {}
        for key, title, factory in SECTIONS:
            page = factory(context, self.sections)
            page.setObjectName(f"{key}Section")
            page.loaded.connect(self._section_loaded)
            self.pages[key] = page
            self.sections.addTab(page, title)
        keys = list(self.pages)
        last = (
            QSettings(ORGANISATION, APP_NAME).value(LAST_SECTION_KEY) if context.remember else None
        )
        if last in keys:
            self.sections.setCurrentIndex(keys.index(str(last)))
        self.sections.currentChanged.connect(self._section_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.sections)
        self.setFocusProxy(self.sections)

    @property
    def calls(self) -> CallLogSection:
        page = self.pages["calls"]
        assert isinstance(page, CallLogSection)
        return page

    @property
    def current(self) -> Page:
        page = self.sections.currentWidget()
        assert isinstance(page, Page)
        return page

    def show_section(self, key: str) -> Page:
        page = self.pages[key]
        self.sections.setCurrentWidget(page)
        return page

    def _section_changed(self, index: int) -> None:
        if index < 0:
            return
        if self.context.remember:
            QSettings(ORGANISATION, APP_NAME).setValue(LAST_SECTION_KEY, list(self.pages)[index])
        self.current.ensure_loaded()

    def _section_loaded(self) -> None:
        if self.sender() is self.current:
            self.loaded.emit()

    # Page --------------------------------------------------------------------------------

    @property
    def is_loading(self) -> bool:
        return any(page.is_loading for page in self.pages.values())

    @property
    def loaded_once(self) -> bool:
        return self.current.loaded_once

    def ensure_loaded(self) -> None:
        self.current.ensure_loaded()

    def mark_stale(self) -> None:
        for page in self.pages.values():
            page.mark_stale()

    def follow_changes(self, resources: frozenset[str], shown: bool) -> None:
        for page in self.pages.values():
            page.follow_changes(resources, shown and page is self.current)

    def refresh(self) -> None:
        for page in self.pages.values():
            if page is not self.current:
                page.mark_stale()
        self.current.refresh()

    def cancel(self) -> None:
        for page in self.pages.values():
            page.cancel()
