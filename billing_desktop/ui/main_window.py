"""The main window: the tabs the acting user may see, or the empty / no-access pages.

Everything that touches the store runs on the :class:`TaskRunner`; the window only decides
what to show. The form is ``forms/main_window.ui`` (compiled to ``ui/forms/ui_main_window.py``),
held by composition.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from billing_desktop import APP_NAME, __version__
from billing_desktop.config import ORGANISATION
from billing_desktop.domain.access import Area
from billing_desktop.services import overview
from billing_desktop.services.gateway import Gateway as Store
from billing_desktop.services.overview import Workspace
from billing_desktop.services.task_state import CANCELLED_SUFFIX, Progress
from billing_desktop.store.ports import RESOURCES
from billing_desktop.ui import theme
from billing_desktop.ui.context import TabContext, read
from billing_desktop.ui.dialogs.preferences import PreferencesDialog, preferences_action
from billing_desktop.ui.domain_words import store_description, user_label_text
from billing_desktop.ui.forms.ui_main_window import Ui_MainWindow
from billing_desktop.ui.help import HelpWindow, page_for, user_guide_action
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.language import area_title
from billing_desktop.ui.resources import app_icon
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.tabs.base import Page
from billing_desktop.ui.tasks import (
    PROGRESS_STEPS,
    TaskHandle,
    TaskRunner,
    progress_value,
    reporting,
)

log = logging.getLogger(__name__)


# Each tab is built as ``build(context, parent)`` when it is first shown, and its modules are
# imported then (B1: not at start). Plain imports in each builder, so PyInstaller sees them.
def _usage_tab(context: TabContext, parent: QWidget) -> Page:
    from billing_desktop.ui.tabs.usage import UsageTab

    return UsageTab(context, parent)


def _billing_units_tab(context: TabContext, parent: QWidget) -> Page:
    from billing_desktop.ui.tabs.billing_units import BillingUnitsTab

    return BillingUnitsTab(context, parent)


def _plans_tab(context: TabContext, parent: QWidget) -> Page:
    from billing_desktop.ui.tabs.plans import PlansTab

    return PlansTab(context, parent)


def _invoices_tab(context: TabContext, parent: QWidget) -> Page:
    from billing_desktop.ui.tabs.invoices import InvoicesTab

    return InvoicesTab(context, parent)


def _usage_data_tab(context: TabContext, parent: QWidget) -> Page:
    from billing_desktop.ui.tabs.usage_data import UsageDataTab

    return UsageDataTab(context, parent)


TAB_CLASSES: dict[Area, Callable[[TabContext, QWidget], Page]] = {
    Area.USAGE: _usage_tab,
    Area.BILLING_UNITS: _billing_units_tab,
    Area.PLANS: _plans_tab,
    Area.INVOICES: _invoices_tab,
    Area.USAGE_DATA: _usage_data_tab,
}

GEOMETRY_KEY = "main_window/geometry"
STATE_KEY = "main_window/state"
LAST_TAB_KEY = "main_window/last_tab"
LAST_FOLDER_KEY = "main_window/last_folder"


# How often the window asks the store whether anything changed elsewhere (another process on
# the same file, another client of the same server); also whenever the window is activated.
POLL_SECONDS = 5.0


def app_settings() -> QSettings:
    """The application's settings (organisation and application "Billing Desktop")."""
    return QSettings(ORGANISATION, APP_NAME)


class MainWindow(QMainWindow):
    """The Billing Desktop window over one store, as one user.

    Signals:
        workspace_loaded(object): a :class:`Workspace` was read and its pages are shown.
        workspace_failed(str): the workspace could not be read (the message is shown).
        store_changed(object): File ▸ New/Open switched to another unit-of-work factory.
        resources_changed(object): a write through the store changed these resources (a
            frozenset of ``store.ports.RESOURCES`` names); emitted on the GUI thread, after
            every page showing them was refreshed or marked stale.
    """

    workspace_loaded = Signal(object)
    workspace_failed = Signal(str)
    store_changed = Signal(object)
    resources_changed = Signal(object)
    # Carries a write's announcement from the worker thread that made it to the GUI thread.
    _announced = Signal(object)

    def __init__(
        self,
        store: Store,
        user_id: str | None = None,
        *,
        month: date | None = None,
        remember: bool = True,
        settings: QSettings | None = None,
        poll_seconds: float = POLL_SECONDS,
        auto_backup: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_MainWindow()
        self.ui.setupUi(self)
        self.store = store
        self._left_stores: list[Store] = []  # stores this window showed before (File ▸ Open)
        self.user_id = user_id
        self.month = month
        self.remember = remember
        self.auto_backup = auto_backup  # the app's daily backup of a local store
        self._settings = settings
        self.workspace: Workspace | None = None
        self.load_error: str | None = None
        self._building_tabs = False
        self._tab_pages: dict[Area, Page] = {}  # the tabs built so far
        self._tab_context: TabContext | None = None  # what a tab not yet built is built with
        self._workspace_handle: TaskHandle | None = None

        self._announced.connect(self._follow_own_changes, Qt.ConnectionType.QueuedConnection)
        self._listen_to(store)
        # Writes made elsewhere: the resource versions last seen, and those moved by this
        # window's own writes since (already followed: taken as they are at the next poll).
        self._versions_seen: dict[str, int] | None = None
        self._own_changes: set[str] = set()
        self._polling = False
        self._poller = TaskRunner(self, max_threads=1)  # never shows the window as busy
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(int(poll_seconds * 1000))
        self._poll_timer.timeout.connect(self.poll_changes)
        if poll_seconds > 0:
            self._poll_timer.start()
            self.workspace_loaded.connect(self.poll_changes)  # the versions to compare with

        self.runner = TaskRunner(self)
        self.runner.busy_changed.connect(self._set_busy)
        self.runner.error.connect(lambda message: self.show_error("Billing Desktop", message))
        from billing_desktop.ui import auto_pay_start  # issue 19 §3: auto-pay at start

        self.workspace_loaded.connect(partial(auto_pay_start.run_at_start, self))

        self._setup_status_bar()
        self._setup_actions()
        from billing_desktop.ui.offline import OfflineControls

        self.offline = OfflineControls(self)
        self.store_changed.connect(lambda _store: self.offline.follow())
        self.ui.tabs.currentChanged.connect(self._tab_changed)
        self.ui.createDemoButton.clicked.connect(self.create_demo)
        self.ui.importCsvButton.clicked.connect(self.open_import_dialog)
        icon = app_icon()
        for label in (self.ui.emptyIcon, self.ui.noAccessIcon):
            label.setPixmap(icon.pixmap(72, 72))  # an empty label when the icon is missing
        for label in (self.ui.emptyTitle, self.ui.noAccessTitle):
            font = label.font()
            font.setPointSizeF(font.pointSizeF() * 1.6)
            font.setBold(True)
            label.setFont(font)

        if remember:
            self._restore_window()
        self.reload()
        self._daily_backup()

    # Settings --------------------------------------------------------------------------

    @property
    def settings(self) -> QSettings:
        if self._settings is None:
            self._settings = app_settings()
        return self._settings

    def _restore_window(self) -> None:
        geometry = self.settings.value(GEOMETRY_KEY)
        if geometry is None or not self.restoreGeometry(geometry):
            self._fit_to_screen()
        state = self.settings.value(STATE_KEY)
        if state is not None:
            self.restoreState(state)

    def _fit_to_screen(self) -> None:
        """First start: the form's size, but never larger than 90% of the screen."""
        screen = self.screen()
        if screen is None:
            return
        available = screen.availableGeometry()
        self.resize(
            min(self.width(), int(available.width() * 0.9)),
            min(self.height(), int(available.height() * 0.9)),
        )

    def save_window(self) -> None:
        if not self.remember:
            return
        self.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self.settings.setValue(STATE_KEY, self.saveState())
        area = self.current_area
        if area is not None:
            self.settings.setValue(LAST_TAB_KEY, area.value)
        self.settings.sync()

    # Status bar and actions ------------------------------------------------------------

    def _setup_status_bar(self) -> None:
        bar = self.ui.statusbar
        self.store_label = QLabel(self)
        self.store_label.setObjectName("storeLabel")
        self.user_label = QLabel(self)
        self.user_label.setObjectName("userLabel")
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setObjectName("busyBar")
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumWidth(120)
        self.busy_bar.setMaximumHeight(14)
        self.busy_bar.setToolTip(tr("Working with the store…"))
        self.busy_bar.hide()
        # Cancels the long task under way (an import, the demo): the work itself stops at its
        # next step and writes nothing.
        self.task_cancel = QPushButton(tr("Cancel"), self)
        self.task_cancel.setObjectName("taskCancel")
        self.task_cancel.setToolTip(tr("Stop this task; nothing of it is written"))
        self.task_cancel.clicked.connect(self.cancel_long_task)
        self.task_cancel.hide()
        self._long_task: TaskHandle | None = None
        # A long store path must not set the window's minimum width: it elides instead.
        self.store_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bar.addWidget(self.user_label)
        bar.addWidget(self.store_label, 1)
        bar.addPermanentWidget(self.busy_bar)
        bar.addPermanentWidget(self.task_cancel)
        self._set_store_label()

    def _start_long_task(self, handle: TaskHandle, cancellable: bool = True) -> None:
        """Show ``handle``'s progress in the status bar (and Cancel, when it can stop)."""
        self._long_task = handle
        self.task_cancel.setVisible(cancellable)
        self.task_cancel.setEnabled(True)

    def _long_task_progress(self, text: str, progress: Progress) -> None:
        value = progress_value(progress)
        if value is not None:
            self.busy_bar.setRange(0, PROGRESS_STEPS)
            self.busy_bar.setValue(value)
        self.statusBar().showMessage(f"{text} {translate_message(progress.text)}".strip())

    def _end_long_task(self) -> None:
        self._long_task = None
        self.task_cancel.hide()
        self.busy_bar.setRange(0, 0)

    def cancel_long_task(self) -> None:
        """Stop the long task under way at its next step; its error says it was cancelled."""
        if self._long_task is not None and self._long_task.state is not None:
            self._long_task.state.cancel()
            self.task_cancel.setEnabled(False)
            self.statusBar().showMessage(tr("Cancelling…"))

    def _set_store_label(self) -> None:
        description = store_description(self.store.description)
        self.store_label.setText(description)
        self.store_label.setToolTip(description)
        local = self.store_path is not None
        for action in (self.ui.actionBackUpNow, self.ui.actionRestoreBackup):
            action.setEnabled(local)

    @property
    def store_path(self) -> Path | None:
        """The file of a local SQLite store (None for a database server or a remote store)."""
        path = getattr(self.store, "path", None)
        return path if isinstance(path, Path) else None

    def _setup_actions(self) -> None:
        ui = self.ui
        ui.actionNewStore.triggered.connect(self.choose_new_store)
        ui.actionOpenStore.triggered.connect(self.choose_store)
        ui.actionConnectServer.triggered.connect(self.choose_server)
        ui.actionImport.triggered.connect(self.open_import_dialog)
        ui.actionBackUpNow.triggered.connect(self.back_up_now)
        ui.actionRestoreBackup.triggered.connect(self.restore_from_backup)
        self.backups_dialog: QWidget | None = None
        self.problem_dialog: QWidget | None = None
        ui.actionQuit.triggered.connect(self.close)
        ui.actionRefresh.triggered.connect(self.refresh)
        ui.actionAbout.triggered.connect(self.show_about)
        self.theme_menu = theme.theme_menu(self, self.settings)  # View ▸ Theme (issue 22)
        ui.menuView.addMenu(self.theme_menu)
        self.preferences_action = preferences_action(self)  # Ctrl+, (issue 22)
        ui.menuFile.insertAction(ui.actionQuit, self.preferences_action)
        self.preferences_action.triggered.connect(self.open_preferences)
        self.user_guide_action = user_guide_action(self)  # Help ▸ User guide, F1 (issue 22)
        ui.menuHelp.insertAction(ui.actionAbout, self.user_guide_action)
        self.user_guide_action.triggered.connect(lambda: self.open_help(self.current_area))
        self.help_window: HelpWindow | None = None
        ui.actionPrintStatement.triggered.connect(self.print_statement)
        ui.actionSaveStatements.triggered.connect(self.save_statements)
        self.statements_dialog: QWidget | None = None
        # File ▸ Export month-end bundle… (issue 23), after the statements.
        self.action_export_bundle = QAction(tr("Export &month-end bundle…"), self)
        self.action_export_bundle.setObjectName("actionExportBundle")
        file_actions = ui.menuFile.actions()
        after = file_actions[file_actions.index(ui.actionSaveStatements) + 1]
        ui.menuFile.insertAction(after, self.action_export_bundle)
        self.action_export_bundle.triggered.connect(self.export_bundle)
        self._set_statement_actions(None)
        # View ▸ Activity report (issue 18 §4): for those who may edit Usage.
        self.activity_action = QAction(tr("&Activity report…"), self)
        self.activity_action.setObjectName("actionActivityReport")
        self.activity_action.setShortcut("Ctrl+Shift+A")
        self.activity_action.setEnabled(False)
        self.activity_action.triggered.connect(self.open_activity_report)
        ui.menuView.insertAction(ui.actionRefresh, self.activity_action)
        self.activity_dialog: QWidget | None = None
        self._setup_account_action()
        self.goto_actions: list[QAction] = [
            ui.actionGoToTab1,
            ui.actionGoToTab2,
            ui.actionGoToTab3,
            ui.actionGoToTab4,
            ui.actionGoToTab5,
        ]
        for index, action in enumerate(self.goto_actions):
            action.triggered.connect(partial(self.go_to_tab, index))
            action.setVisible(False)

    def _lock_store_actions(self, locked: bool) -> None:
        """While a store-changing operation runs, nothing else may change or reload it."""
        for action in (
            self.ui.actionNewStore,
            self.ui.actionOpenStore,
            self.ui.actionConnectServer,
            self.ui.actionImport,
            self.ui.actionRefresh,
        ):
            action.setEnabled(not locked)
        local = self.store_path is not None
        for action in (self.ui.actionBackUpNow, self.ui.actionRestoreBackup):
            action.setEnabled(local and not locked)
        self.ui.createDemoButton.setEnabled(not locked)
        self.ui.importCsvButton.setEnabled(not locked)

    def _set_busy(self, busy: bool) -> None:
        self.busy_bar.setVisible(busy)

    # Loading the workspace -------------------------------------------------------------

    def reload(self) -> None:
        """Read who is acting and what they may see; then show the matching page."""
        if self.offline.starting():  # a remote store's copy comes first
            return
        if self._workspace_handle is not None:
            self._workspace_handle.cancel()
        self._show_loading(tr("Opening the store…"))
        self._workspace_handle = self.runner.run(
            partial(read, self.store, overview.workspace, self.user_id),
            on_done=self._workspace_ready,
            on_error=self._workspace_error,
            description="open the workspace",
        )

    def _show_loading(self, message: str) -> None:
        self.ui.loadingLabel.setText(message)
        self.ui.pages.setCurrentWidget(self.ui.loadingPage)

    def _workspace_ready(self, workspace: Workspace) -> None:
        self._workspace_handle = None
        self.workspace = workspace
        self.load_error = None
        self._clear_tabs()
        account = workspace.account
        self.setWindowTitle(f"{APP_NAME} — {account.name}" if account else APP_NAME)
        self._set_store_label()
        self.user_label.setText(
            tr("User: {user_label}").format(user_label=user_label_text(workspace.user_label))
        )
        self.user_label.setVisible(True)
        can_edit = any(workspace.actor.rights.can_edit(area) for area in Area)
        self.ui.actionImport.setEnabled(workspace.empty or can_edit)
        self._set_statement_actions(workspace)
        self.activity_action.setEnabled(workspace.actor.rights.can_edit(Area.USAGE))
        self._set_account_action(workspace)
        if workspace.empty:
            self.ui.pages.setCurrentWidget(self.ui.emptyPage)
        elif not workspace.areas:
            self._show_no_access(
                tr("No billing access"),
                tr(
                    "{name} has no billing rights in this workspace. Ask an account admin for a "
                    "role or an access group with billing rights."
                ).format(name=workspace.actor.name),
            )
        else:
            self._build_tabs(workspace)
            self.ui.pages.setCurrentWidget(self.ui.workspacePage)
        self.workspace_loaded.emit(workspace)

    def _workspace_error(self, message: str) -> None:
        self._workspace_handle = None
        self.workspace = None
        self.load_error = message
        self._set_statement_actions(None)
        self._set_account_action(None)
        self._clear_tabs()
        self.setWindowTitle(APP_NAME)
        self.user_label.setText("")
        self.user_label.setVisible(False)  # no blank gap before the store's name
        self._show_no_access(tr("Cannot open this workspace"), message)
        self.workspace_failed.emit(message)

    def _show_no_access(self, title: str, text: str) -> None:
        self.ui.noAccessTitle.setText(title)
        self.ui.noAccessText.setText(text)
        self.ui.pages.setCurrentWidget(self.ui.noAccessPage)

    def _clear_tabs(self) -> None:
        self._building_tabs = True
        try:
            for page in self._tab_pages.values():
                page.cancel()
            while self.ui.tabs.count():
                widget = self.ui.tabs.widget(0)
                self.ui.tabs.removeTab(0)
                if widget is not None:
                    widget.deleteLater()
            self._tab_pages.clear()
            self._tab_context = None
        finally:
            self._building_tabs = False
        for action in self.goto_actions:
            action.setVisible(False)

    def _build_tabs(self, workspace: Workspace) -> None:
        """One tab per area, in order; only the one shown is built now, each other one when it
        is first shown (or asked for by ``tab_pages``/``select_area``)."""
        self._tab_context = TabContext(
            self.store, workspace, self.runner, self.month, self.remember
        )
        last = self.settings.value(LAST_TAB_KEY) if self.remember else None
        wanted = next((a for a in workspace.areas if a.value == last), workspace.areas[0])
        self._building_tabs = True
        try:
            for index, area in enumerate(workspace.areas):
                placeholder = QWidget(self.ui.tabs)
                placeholder.setObjectName(f"unbuilt_{area.value}")
                self.ui.tabs.addTab(placeholder, area_title(area))
                if index < len(self.goto_actions):
                    action = self.goto_actions[index]
                    action.setText(f"&{index + 1} {area_title(area)}")
                    action.setVisible(True)
            self._page_for(wanted)
            self.ui.tabs.setCurrentIndex(workspace.areas.index(wanted))
        finally:
            self._building_tabs = False
        self._tab_changed(self.ui.tabs.currentIndex())

    def _page_for(self, area: Area) -> Page:
        """The page of ``area``'s tab, built in its place now if it was not yet."""
        page = self._tab_pages.get(area)
        if page is not None:
            return page
        assert self.workspace is not None and self._tab_context is not None
        index = self.workspace.areas.index(area)
        tabs = self.ui.tabs
        shown = tabs.currentWidget()
        placeholder = tabs.widget(index)
        page = TAB_CLASSES[area](self._tab_context, tabs)
        self._tab_pages[area] = page
        building, self._building_tabs = self._building_tabs, True
        try:
            tabs.removeTab(index)
            tabs.insertTab(index, page, area_title(area))
            tabs.setCurrentWidget(page if shown is placeholder else shown)
        finally:
            self._building_tabs = building
        if placeholder is not None:
            placeholder.deleteLater()
        return page

    # Tabs ------------------------------------------------------------------------------

    @property
    def tab_titles(self) -> list[str]:
        return [self.ui.tabs.tabText(i) for i in range(self.ui.tabs.count())]

    @property
    def tab_pages(self) -> dict[Area, Page]:
        """Every tab's page, in tab order, building those not shown yet."""
        areas = self.workspace.areas if self._tab_context is not None and self.workspace else []
        return {area: self._page_for(area) for area in areas}

    @property
    def built_tab_pages(self) -> dict[Area, Page]:
        """The tabs' pages built so far (a tab is built when first shown)."""
        return dict(self._tab_pages)

    @property
    def current_area(self) -> Area | None:
        page = self.ui.tabs.currentWidget()
        return page.area if isinstance(page, Page) else None

    @property
    def current_page_name(self) -> str:
        """ "workspace", "empty", "no_access" or "loading" (the stacked page shown)."""
        shown = self.ui.pages.currentWidget()
        names = {
            "workspacePage": "workspace",
            "emptyPage": "empty",
            "noAccessPage": "no_access",
            "loadingPage": "loading",
        }
        return names.get(shown.objectName() if shown is not None else "", "loading")

    def go_to_tab(self, index: int) -> None:
        if 0 <= index < self.ui.tabs.count():
            self.ui.tabs.setCurrentIndex(index)
            page = self.ui.tabs.currentWidget()
            if page is not None:
                page.setFocus()

    def select_area(self, area: Area) -> Page:
        if area not in self._tab_pages and (
            self.workspace is None or area not in self.workspace.areas
        ):
            raise KeyError(area)
        page = self._page_for(area)
        self.ui.tabs.setCurrentWidget(page)
        return page

    def _tab_changed(self, index: int) -> None:
        if self._building_tabs or index < 0:
            return
        page = self.ui.tabs.widget(index)
        if not isinstance(page, Page) and self.workspace and self._tab_context is not None:
            page = self._page_for(self.workspace.areas[index])
        if isinstance(page, Page):
            page.ensure_loaded()
            if self.remember:
                self.settings.setValue(LAST_TAB_KEY, page.area.value)

    def refresh(self) -> None:
        """F5: re-read the tab shown (the others reload when next shown), or the workspace."""
        page = self.ui.tabs.currentWidget()
        if self.ui.pages.currentWidget() is self.ui.workspacePage and isinstance(page, Page):
            for other in self._tab_pages.values():
                if other is not page:
                    other.mark_stale()
            page.refresh()
        else:
            self.reload()

    # Store switching -------------------------------------------------------------------

    def _last_folder(self) -> str:
        folder = self.settings.value(LAST_FOLDER_KEY) if self.remember else None
        return str(folder) if folder else str(Path.home())

    def _remember_folder(self, path: Path) -> None:
        if self.remember:
            self.settings.setValue(LAST_FOLDER_KEY, str(path.parent))

    def choose_new_store(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            tr("New local store"),
            str(Path(self._last_folder()) / "billing.db"),
            tr("Billing stores (*.db);;All files (*)"),
        )
        if not chosen:
            return
        path = Path(chosen)
        if not path.suffix:
            path = path.with_suffix(".db")
        if path.exists() and path.stat().st_size > 0:
            self.show_error(
                tr("New local store"),
                tr(
                    "{path} already exists. Use File ▸ Open store… to open it, or choose a new "
                    "file name."
                ).format(path=path),
            )
            return
        self.open_location(str(path), create=True)

    def choose_store(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, tr("Open store"), self._last_folder(), tr("Billing stores (*.db);;All files (*)")
        )
        if chosen:
            self.open_location(chosen)

    def open_help(self, area: Area | None = None) -> HelpWindow:
        """The user guide at ``area``'s page (the overview for None)."""
        if self.help_window is None:
            self.help_window = HelpWindow(self)
        self.help_window.show_page(page_for(area))
        self.help_window.show()
        self.help_window.activateWindow()
        return self.help_window

    def open_preferences(self) -> PreferencesDialog:
        dialog = PreferencesDialog(self.settings, self.store_path, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.connect_requested.connect(self.choose_server)
        dialog.open()
        return dialog

    def choose_server(self) -> None:
        from billing_desktop.ui.dialogs.connect_server import ConnectServerDialog

        dialog = ConnectServerDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.connect_server(dialog.url, dialog.token))
        dialog.open()

    def connect_server(self, url: str, token: str) -> None:
        """Sign in to the server at ``url`` (off the GUI thread) and switch to its workspace."""
        from billing_desktop.ui.dialogs.connect_server import connect

        self._show_loading(tr("Connecting to {url}…").format(url=url))
        self._lock_store_actions(True)
        self.runner.run(
            connect,
            url,
            token,
            on_done=lambda store: self._switch_store(store, None),
            on_error=self._connect_failed,
            description="connect to a server",
        )

    def signed_out(self) -> None:
        """File ▸ Sign out deleted the replica and the token (ui/offline.py)."""
        self.workspace = None
        self._clear_tabs()
        self.setWindowTitle(APP_NAME)
        self.user_label.setText("")
        self._show_no_access(
            tr("Signed out"),
            tr(
                "This machine's copy of the workspace and the token were deleted. Connect "
                "again with File ▸ Connect to server…, or open a local store."
            ),
        )

    def _connect_failed(self, message: str) -> None:
        self._lock_store_actions(False)
        self.show_error(tr("Cannot connect to the server"), message, critical=True)
        self._restore_page()

    def open_location(self, location: str, create: bool = False) -> None:
        """Open (upgrading as needed) the store at ``location`` and switch to it; a missing or
        empty file becomes a new store only with ``create`` (File ▸ New local store…)."""
        from billing_desktop.bootstrap import open_store
        from billing_desktop.store.sql.safety import StoreDamaged

        def opening(location: str) -> Any:
            try:
                return open_store(location, create=create)
            except StoreDamaged as damaged:  # moved aside: offer a restore, not only a message
                return damaged

        self._show_loading(tr("Opening {location}…").format(location=location))
        self._lock_store_actions(True)
        self.runner.run(
            opening,
            location,
            on_done=lambda store: self._opened(store, Path(location)),
            on_error=self._open_failed,
            description="open a store",
        )

    def _opened(self, store: Any, path: Path) -> None:
        from billing_desktop.store.sql.safety import StoreDamaged
        from billing_desktop.ui.dialogs.backups import StoreProblemDialog

        if not isinstance(store, StoreDamaged):
            self._switch_store(store, path)
            return
        self._lock_store_actions(False)
        self._restore_page()
        message = (
            tr(
                "{path} failed its integrity check ({removeprefix}).\n\nIt was moved aside to "
                "{moved_to}."
            ).format(
                path=store.path,
                removeprefix=store.detail.removeprefix("integrity check: "),
                moved_to=store.moved_to,
            )
            if store.moved_to is not None
            else str(store)
        )
        dialog = StoreProblemDialog(store.path, message, damaged=True, in_app=True, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._switch_store(dialog.store, store.path))
        self.problem_dialog = dialog
        dialog.open()

    def _open_failed(self, message: str) -> None:
        self._lock_store_actions(False)
        self.show_error(tr("Cannot open the store"), message, critical=True)
        self._restore_page()

    def _restore_page(self) -> None:
        if self.workspace is None:
            self.reload()
        elif self.workspace.empty:
            self.ui.pages.setCurrentWidget(self.ui.emptyPage)
        elif self.workspace.areas:
            self.ui.pages.setCurrentWidget(self.ui.workspacePage)
        else:
            self.ui.pages.setCurrentWidget(self.ui.noAccessPage)

    # Every open view follows every write -----------------------------------------------

    def _listen_to(self, store: Store) -> None:
        store.add_write_listener(self._announced.emit)

    def _stop_listening(self, store: Store) -> None:
        store.remove_write_listener(self._announced.emit)

    def _follow_own_changes(self, resources: frozenset[str]) -> None:
        self._own_changes |= resources
        self._follow_changes(resources)

    def poll_changes(self) -> None:
        """Ask the store (off the GUI thread) whether a resource moved on since last seen."""
        if self._polling or self.workspace is None or self.workspace.empty:
            return
        self._polling = True
        self._poller.run(
            partial(read, self.store, overview.change_versions, self.workspace.actor),
            on_done=self._versions_read,
            on_error=self._poll_failed,
            description="look for changes",
        )

    def _poll_failed(self, _message: str) -> None:
        self._polling = False  # unreachable for now: the next poll tries again

    def _versions_read(self, versions: dict[str, int]) -> None:
        self._polling = False
        seen, self._versions_seen = self._versions_seen, dict(versions)
        own, self._own_changes = self._own_changes, set()
        if seen is None:
            return
        moved = {r for r in versions.keys() | seen.keys() if versions.get(r) != seen.get(r)}
        moved = (moved - own) & RESOURCES
        if moved:
            self._follow_changes(frozenset(moved))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.poll_changes()

    def _follow_changes(self, resources: frozenset[str]) -> None:
        """A write changed ``resources``: the tab shown reloads what shows them, every other
        page that shows them reloads when next shown."""
        current = self.ui.tabs.currentWidget()
        for page in self._tab_pages.values():
            page.follow_changes(resources, shown=page is current and self.isVisible())
        self.resources_changed.emit(resources)

    def _switch_store(self, store: Store, path: Path | None) -> None:
        self._lock_store_actions(False)
        if path is not None:
            self._remember_folder(path)
        self._stop_listening(self.store)
        self._listen_to(store)
        self._versions_seen = None
        if store is not self.store:  # closed with the window, when no task can still use it
            self._left_stores.append(self.store)
        self.store = store
        self._set_store_label()
        self.store_changed.emit(store)
        self.reload()
        self._daily_backup()

    # Backups ---------------------------------------------------------------------------

    def _daily_backup(self) -> None:
        """Once a day, when the app opens a local store: a backup beside it (rotated)."""
        from billing_desktop.store.sql.backups import daily_backup

        path = self.store_path
        if not self.auto_backup or path is None:
            return
        self.runner.run(
            reporting(daily_backup, path),
            with_state=True,
            on_done=self._daily_backup_done,
            on_error=lambda message: self.show_error(tr("Daily backup"), message),
            on_state_progress=lambda step: self.statusBar().showMessage(
                tr("Daily backup… {text}").format(text=translate_message(step.text))
            ),
            description="daily backup",
        )

    def _daily_backup_done(self, written: Path | None) -> None:
        if written is not None:
            self.statusBar().showMessage(
                tr("Daily backup saved: {name}").format(name=written.name), 10_000
            )

    def back_up_now(self) -> None:
        """File ▸ Back up now…: a consistent copy, by default into the store's backups."""
        from billing_desktop.store.sql.backups import backup_folder, backup_path

        path = self.store_path
        if path is None:
            return
        folder = backup_folder(path)
        try:
            folder.mkdir(exist_ok=True)
        except OSError:
            folder = path.parent
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            tr("Back up now"),
            str(folder / backup_path(path, "manual").name),
            tr("Billing stores (*.db);;All files (*)"),
        )
        if not chosen:
            return
        target = Path(chosen)
        if target.resolve() == path.resolve():
            self.show_error(tr("Back up now"), tr("Choose another file than the store itself."))
            return
        self._lock_store_actions(True)
        self.statusBar().showMessage(tr("Backing up to {name}…").format(name=target.name))
        text = tr("Backing up to {name}…").format(name=target.name)
        self.runner.run(
            reporting(self.store.backup, "manual", out=target),  # type: ignore[attr-defined]
            with_state=True,
            on_done=self._backup_done,
            on_error=self._backup_failed,
            on_state_progress=lambda step: self._long_task_progress(text, step),
            description="back up the store",
        )

    def _backup_done(self, written: Path) -> None:
        from billing_desktop.store.sql.backups import human_size

        self._end_long_task()
        self._lock_store_actions(False)
        size = human_size(written.stat().st_size)
        self.statusBar().showMessage(
            tr("Backed up to {name} ({size})").format(name=written.name, size=size), 10_000
        )
        self.show_info(
            tr("Back up now"),
            tr("The store was backed up to\n{written}\n({size}).").format(
                written=written, size=size
            ),
        )

    def _backup_failed(self, message: str) -> None:
        self._end_long_task()
        self._lock_store_actions(False)
        self.statusBar().clearMessage()
        self.show_error(tr("Back up now"), message, critical=True)

    def restore_from_backup(self) -> None:
        """File ▸ Restore from backup…: choose one of the store's backups (or a file)."""
        from billing_desktop.ui.dialogs.backups import BackupsDialog

        path = self.store_path
        if path is None:
            return
        dialog = BackupsDialog(path, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.restore(path, dialog.chosen))
        self.backups_dialog = dialog
        dialog.open()

    def restore(self, path: Path, backup: Path | None) -> None:
        """Replace the store at ``path`` by ``backup`` off the GUI thread, then reopen it."""
        from billing_desktop.ui.dialogs.backups import restore_and_open

        if backup is None:
            return
        if self._workspace_handle is not None:
            self._workspace_handle.cancel()
        self._clear_tabs()
        self._lock_store_actions(True)
        self._show_loading(tr("Restoring {name}…").format(name=backup.name))
        self.store.close()
        self.runner.run(
            restore_and_open,
            path,
            backup,
            with_state=True,
            on_done=lambda store: self._restored(store, backup),
            on_error=self._restore_failed,
            on_state_progress=lambda step: self.ui.loadingLabel.setText(
                translate_message(step.text)
            ),
            description="restore a backup",
        )

    def _restored(self, store: Store, backup: Path) -> None:
        self._switch_store(store, None)
        self.statusBar().showMessage(tr("Restored from {name}").format(name=backup.name), 10_000)

    def _restore_failed(self, message: str) -> None:
        self._lock_store_actions(False)
        self.show_error(tr("Restore from backup"), message, critical=True)
        self.reload()

    # Statements ------------------------------------------------------------------------

    def _set_statement_actions(self, workspace: Workspace | None) -> None:
        """Statements are for whoever may see invoices, once there is an account."""
        allowed = (
            workspace is not None
            and workspace.account is not None
            and workspace.actor.rights.can_view(Area.INVOICES)
        )
        for action in (self.ui.actionPrintStatement, self.ui.actionSaveStatements):
            action.setEnabled(allowed)
        self.action_export_bundle.setEnabled(allowed)

    def export_bundle(self) -> None:
        """File ▸ Export month-end bundle…: a closed month's documents in one folder."""
        if self.workspace is None or not self.action_export_bundle.isEnabled():
            return
        from billing_desktop.ui.dialogs.month_end_bundle import MonthEndBundleDialog

        context = TabContext(self.store, self.workspace, self.runner, self.month)
        dialog = MonthEndBundleDialog(context, self, folder=Path(self._last_folder()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.statements_dialog = dialog
        dialog.open()

    def print_statement(self) -> None:
        """File ▸ Print statement… (Ctrl+P): choose months, then preview and print."""
        self._open_statements("print")

    def save_statements(self) -> None:
        """File ▸ Save statements as PDF…: choose months and a folder."""
        self._open_statements("save")

    def _open_statements(self, mode: str) -> None:
        if self.workspace is None or not self.ui.actionPrintStatement.isEnabled():
            return
        from billing_desktop.ui.dialogs.batch_statements import StatementsDialog

        context = TabContext(self.store, self.workspace, self.runner, self.month)
        dialog = StatementsDialog(context, self, mode=mode, folder=Path(self._last_folder()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.statements_dialog = dialog
        dialog.open()

    def open_activity_report(self) -> QWidget | None:
        """View ▸ Activity report…: the audit log in a window of its own (one at a time)."""
        if self.workspace is None or not self.activity_action.isEnabled():
            return None
        if self.activity_dialog is not None:
            self.activity_dialog.raise_()
            self.activity_dialog.activateWindow()
            return self.activity_dialog
        from billing_desktop.ui.dialogs.activity import ActivityDialog

        context = TabContext(self.store, self.workspace, self.runner, self.month)
        dialog = ActivityDialog(context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resources_changed.connect(dialog.follow_changes)
        dialog.destroyed.connect(lambda: setattr(self, "activity_dialog", None))
        self.activity_dialog = dialog
        dialog.show()
        return dialog

    # My account (issue 19) -------------------------------------------------------------

    def _setup_account_action(self) -> None:
        self.account_action = QAction(tr("My &account…"), self)
        self.account_action.setObjectName("actionMyAccount")
        self.account_action.setStatusTip(tr("The account's details and its payment methods"))
        self.ui.menuFile.insertAction(self.ui.actionImport, self.account_action)
        self.account_action.triggered.connect(self.open_account)
        self.account_dialog: QWidget | None = None
        self._set_account_action(None)

    def _set_account_action(self, workspace: Workspace | None) -> None:
        """My account is for whoever may view Usage, once there is an account."""
        self.account_action.setEnabled(
            workspace is not None
            and workspace.account is not None
            and workspace.actor.rights.can_view(Area.USAGE)
        )

    def open_account(self, page: int = 0) -> None:
        if self.workspace is None or not self.account_action.isEnabled():
            return
        from billing_desktop.ui.dialogs.account import AccountDialog

        dialog = AccountDialog(self.store, self.runner, self.workspace.actor, self, page=page)
        dialog.account_changed.connect(self.reload)
        self.account_dialog = dialog
        dialog.open()

    # Import and demo -------------------------------------------------------------------

    def open_import_dialog(self) -> None:
        try:
            from billing_desktop.services.imports import KINDS
        except ImportError:
            self.show_error(tr("Import"), tr("Importing is not available in this version."))
            return
        from billing_desktop.ui.dialogs.import_dialog import ImportDialog

        first = "account" if self.workspace is not None and self.workspace.empty else None
        dialog = ImportDialog(KINDS, self, kind=first, folder=Path(self._last_folder()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.run_import(dialog.kind, dialog.path))
        dialog.open()

    def run_import(self, kind: str, path: Path) -> None:
        from billing_desktop.services.imports import import_file

        self._remember_folder(path)
        self.statusBar().showMessage(tr("Importing {name}…").format(name=path.name))
        self._lock_store_actions(True)
        user_id = self.workspace.actor.user_id if self.workspace else self.user_id
        remote_import = getattr(self.store, "import_csv", None)
        text = tr("Importing {name}…").format(name=path.name)
        handle = self.runner.run(
            remote_import or partial(import_file, self.store, user_id=user_id),  # type: ignore[arg-type]
            kind,
            path,
            with_state=True,
            on_done=self._import_done,
            on_error=lambda message: self._import_failed(path, message),
            on_state_progress=lambda step: self._long_task_progress(text, step),
            description=f"import {kind}",
        )
        self._start_long_task(handle)

    def _import_done(self, report: Any) -> None:
        self._end_long_task()
        self._lock_store_actions(False)
        summary = translate_message(report.summary() if hasattr(report, "summary") else str(report))
        self.statusBar().showMessage(summary.splitlines()[0] if summary else "", 10_000)
        self.show_info(tr("Import finished"), summary)
        self.reload()

    def _import_failed(self, path: Path, message: str) -> None:
        self._end_long_task()
        self._lock_store_actions(False)
        self.statusBar().clearMessage()
        if message.endswith(CANCELLED_SUFFIX):  # the user's own Cancel: no alarm
            self.statusBar().showMessage(
                tr("Import of {name} cancelled; nothing was imported").format(name=path.name)
            )
            return
        self.show_error(
            tr("Import failed"),
            tr("{name}: nothing was imported.\n\n{message}").format(
                name=path.name, message=message
            ),
        )

    def create_demo(self) -> None:
        """Fill the (empty) store with the demo workspace, showing progress, then reload."""
        from billing_desktop.services.demo import build_demo

        self._lock_store_actions(True)
        self._show_loading(tr("Creating the demo workspace…"))
        handle = self.runner.run(
            partial(build_demo, user_id=None),
            self.store,
            with_state=True,
            on_done=self._demo_done,
            on_error=self._demo_failed,
            on_state_progress=self._demo_progress,
            description="create the demo workspace",
        )
        self._start_long_task(handle)

    def _demo_progress(self, step: Progress) -> None:
        self._long_task_progress(tr("Creating the demo workspace…"), step)
        self.ui.loadingLabel.setText(
            tr("Creating the demo workspace…\n{text}").format(text=translate_message(step.text))
        )

    def _demo_done(self, report: Any) -> None:
        self._end_long_task()
        self._lock_store_actions(False)
        summary = translate_message(report.summary() if hasattr(report, "summary") else "")
        if summary:
            self.statusBar().showMessage(summary.splitlines()[0], 10_000)
        self.reload()

    def _demo_failed(self, message: str) -> None:
        self._end_long_task()
        self._lock_store_actions(False)
        if message.endswith(CANCELLED_SUFFIX):
            self.statusBar().showMessage(
                tr("Demo workspace cancelled; nothing was written"), 10_000
            )
            self.reload()
            return
        self.show_error(tr("Demo workspace"), message)
        self.reload()

    # Messages --------------------------------------------------------------------------

    def show_error(self, title: str, message: str, critical: bool = False) -> None:
        """A window-modal message that does not block the event loop."""
        icon = QMessageBox.Icon.Critical if critical else QMessageBox.Icon.Warning
        self._message(icon, title, message)

    def show_info(self, title: str, message: str) -> None:
        self._message(QMessageBox.Icon.Information, title, message)

    def _message(self, icon: QMessageBox.Icon, title: str, message: str) -> None:
        text = translate_message(message)  # a service's English message, in the GUI's language
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def show_about(self) -> None:
        self.show_info(
            tr("About {APP_NAME}").format(APP_NAME=APP_NAME),
            tr(
                "{APP_NAME} {version__}\n\nBilling administration for contact-centre and "
                "conversational-AI workspaces: usage, billing units, plans, invoices and "
                "usage data, on a local store that works offline."
            ).format(APP_NAME=APP_NAME, version__=__version__),
        )

    # Closing ---------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop_listening(self.store)
        self._poll_timer.stop()
        self.save_window()
        self._poller.shutdown()
        self.runner.shutdown()
        # Once no work runs on it: a local store's WAL goes back into its file, so the file is
        # whole on its own and its next open needs no second check (safety.file_stamp).
        for store in (*self._left_stores, self.store):
            store.close()
        self._left_stores.clear()
        super().closeEvent(event)
