"""Assign users and numbers to a billing unit from a date, with the cost change shown first
(issue 20 §5).

The dialog lists the users and numbers not in the unit yet (a number held by another unit says
which: it moves), a *From* date (today by default, never later), and the preview: each affected
month's cost per unit before and after, computed off the GUI thread by the same service the
save then uses (``services.assignment_preview``), so what it shows is what is saved. A refused
date (a closed month, after today, before a member's latest change) shows as one line and keeps
*Save* disabled. The dialog saves nothing itself: the tab runs the change, so it lands in the
undo history like any other.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.services.assignment_preview import AssignmentPreview, preview_assignment
from billing_desktop.services.units import UnitMembers
from billing_desktop.ui import theme
from billing_desktop.ui.context import TabContext, read
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.models.table import display_money
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.tasks import TaskHandle

KEY = Qt.ItemDataRole.UserRole
DELAY_MS = 250  # the preview waits for the choices to settle
AMOUNT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def account_today(context: TabContext) -> date:
    account = context.account
    zone = ZoneInfo(account.timezone) if account is not None else UTC
    return datetime.now(UTC).astimezone(zone).date()


class DatedAssignmentDialog(QDialog):
    """Choose members and a date, see the preview, save (``request`` is then what to assign)."""

    def __init__(
        self,
        context: TabContext,
        members: UnitMembers,
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("datedAssignmentDialog")
        self.context = context
        self.unit = members.unit
        self.today = today or account_today(context)
        self.preview: AssignmentPreview | None = None
        self.request: tuple[int, tuple[str, ...], tuple[str, ...], date, bool] | None = None
        self._handle: TaskHandle | None = None
        self._asked: tuple[tuple[str, ...], tuple[str, ...], date, bool] | None = None
        self.setWindowTitle(tr("Assign to {unit} from a date").format(unit=self.unit.name))

        intro = QLabel(
            tr(
                "Calls and alerts before the date stay with the unit they were in; from the date "
                "on they count for {unit}. Seats and number rentals follow the unit at the "
                "month's end. Closed months never change."
            ).format(unit=self.unit.name),
            self,
        )
        intro.setWordWrap(True)

        self.date_edit = QDateEdit(self)
        self.date_edit.setObjectName("fromDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMinimumWidth(150)
        self.date_edit.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.date_edit.setMaximumDate(QDate(self.today.year, self.today.month, self.today.day))
        self.date_edit.setDate(QDate(self.today.year, self.today.month, self.today.day))
        form = QFormLayout()
        form.addRow(tr("&From:"), self.date_edit)

        self.users = self._list("datedUsers")
        for person in members.people:
            if person.id in self.unit.user_ids:
                continue
            text = person.name
            if person.unit_names:
                text += "  " + tr("(in {units})").format(units=", ".join(person.unit_names))
            item = QListWidgetItem(text)
            item.setData(KEY, person.id)
            item.setToolTip(person.email)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.users.addItem(item)
        self.numbers = self._list("datedNumbers")
        for entry in members.numbers:
            if entry.holder_id == self.unit.id:
                continue
            text = entry.number + (f"  {entry.label}" if entry.label else "")
            if entry.holder_name:
                text += "  " + tr("(moves from {unit})").format(unit=entry.holder_name)
            item = QListWidgetItem(text)
            item.setData(KEY, entry.number)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.numbers.addItem(item)
        self.move_users = QCheckBox(tr("They &leave their other units"), self)
        self.move_users.setObjectName("moveUsers")
        self.move_users.setChecked(True)
        self.move_users.setToolTip(
            tr("A user may be in several units; unticked, they also stay where they are")
        )
        lists = QHBoxLayout()
        for title, view in ((tr("Users"), self.users), (tr("Phone numbers"), self.numbers)):
            box = QGroupBox(title, self)
            box_layout = QVBoxLayout(box)
            box_layout.addWidget(view)
            if view is self.users:
                box_layout.addWidget(self.move_users)
            lists.addWidget(box)

        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("previewTable")
        self.table.setHorizontalHeaderLabels(
            [tr("Month"), tr("Billing unit"), tr("Before"), tr("After"), tr("Change")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (0, 2, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for column in (2, 3, 4):
            heading = self.table.horizontalHeaderItem(column)
            if heading is not None:
                heading.setTextAlignment(AMOUNT)
        self.status = QLabel(self)
        self.status.setObjectName("previewStatus")
        self.status.setWordWrap(True)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = QPushButton(tr("&Save"), self)
        self.save_button.setObjectName("saveDatedButton")
        self.save_button.setDefault(True)
        self.save_button.setEnabled(False)  # until a preview of the choices is shown
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(lists, 2)
        preview_title = QLabel(tr("Cost per unit, before → after (at list price)"), self)
        preview_title.setObjectName("previewTitle")
        layout.addWidget(preview_title)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(780, 640)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.date_edit.dateChanged.connect(lambda _d: self._timer.start())
        self.users.itemChanged.connect(lambda _i: self._timer.start())
        self.numbers.itemChanged.connect(lambda _i: self._timer.start())
        self.move_users.toggled.connect(lambda _c: self._timer.start())
        self.finished.connect(lambda _r: self._cancel())
        self._show_state(tr("Tick the users and numbers to assign from the date."))

    def _list(self, name: str) -> QListWidget:
        view = QListWidget(self)
        view.setObjectName(name)
        view.setMinimumHeight(110)
        return view

    @staticmethod
    def _checked(view: QListWidget) -> tuple[str, ...]:
        return tuple(
            str(view.item(i).data(KEY))
            for i in range(view.count())
            if view.item(i).checkState() == Qt.CheckState.Checked
        )

    def choices(self) -> tuple[tuple[str, ...], tuple[str, ...], date, bool]:
        users, numbers = self._checked(self.users), self._checked(self.numbers)
        return users, numbers, self.from_date(), self.move_users.isChecked()

    def from_date(self) -> date:
        value = self.date_edit.date()
        return date(value.year(), value.month(), value.day())

    def set_from_date(self, day: date) -> None:
        self.date_edit.setDate(QDate(day.year, day.month, day.day))

    # -- the preview --------------------------------------------------------------------
    def _cancel(self) -> None:
        self._timer.stop()
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def refresh(self) -> None:
        """Compute the preview for the current choices (off the GUI thread)."""
        self._cancel()
        users, numbers, day, move_users = self.choices()
        self.preview = None
        self.save_button.setEnabled(False)
        if not users and not numbers:
            self._asked = None
            self.table.setRowCount(0)
            self._show_state(tr("Tick the users and numbers to assign from the date."))
            return
        self._asked = (users, numbers, day, move_users)
        self._show_state(tr("Working out the costs…"))
        self._handle = self.context.runner.run(
            partial(
                read,
                self.context.store,
                preview_assignment,
                self.context.actor,
                self.unit.id,
                users,
                (),
                numbers,
                move=True,
                from_date=day,
                move_users=move_users,
            ),
            on_done=partial(self._ready, self._asked),
            on_error=partial(self._failed, self._asked),
            description="preview the assignment",
        )

    def _ready(self, asked: object, preview: AssignmentPreview) -> None:
        if asked != self._asked:
            return  # the choices changed meanwhile
        self._handle = None
        self.preview = preview
        self._fill(preview)
        changed = [m for m in preview.months if m.changed]
        if not preview.months:
            self._show_state(tr("Nothing to change."))
        elif not changed:
            self._show_state(
                tr("{change}: no unit's cost changes.").format(
                    change=translate_message(preview.change.describe())
                )
            )
        else:
            self._show_state(preview.change.describe() + ".")
        self.save_button.setEnabled(preview.change.changed)

    def _failed(self, asked: object, message: str) -> None:
        if asked != self._asked:
            return
        self._handle = None
        self.table.setRowCount(0)
        self._show_state(message, error=True)

    def _show_state(self, text: str, error: bool = False) -> None:
        self.status.setText(translate_message(text))
        self.status.setStyleSheet(f"color: {theme.NEGATIVE.name()};" if error else "")

    def _fill(self, preview: AssignmentPreview) -> None:
        rows = [(m, r) for m in preview.months for r in m.rows]
        self.table.setRowCount(len(rows))
        bold = QFont(self.table.font())
        bold.setBold(True)
        for i, (month, row) in enumerate(rows):
            change = row.change
            sign = "+" if change > 0 else ""
            cells = [
                str(month.month),
                row.name,
                display_money(row.before, preview.currency),
                display_money(row.after, preview.currency),
                sign + display_money(change, preview.currency) if change else "—",
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 2:
                    item.setTextAlignment(AMOUNT)
                if change:
                    item.setFont(bold)
                self.table.setItem(i, column, item)

    def _save(self) -> None:
        if self.preview is None or self._asked is None or not self.preview.change.changed:
            return
        users, numbers, day, move_users = self._asked
        self.request = (self.unit.id, users, numbers, day, move_users)
        self.accept()
