"""View ▸ Activity report (issue 18 §4): the audit log, newest first, paged from SQL.

A window of its own beside the tabs (not a section of Invoices): the log covers every tab —
credits, billing units, plans, quotas, imports, month closes — and an accountant keeps it open
while working in them. Who, when (in the account's time zone), from where (Desktop, Server,
Import, Sync), the kind of change, the object and the change as before → after; filters by
date range, user, kind and object. The table is a :class:`WindowedTableModel`: every row of the
query is a row from the start and only the pages looked at are read, so a year of activity
opens at once. The chain is checked when the window opens and after every change; its state
shows above the table ("Chain verified: 1,204 audit rows" or where it breaks). Export saves
what the filters show as CSV, an Excel workbook or a PDF (with the chain's state), off the GUI
thread with progress and Cancel. The window follows every write (``MainWindow
.resources_changed``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.errors import InvalidInput
from billing_desktop.services.activity import (
    ActivityChoices,
    ActivityLine,
    ActivityQuery,
    ActivityStart,
    ChainReport,
    activity_page,
    activity_start,
    all_lines,
    filters_text,
    verify_audit_chain,
)
from billing_desktop.services.task_state import Cancelled, TaskState
from billing_desktop.ui.context import TabContext, read
from billing_desktop.ui.i18n import ntr, tr
from billing_desktop.ui.models.paged import PAGE_SIZE, WindowedTableModel
from billing_desktop.ui.models.table import Column
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.tasks import TaskHandle, progress_value
from billing_desktop.ui.widgets.table import make_table

ALL = ""
OK_STYLE = "QLabel#chainLabel { color: #166534; font-weight: bold; }"
BROKEN_STYLE = "QLabel#chainLabel { color: #c01c28; font-weight: bold; }"
ERROR_STYLE = "QLabel#statusLabel { color: #c01c28; }"
BROKEN = QColor("#c01c28")
CHANGE = 5  # the column taking the spare width
EXPORT_FILTERS = {
    "csv": tr("CSV files (*.csv)"),
    "xlsx": tr("Excel workbooks (*.xlsx)"),
    "pdf": tr("PDF documents (*.pdf)"),
}


def activity_columns(
    broken: Callable[[], int | None] = lambda: None,
) -> list[Column[ActivityLine]]:
    """The report's columns; the row ``broken()`` names (where the chain breaks) is red."""

    def colour(row: ActivityLine) -> QColor | None:
        return BROKEN if row.id == broken() else None

    def column(title: str, text: Callable[[ActivityLine], str], **kwargs: Any) -> Column[Any]:
        return Column(title, text, raw=text, foreground=colour, **kwargs)

    return [
        column(
            tr("When"),
            lambda r: r.at.strftime("%Y-%m-%d %H:%M:%S"),
            tooltip=tr("In the account's time zone"),
            cell_tooltip=lambda r: r.at.isoformat(),
        ),
        column(tr("User"), lambda r: r.user_label),
        column(tr("Source"), lambda r: r.source, tooltip=tr("Where the change was made")),
        column(tr("Kind of change"), lambda r: r.kind),
        column(tr("Object"), lambda r: r.object),
        column(
            tr("Change (before → after)"),
            lambda r: r.change,
            cell_tooltip=lambda r: r.change or None,
        ),
    ]


def save_report(
    context: TabContext,
    query: ActivityQuery,
    total: int,
    path: Path,
    chain: ChainReport | None,
    state: TaskState,
) -> str:
    """Worker thread: read every line of ``query`` page by page, then save it by suffix."""
    from billing_desktop.reports.activity import save_activity  # reportlab: only now
    from billing_desktop.reports.layout import RenderCancelled, RenderHooks

    store, actor = context.store, context.actor
    lines: list[ActivityLine] = []
    for chunk in all_lines(
        lambda offset, limit: read(store, activity_page, actor, query, offset, limit),
        total,
        state,
    ):
        lines.extend(chunk)
    state.check("the export")
    account = context.account.name if context.account else ""
    hooks = RenderHooks(cancelled=state.cancelled)
    try:
        count = save_activity(
            path, lines, account=account, filters=filters_text(query), chain=chain, hooks=hooks
        )
    except RenderCancelled:
        raise Cancelled("the export was cancelled; nothing was written") from None
    except OSError as exc:
        raise InvalidInput(
            tr("{path}: cannot write it ({error})").format(path=path, error=exc.strerror or exc)
        ) from None
    return ntr("{count:,} row saved to {path}.", "{count:,} rows saved to {path}.", count).format(
        count=count, path=path
    )


class ActivityDialog(QDialog):
    """The activity report window.

    Signals:
        loaded(): the count, first page and filter choices of the current query are shown.
        verified(object): the chain was checked (a :class:`ChainReport`).
    """

    loaded = Signal()
    verified = Signal(object)

    def __init__(self, context: TabContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("activityDialog")
        self.setWindowTitle(tr("Activity report"))
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.context = context
        self.choices: ActivityChoices | None = None
        self.chain: ChainReport | None = None
        self.query = ActivityQuery()
        self._handle: TaskHandle | None = None
        self._chain_handle: TaskHandle | None = None
        self._export: TaskHandle | None = None
        self._filling = False

        self.model = WindowedTableModel(
            activity_columns(lambda: self.chain.broken_id if self.chain else None),
            context.runner,
            self._read_page,
            PAGE_SIZE,
            self,
        )
        self.model.load_failed.connect(lambda message: self._show_status(message, error=True))
        self.table = make_table(self)
        self.table.setObjectName("activityTable")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(CHANGE, QHeaderView.ResizeMode.Stretch)
        for column, width in enumerate((150, 180, 80, 170, 200)):
            header.resizeSection(column, width)

        self._build_filters()
        self.chain_label = QLabel(tr("Checking the chain…"), self)
        self.chain_label.setObjectName("chainLabel")
        self.chain_label.setToolTip(
            tr(
                "Each audit row carries a SHA-256 over the previous row's hash and its own "
                "content: a row changed, removed or added outside Billing Desktop breaks the chain"
            )
        )
        self.count_label = QLabel(self)
        self.count_label.setObjectName("countLabel")
        self.status = QLabel(self)
        self.status.setObjectName("statusLabel")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.hide()
        self.progress = QProgressBar(self)
        self.progress.setObjectName("exportProgress")
        self.progress.hide()
        self.cancel_button = QPushButton(tr("Cancel export"), self)
        self.cancel_button.setObjectName("cancelExportButton")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel_export)

        self.export_button = QPushButton(tr("&Export…"), self)
        self.export_button.setObjectName("exportButton")
        self.export_button.setToolTip(tr("Save the rows the filters show as CSV, Excel or PDF"))
        menu = QMenu(self.export_button)
        self.export_actions: dict[str, QAction] = {}
        for kind, label in (
            ("csv", tr("As &CSV…")),
            ("xlsx", tr("As E&xcel workbook…")),
            ("pdf", tr("As &PDF…")),
        ):
            action = QAction(label, menu)
            action.triggered.connect(partial(self.choose_export, kind))
            menu.addAction(action)
            self.export_actions[kind] = action
        self.export_button.setMenu(menu)
        self.refresh_button = QPushButton(tr("&Refresh"), self)
        self.refresh_button.setObjectName("refreshButton")
        self.refresh_button.clicked.connect(self.refresh)
        close = QPushButton(tr("Close"), self)
        close.clicked.connect(self.close)

        top = QHBoxLayout()
        top.addWidget(self.chain_label, 1)
        top.addWidget(self.count_label)
        bottom = QHBoxLayout()
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.cancel_button)
        bottom.addStretch(0)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.refresh_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(self.filters)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(bottom)
        self.resize(1180, 640)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filters)
        self.refresh()

    # Filters ----------------------------------------------------------------------------

    def _build_filters(self) -> None:
        self.use_dates = QCheckBox(tr("&Dates"), self)
        self.use_dates.setObjectName("useDates")
        self.use_dates.setToolTip(
            tr("Only the changes made on these days (the account's time zone)")
        )
        self.first_edit = QDateEdit(self)
        self.first_edit.setObjectName("firstDate")
        self.last_edit = QDateEdit(self)
        self.last_edit.setObjectName("lastDate")
        for edit in (self.first_edit, self.last_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
            edit.dateChanged.connect(self._changed)
        self.use_dates.toggled.connect(self._dates_toggled)
        to = QLabel(tr("to"), self)
        self.user_combo = self._combo("userCombo", tr("All users"))
        self.kind_combo = self._combo("kindCombo", tr("All kinds of change"))
        self.entity_combo = self._combo("entityCombo", tr("All objects"))
        self.entity_id_edit = QLineEdit(self)
        self.entity_id_edit.setObjectName("entityIdEdit")
        self.entity_id_edit.setPlaceholderText(tr("Object id"))
        self.entity_id_edit.setToolTip(
            tr("Only this object of the kind chosen (e.g. 2026-10 for a month)")
        )
        self.entity_id_edit.setClearButtonEnabled(True)
        self.entity_id_edit.setMaximumWidth(190)
        self.entity_id_edit.textChanged.connect(self._changed)
        user_caption = QLabel(tr("&User:"), self)
        user_caption.setBuddy(self.user_combo)
        kind_caption = QLabel(tr("&Kind:"), self)
        kind_caption.setBuddy(self.kind_combo)
        object_caption = QLabel(tr("&Object:"), self)
        object_caption.setBuddy(self.entity_combo)
        self.filters = QHBoxLayout()
        for widget in (
            self.use_dates,
            self.first_edit,
            to,
            self.last_edit,
            user_caption,
            self.user_combo,
            kind_caption,
            self.kind_combo,
            object_caption,
            self.entity_combo,
            self.entity_id_edit,
        ):
            self.filters.addWidget(widget)
        self.filters.addStretch(1)

    def _combo(self, name: str, everything: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.setProperty("everything", everything)
        combo.addItem(everything, ALL)
        combo.currentIndexChanged.connect(self._changed)
        return combo

    def _dates_toggled(self, on: bool) -> None:
        self.first_edit.setEnabled(on)
        self.last_edit.setEnabled(on)
        self._changed()

    def _changed(self) -> None:
        if not self._filling:
            self._debounce.start()

    def current_query(self) -> ActivityQuery:
        def chosen(combo: QComboBox) -> str | None:
            value = combo.currentData()
            return str(value) if value else None

        first: date | None = None
        last: date | None = None
        if self.use_dates.isChecked():
            start, end = self.first_edit.date(), self.last_edit.date()
            first = date(start.year(), start.month(), start.day())
            last = date(end.year(), end.month(), end.day())
            if last < first:
                first, last = last, first
        entity = chosen(self.entity_combo)
        entity_id = self.entity_id_edit.text().strip() or None
        return ActivityQuery(
            first=first,
            last=last,
            user=chosen(self.user_combo),
            kind=chosen(self.kind_combo),
            entity=entity,
            entity_id=entity_id if entity else None,
        )

    def apply_filters(self) -> None:
        self.query = self.current_query()
        self._load()

    def _fill_choices(self, choices: ActivityChoices) -> None:
        self._filling = True
        try:
            for combo, items in (
                (
                    self.user_combo,
                    [
                        (name if name == uid else f"{name} ({uid})", uid)
                        for uid, name in choices.users
                    ],
                ),
                (self.kind_combo, [(kind, kind) for kind in choices.kinds]),
                (self.entity_combo, [(entity, entity) for entity in choices.entities]),
            ):
                wanted = combo.currentData()
                combo.clear()
                combo.addItem(str(combo.property("everything")), ALL)
                for label, value in items:
                    combo.addItem(label, value)
                index = combo.findData(wanted)
                combo.setCurrentIndex(max(index, 0))
            if choices.span is not None and not self.use_dates.isChecked():
                first, last = choices.span
                self.first_edit.setDate(QDate(first.year, first.month, first.day))
                self.last_edit.setDate(QDate(last.year, last.month, last.day))
        finally:
            self._filling = False

    # Loading ----------------------------------------------------------------------------

    def _read_page(self, offset: int, limit: int) -> list[ActivityLine]:
        """Worker thread: a page of the query being shown."""
        query = self.query
        return read(self.context.store, activity_page, self.context.actor, query, offset, limit)

    def refresh(self) -> None:
        """Read the rows and the choices again, and check the chain."""
        self._load()
        self.verify()

    def _load(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self.count_label.setText(tr("Loading…"))
        query = self.query
        self._handle = self.context.runner.run(
            read,
            self.context.store,
            activity_start,
            self.context.actor,
            query,
            PAGE_SIZE,
            on_done=partial(self._show, query),
            on_error=self._failed,
            description="read the activity report",
        )

    def _show(self, query: ActivityQuery, start: ActivityStart) -> None:
        self._handle = None
        if query != self.query:
            return
        self.choices = start.choices
        self._fill_choices(start.choices)
        self.model.reset(start.total, list(start.rows))
        noun = ntr("change", "changes", start.total)
        zone = start.choices.zone
        self.count_label.setText(
            tr("{total:,} {noun}, newest first · times in {zone}").format(
                total=start.total, noun=noun, zone=zone
            )
        )
        if start.total == 0:
            self._show_status(
                tr("No activity matches these filters.")
                if query != ActivityQuery()
                else tr("No activity yet: changes appear here as they are made.")
            )
        elif not self.status.property("error"):
            self._show_status("")
        self.export_button.setEnabled(start.total > 0)
        self.loaded.emit()

    def _failed(self, message: str) -> None:
        self._handle = None
        self.count_label.setText("")
        self.model.reset(0, [])
        self._show_status(message, error=True)
        self.loaded.emit()

    def verify(self) -> None:
        if self._chain_handle is not None:
            self._chain_handle.cancel()
        self.chain_label.setStyleSheet("")
        self.chain_label.setText(tr("Checking the chain…"))
        self._chain_handle = self.context.runner.run(
            read,
            self.context.store,
            verify_audit_chain,
            self.context.actor,
            on_done=self._chain_checked,
            on_error=self._chain_failed,
            description="check the audit chain",
        )

    def _chain_checked(self, report: ChainReport) -> None:
        self._chain_handle = None
        self.chain = report
        text = translate_message(report.summary())
        self.chain_label.setText(("✔ " if report.verified else "✖ ") + text[0].upper() + text[1:])
        self.chain_label.setStyleSheet(OK_STYLE if report.verified else BROKEN_STYLE)
        self.table.viewport().update()  # the broken row turns red
        self.verified.emit(report)

    def _chain_failed(self, message: str) -> None:
        self._chain_handle = None
        self.chain = None
        self.chain_label.setText(
            tr("The chain could not be checked: {message}").format(message=message)
        )
        self.chain_label.setStyleSheet(BROKEN_STYLE)

    def follow_changes(self, _resources: object) -> None:
        """A write was made (here or elsewhere): read again."""
        if self.isVisible():
            self.refresh()

    # Export -----------------------------------------------------------------------------

    def choose_export(self, kind: str) -> None:
        name = f"activity-{date.today().isoformat()}.{kind}"
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Save the activity report"), name, EXPORT_FILTERS[kind]
        )
        if path:
            chosen = Path(path)
            if chosen.suffix.lower() != f".{kind}":
                chosen = chosen.with_name(chosen.name + f".{kind}")
            self.export(chosen)

    def export(self, path: Path) -> TaskHandle | None:
        if self._export is not None:
            return None
        total = self.model.total
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.export_button.setEnabled(False)
        self._show_status(
            tr("Saving {total:,} rows to {file}…").format(total=total, file=path.name)
        )
        self._export = self.context.runner.run(
            save_report,
            self.context,
            self.query,
            total,
            path,
            self.chain,
            with_state=True,
            on_state_progress=self._export_progress,
            on_done=self._exported,
            on_error=self._export_failed,
            description=f"save the activity report to {path}",
        )
        return self._export

    def _export_progress(self, progress: Any) -> None:
        value = progress_value(progress)
        if value is None:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(value)

    def cancel_export(self) -> None:
        if self._export is not None:
            self._export.cancel()
            self._export_done()
            self._show_status(tr("The export was cancelled; nothing was saved."))

    def _exported(self, message: str) -> None:
        self._export_done()
        self._show_status(message)

    def _export_failed(self, message: str) -> None:
        self._export_done()
        self._show_status(message, error=True)

    def _export_done(self) -> None:
        self._export = None
        self.progress.hide()
        self.cancel_button.hide()
        self.export_button.setEnabled(self.model.total > 0)

    def _show_status(self, text: str, error: bool = False) -> None:
        self.status.setProperty("error", error and bool(text))
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def closeEvent(self, event: Any) -> None:
        for handle in (self._handle, self._chain_handle, self._export):
            if handle is not None:
                handle.cancel()
        super().closeEvent(event)
