"""Billing Units tab (PRODUCT §6): units, their members, and what each costs.

Left: the units table (name, users, numbers, this month's list-price total). Right: the unit
editor (members of the selected unit, edited by drag and drop, buttons or keys) and the cost
report. Add (Insert), rename (F2), delete (Delete on the table; asks, naming what becomes
unassigned).

Every change runs through ``services.units`` on the task runner, one change at a time and in
order, each in its own transaction with its audit row. Changes go on a ``QUndoStack``
(Ctrl+Z / Ctrl+Shift+Z): a command is pushed once its change is in the store, and its undo and
redo run the inverse change and the change again through the service, so undo restores the
store, not only the screen. If an undo or redo is refused (someone else changed the unit
meanwhile), the message says why and the history is cleared, as it no longer matches the store.

Users with the right to view billing units only see everything read-only: no drag and drop, and
the buttons are disabled with a tooltip saying why.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.access import Area
from billing_desktop.domain.model import BillingUnit
from billing_desktop.services import units as service
from billing_desktop.services.units import Assignment, DeletionImpact, UnitMembers, UnitsOverview
from billing_desktop.ui.context import TabContext, read
from billing_desktop.ui.dialogs.dated_assignment import DatedAssignmentDialog
from billing_desktop.ui.dialogs.unit_editor import MessageBar, UnitEditor, UnitNameDialog
from billing_desktop.ui.i18n import ntr, tr
from billing_desktop.ui.models.members import MemberItem
from billing_desktop.ui.models.table import (
    RIGHT,
    Column,
    display_money,
    text_column,
)
from billing_desktop.ui.service_messages import translate_message
from billing_desktop.ui.tabs.base import TableTab
from billing_desktop.ui.tabs.billing_units.keys import TableKeys
from billing_desktop.ui.tabs.billing_units.undo import Change, Edit, StoreCommand, T
from billing_desktop.ui.tabs.unit_report import UnitReportPanel, member_column, month_label
from billing_desktop.ui.tasks import TaskHandle

EDITOR_MIN_HEIGHT = 300  # below this the members scroll rather than squeeze the lists
READ_ONLY = tr(
    "You can see billing units but not change them: that needs the right to edit "
    "Billing Units (an admin, a supervisor, or the Edit billing unit access "
    "group)."
)


class BillingUnitsTab(TableTab):
    """Billing units (cost centres): the table, the unit editor, the cost report.

    Signals:
        loaded(): see :class:`TableTab`.
        members_loaded(): the editor shows the selected unit's members (or why not).
        edit_finished(): a change (or its undo/redo) finished, successfully or not.
    """

    members_loaded = Signal()
    edit_finished = Signal()

    area = Area.BILLING_UNITS
    watches = frozenset({"workspace", "units", "records", "closing"})
    stretch_column = 0  # the name takes the spare width: no horizontal scroll bar

    def __init__(self, context: TabContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.editable = context.actor.rights.can_edit(Area.BILLING_UNITS)
        self.overview: UnitsOverview | None = None
        self._selected_id: int | None = None
        self._selecting = False
        self._impact_handle: TaskHandle | None = None
        self._members_handle: TaskHandle | None = None
        self._edits: deque[Edit[Any]] = deque()
        self._edit_handle: TaskHandle | None = None
        self.last_error = ""
        self.name_dialog: UnitNameDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.dated_dialog: DatedAssignmentDialog | None = None

        self.table.setSelectionMode(self.table.SelectionMode.SingleSelection)
        self.table.installEventFilter(
            TableKeys(
                self,
                on_delete=self.request_delete,
                on_enter=lambda: self.editor.people.available_view.setFocus(),
            )
        )
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(200)

        self.message_bar = MessageBar(self)
        self.editor = UnitEditor(self)
        self.report = UnitReportPanel(context, self)
        self.report.choice_changed.connect(self.refresh)
        self.details = QTabWidget(self)
        self.details.setObjectName("unitDetails")
        self.details.setDocumentMode(True)
        # Scrolls rather than forcing a tall window (the lists keep a usable height).
        self.editor_scroll = QScrollArea(self)
        self.editor_scroll.setWidgetResizable(True)
        self.editor_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.editor_scroll.setWidget(self.editor)
        self.editor.setMinimumHeight(EDITOR_MIN_HEIGHT)
        self.details.addTab(self.editor_scroll, tr("&Members"))
        self.details.addTab(self.report, tr("Cost &report"))
        # The units table (or its empty state) beside the details, in place of the plain stack.
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.removeWidget(self.stack)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("unitsSplitter")
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(self.details)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([480, 720])
        layout.addWidget(self.message_bar)
        layout.addWidget(self.splitter, 1)

        self._make_actions()
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.details.currentChanged.connect(self._details_changed)
        self.editor.assign_requested.connect(self.assign)
        self.editor.unassign_requested.connect(self.unassign)
        self.editor.move_requested.connect(self.move_numbers)
        self.editor.refused.connect(self._refused)
        self.undo_stack.indexChanged.connect(self._update_actions)
        if not self.editable:
            self.editor.set_editable(False, READ_ONLY)
        self._update_actions()

    # Table ------------------------------------------------------------------------------

    def columns(self) -> Sequence[Column[Any]]:
        currency = self.context.currency
        return [
            text_column(tr("Billing unit"), lambda u: u.name),
            member_column(
                tr("Users"), lambda u: u.users, tr("Users assigned to the unit"), "user_names"
            ),
            member_column(
                tr("Phone numbers"),
                lambda u: u.numbers,
                tr("Numbers assigned to the unit"),
                "number_list",
            ),
            Column[service.UnitRow](
                tr("Month total"),
                lambda u: "" if u.month_total is None else display_money(u.month_total, currency),
                RIGHT,
                tr(
                    "The unit's share of the month and basis picked in the Cost report (list "
                    "price: before free units and credits; as invoiced: after them)"
                ),
                lambda u: u.month_total,
            ),
        ]

    def start_load(self) -> None:
        # The totals follow the month and basis picked in the Cost report (issue 20 §4).
        self.load(
            service.units_overview, self.context.actor, None, self.report.month, self.report.basis
        )

    def populate(self, result: Any) -> int:
        assert isinstance(result, UnitsOverview)
        self.overview = result
        rows = list(result.rows)
        self.model.set_rows(rows)
        self._set_caption()
        ids = [r.id for r in rows]
        wanted = self._selected_id if self._selected_id in ids else (ids[0] if ids else None)
        self._select_row(ids.index(wanted) if wanted is not None else -1)
        self.load_members()
        self.report.mark_stale()
        if self.details.currentWidget() is self.report:
            self.report.ensure_loaded()
        return len(rows)

    def clear_model(self) -> None:
        self.model.set_rows([])
        self.load_members()

    def _set_caption(self) -> None:
        text = tr(
            "Billing units group users and phone numbers into cost centres. A phone "
            "number belongs to at most one unit; a user may belong to several."
        )
        overview = self.overview
        if overview is not None and overview.month is not None and overview.currency:
            month = month_label(overview.month.first_day)
            basis = tr("as invoiced") if self.report.basis == "invoiced" else tr("at list price")
            text += tr(" Totals for {month}, {basis}.").format(month=month, basis=basis)
            if overview.unassigned is not None:
                text += tr(" Unassigned: {money}.").format(
                    money=self.report.money(overview.unassigned)
                )
        self.caption.setText(text)

    def empty_text(self) -> str:
        hint = tr(" Add one with Add unit… (Insert).") if self.editable else ""
        return (
            tr(
                "No billing units yet.\nBilling units split users and phone numbers into cost "
                "centres, so usage can be charged back to each of them."
            )
            + hint
        )

    def _select_row(self, row: int) -> None:
        """Select ``row`` of the units table (-1: none) without loading its members."""
        selection = self.table.selectionModel()
        self._selecting = True
        try:
            if row < 0:
                selection.clearSelection()
                self._selected_id = None
                return
            self._selected_id = self.model.row_at(row).id
            selection.setCurrentIndex(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        finally:
            self._selecting = False

    def select_unit(self, unit_id: int) -> None:
        """Show ``unit_id`` in the editor (selects its row)."""
        for row, unit in enumerate(self.model.rows):
            if unit.id == unit_id:
                self._select_row(row)
                self.load_members()
                self._update_actions()
                return

    @property
    def selected_unit(self) -> service.UnitRow | None:
        for unit in self.model.rows:
            if unit.id == self._selected_id:
                assert isinstance(unit, service.UnitRow)
                return unit
        return None

    def _current_changed(self, current: Any, _previous: Any) -> None:
        if self._selecting or not current.isValid():
            return
        unit_id = self.model.row_at(current.row()).id
        if unit_id != self._selected_id or self.editor.unit_id != unit_id:
            self._selected_id = unit_id
            self.load_members()
        self._update_actions()

    def _details_changed(self, _index: int) -> None:
        if self.details.currentWidget() is self.report:
            self.report.ensure_loaded()

    # Members ----------------------------------------------------------------------------

    def load_members(self) -> None:
        if self._members_handle is not None:
            self._members_handle.cancel()
            self._members_handle = None
        unit_id = self._selected_id
        if unit_id is None:
            message = (
                tr("Add a billing unit to assign users and numbers to it.")
                if self.editable
                else tr("There are no billing units to show.")
            )
            self.editor.show_unit(None, message if not self.model.rows else "")
            self.members_loaded.emit()
            self._update_actions()
            return
        self._members_handle = self.context.runner.run(
            partial(read, self.context.store, service.unit_members, self.context.actor, unit_id),
            on_done=self._members_ready,
            on_error=self._members_failed,
            description="load the unit's members",
        )

    def _members_ready(self, members: UnitMembers) -> None:
        self._members_handle = None
        if members.unit.id == self._selected_id:
            self.editor.show_unit(members)
        self.members_loaded.emit()
        self._update_actions()

    def _members_failed(self, message: str) -> None:
        self._members_handle = None
        self.editor.show_unit(
            None, tr("Could not read the unit's members: {message}").format(message=message)
        )
        self.members_loaded.emit()

    # Running changes --------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Anything still on its way to or from the store (tests wait for this)."""
        return bool(
            self._edit_handle is not None
            or self._edits
            or self.is_loading
            or self._members_handle is not None
            or self._impact_handle is not None
            or self.report.is_loading
        )

    @property
    def editing(self) -> bool:
        return self._edit_handle is not None or bool(self._edits)

    def run_edit(
        self,
        description: str,
        change: Change[T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        history: bool = False,
    ) -> None:
        """Queue ``change``; changes reach the store one at a time, in order.

        ``history``: an undo or redo; when it fails the undo history is cleared.
        """
        failed = on_error
        if history:

            def failed(message: str) -> None:
                self.undo_stack.clear()
                self.show_error(
                    tr("{message}. The undo history was cleared.").format(message=message)
                )

        self._edits.append(Edit(description, change, on_done, failed))
        self._update_actions()
        if self._edit_handle is None:
            self._next_edit()

    def _next_edit(self) -> None:
        if not self._edits:
            self._update_actions()
            return
        edit = self._edits.popleft()
        self._edit_handle = self.context.runner.run(
            partial(edit.change, self.context.store, self.context.actor),
            on_done=lambda result: self._edit_done(edit, result),
            on_error=lambda message: self._edit_failed(edit, message),
            description=edit.description,
        )

    def _edit_done(self, edit: Edit[Any], result: Any) -> None:
        self._edit_handle = None
        self.last_error = ""
        if edit.on_done is not None:
            edit.on_done(result)
        self._after_edit()

    def _edit_failed(self, edit: Edit[Any], message: str) -> None:
        self._edit_handle = None
        if edit.on_error is not None:
            edit.on_error(message)
        else:
            self.show_error(message)
        self._after_edit()

    def _after_edit(self) -> None:
        if not self._edits:
            self.refresh()  # re-read the table, the members and the report from the store
        self._next_edit()
        self.edit_finished.emit()

    def show_error(self, message: str) -> None:
        message = translate_message(message)
        text = message[:1].upper() + message[1:]
        self.last_error = text
        self.message_bar.show_message(text)

    def _push(self, command: StoreCommand) -> None:
        self.undo_stack.push(command)

    # Changes ----------------------------------------------------------------------------

    def add_unit(self, name: str) -> None:
        def added(unit: BillingUnit) -> None:
            self._selected_id = unit.id
            self._push(self._add_command(unit))

        self.run_edit(
            f"add unit {name}",
            lambda store, actor: store.write(service.add_unit, actor, name),
            on_done=added,
        )

    def _add_command(self, unit: BillingUnit) -> StoreCommand:
        return StoreCommand(
            self,
            tr("Add unit {name}").format(name=unit.name),
            lambda store, actor: store.write(service.delete_unit, actor, unit.id),
            lambda store, actor: store.write(
                service.restore_unit, actor, BillingUnit(unit.id, unit.name)
            ),
        )

    def rename_unit(self, unit_id: int, name: str) -> None:
        def renamed(before: BillingUnit) -> None:
            new = name.strip()
            if before.name != new:
                self._push(
                    StoreCommand(
                        self,
                        tr("Rename {name} to {new}").format(name=before.name, new=new),
                        lambda store, actor: store.write(
                            service.rename_unit, actor, unit_id, before.name
                        ),
                        lambda store, actor: store.write(service.rename_unit, actor, unit_id, new),
                    )
                )

        self.run_edit(
            f"rename unit {unit_id}",
            lambda store, actor: store.write(service.rename_unit, actor, unit_id, name),
            on_done=renamed,
        )

    def delete_unit(self, unit_id: int) -> None:
        def deleted(before: BillingUnit) -> None:
            self._push(
                StoreCommand(
                    self,
                    tr("Delete unit {name}").format(name=before.name),
                    lambda store, actor: store.write(service.restore_unit, actor, before),
                    lambda store, actor: store.write(service.delete_unit, actor, unit_id),
                )
            )

        self.run_edit(
            f"delete unit {unit_id}",
            lambda store, actor: store.write(service.delete_unit, actor, unit_id),
            on_done=deleted,
        )

    def _change(self, change: Change[Assignment]) -> None:
        def changed(change: Assignment) -> None:
            if change.changed:
                self._push(self._assignment_command(change))

        self.run_edit("change members", change, on_done=changed)

    def _assignment_command(self, change: Assignment) -> StoreCommand:
        state = {"change": change}

        def redone(result: Assignment) -> None:
            if result.changed:
                state["change"] = result

        return StoreCommand(
            self,
            translate_message(change.describe()),
            lambda store, actor: store.write(service.revert, actor, state["change"]),
            lambda store, actor: store.write(service.reapply, actor, state["change"]),
            redone,
        )

    def assign(
        self,
        user_ids: Sequence[str] = (),
        teams: Sequence[str] = (),
        numbers: Sequence[str] = (),
    ) -> None:
        """Assign to the unit shown in the editor."""
        unit_id = self.editor.unit_id
        if unit_id is None or not self.editable:
            return
        self.message_bar.dismiss()
        users, team_names, held = tuple(user_ids), tuple(teams), tuple(numbers)
        self._change(
            lambda store, actor: store.write(
                service.assign, actor, unit_id, users, team_names, held
            )
        )

    def unassign(self, user_ids: Sequence[str] = (), numbers: Sequence[str] = ()) -> None:
        unit_id = self.editor.unit_id
        if unit_id is None or not self.editable:
            return
        self.message_bar.dismiss()
        users, held = tuple(user_ids), tuple(numbers)
        self._change(
            lambda store, actor: store.write(service.unassign, actor, unit_id, users, held)
        )

    def move_numbers(self, numbers: Sequence[str]) -> None:
        """Move ``numbers`` here from the units holding them (the explicit "move it here")."""
        unit_id = self.editor.unit_id
        if unit_id is None or not self.editable:
            return
        self.message_bar.dismiss()
        moved = tuple(numbers)
        self._change(
            lambda store, actor: store.write(service.assign, actor, unit_id, (), (), moved, True)
        )

    def _refused(self, held: list[MemberItem]) -> None:
        unit = self.editor.members.unit.name if self.editor.members else tr("this unit")
        lines = "; ".join(
            tr("{key} is already in unit '{holder}'").format(key=i.key, holder=i.holder)
            for i in held
        )
        numbers = [i.key for i in held]
        self.last_error = lines
        self.message_bar.show_message(
            tr("{lines}. A phone number belongs to at most one unit.").format(lines=lines),
            action=ntr("Move it to {unit}", "Move them to {unit}", len(held)).format(unit=unit),
            on_action=lambda: self.move_numbers(numbers) if self.editable else None,
        )

    # Dialogs ----------------------------------------------------------------------------

    def request_dated(self) -> None:
        """Assign from a date, after a preview of the cost (issue 20 §5); saved as an edit."""
        members = self.editor.members
        if members is None or not self.editable:
            return
        self.dated_dialog = dialog = DatedAssignmentDialog(self.context, members, parent=self)

        def finished(result: int) -> None:
            if result == QDialog.DialogCode.Accepted and dialog.request is not None:
                unit_id, users, numbers, day, move_users = dialog.request
                self.message_bar.dismiss()
                self._change(
                    lambda store, actor: store.write(
                        service.assign,
                        actor,
                        unit_id,
                        users,
                        (),
                        numbers,
                        True,
                        day,
                        move_users=move_users,
                    )
                )

        dialog.finished.connect(finished)
        dialog.open()

    def _other_names(self, unit_id: int | None) -> list[str]:
        return [u.name for u in self.model.rows if u.id != unit_id]

    def request_add(self) -> None:
        if not self.editable:
            return
        dialog = UnitNameDialog(tr("Add billing unit"), self._other_names(None), parent=self)
        self._open_name_dialog(dialog, lambda name: self.add_unit(name))

    def request_rename(self) -> None:
        unit = self.selected_unit
        if unit is None or not self.editable:
            return
        dialog = UnitNameDialog(
            tr("Rename {name}").format(name=unit.name),
            self._other_names(unit.id),
            unit.name,
            parent=self,
        )
        self._open_name_dialog(dialog, lambda name: self.rename_unit(unit.id, name))

    def _open_name_dialog(self, dialog: UnitNameDialog, done: Callable[[str], None]) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.name_dialog = dialog

        def finished(result: int) -> None:
            self.name_dialog = None
            if result == QDialog.DialogCode.Accepted and dialog.name:
                done(dialog.name)

        dialog.finished.connect(finished)
        dialog.open()

    def request_delete(self) -> None:
        """Ask first, naming what becomes unassigned (read off the GUI thread)."""
        unit = self.selected_unit
        if unit is None or not self.editable:
            return
        self._impact_handle = self.context.runner.run(
            partial(read, self.context.store, service.deletion_impact, self.context.actor, unit.id),
            on_done=self._confirm_delete,
            on_error=self._impact_failed,
            description="check what deleting the unit leaves",
        )

    def _impact_failed(self, message: str) -> None:
        self._impact_handle = None
        self.show_error(message)

    def _confirm_delete(self, impact: DeletionImpact) -> None:
        self._impact_handle = None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            tr("Delete billing unit"),
            impact.question(),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText(tr("Delete"))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirm_box = box

        def finished(result: int) -> None:
            self.confirm_box = None
            if result == QMessageBox.StandardButton.Yes:
                self.delete_unit(impact.unit.id)

        box.finished.connect(finished)
        box.open()

    # Actions ----------------------------------------------------------------------------

    def _action(
        self, text: str, keys: Sequence[QKeySequence | str], slot: Callable[[], None], name: str
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        self.add_action = self._action(
            tr("&Add unit…"), [tr("Ins")], self.request_add, "addUnitAction"
        )
        self.rename_action = self._action(
            tr("&Rename…"), ["F2"], self.request_rename, "renameUnitAction"
        )
        self.delete_action = self._action(
            tr("&Delete…"), [], self.request_delete, "deleteUnitAction"
        )
        self.dated_action = self._action(
            tr("Assign from da&te…"), [], self.request_dated, "datedAssignAction"
        )
        self.undo_action = self._action(
            tr("&Undo"), [QKeySequence("Ctrl+Z")], self.undo, "undoAction"
        )
        self.redo_action = self._action(
            tr("&Redo"),
            [QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")],
            self.redo,
            "redoAction",
        )
        tips = {
            self.add_action: tr("Add a billing unit (Insert)"),
            self.rename_action: tr("Rename the selected unit (F2)"),
            self.delete_action: tr("Delete the selected unit (Delete); asks first"),
            self.dated_action: tr("Assign users and numbers from a date; shows the cost first"),
        }
        for action in (
            self.add_action,
            self.rename_action,
            self.delete_action,
            self.dated_action,
            self.undo_action,
            self.redo_action,
        ):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setObjectName(action.objectName().replace("Action", "Button"))
            self.toolbar.addWidget(button)
            if action in tips:
                action.setToolTip(tips[action])

    def undo(self) -> None:
        if self.editable and not self.editing and self.undo_stack.canUndo():
            self.message_bar.dismiss()
            self.undo_stack.undo()

    def redo(self) -> None:
        if self.editable and not self.editing and self.undo_stack.canRedo():
            self.message_bar.dismiss()
            self.undo_stack.redo()

    def _update_actions(self, *_: Any) -> None:
        has_unit = self.selected_unit is not None
        idle = not self.editing
        self.add_action.setEnabled(self.editable)
        self.rename_action.setEnabled(self.editable and has_unit)
        self.delete_action.setEnabled(self.editable and has_unit)
        self.dated_action.setEnabled(self.editable and self.editor.members is not None)
        self.undo_action.setEnabled(self.editable and idle and self.undo_stack.canUndo())
        self.redo_action.setEnabled(self.editable and idle and self.undo_stack.canRedo())
        undo_text = self.undo_stack.undoText()
        redo_text = self.undo_stack.redoText()
        self.undo_action.setToolTip(
            tr("Undo {undo_text} (Ctrl+Z)").format(undo_text=undo_text)
            if undo_text
            else tr("Undo (Ctrl+Z)")
        )
        self.redo_action.setToolTip(
            tr("Redo {redo_text} (Ctrl+Shift+Z)").format(redo_text=redo_text)
            if redo_text
            else tr("Redo (Ctrl+Shift+Z)")
        )
        if not self.editable:
            for action in (
                self.add_action,
                self.rename_action,
                self.delete_action,
                self.dated_action,
                self.undo_action,
                self.redo_action,
            ):
                action.setToolTip(READ_ONLY)

    def cancel(self) -> None:
        super().cancel()
        if self._members_handle is not None:
            self._members_handle.cancel()
            self._members_handle = None
        self.report.cancel()
