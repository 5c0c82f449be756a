"""The unit editor: who and what a billing unit holds, edited by drag and drop, buttons or keys.

A panel (shown beside the units table) with two assignment panels, *users and teams* and
*phone numbers*, each an available list and an assigned list. Items move between the two lists
of a panel by drag and drop (both ways), by the buttons between them, or by keyboard: Enter
assigns the selection of an available list, Delete (or Backspace) removes the selection of an
assigned list, Ctrl+A selects all, Down in a filter box goes to its list. Dropping a team assigns
its members. A number held by another unit is listed greyed with that unit's name: assigning it
is refused with a message naming the unit, and *Move here* moves it explicitly.

The editor changes nothing itself: it asks (signals), the tab runs the change through the
service off the GUI thread, and the lists are re-read from the store.

Also here: :class:`UnitNameDialog` (add and rename, with instant feedback on the name) and
:class:`MessageBar` (refusals and errors, with an optional action).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.units import clean_unit_name
from billing_desktop.services.units import PersonEntry, UnitMembers
from billing_desktop.ui import theme
from billing_desktop.ui.i18n import ntr, tr
from billing_desktop.ui.models.members import Kind, MemberItem, MemberListModel, Panel, Side
from billing_desktop.ui.service_messages import translate_message


class MemberListView(QListView):
    """A member list: multi-select, drag and drop, Enter and Delete as commands.

    Signals:
        enter_pressed(): Enter or Return on the list.
        delete_pressed(): Delete or Backspace on the list.
    """

    enter_pressed = Signal()
    delete_pressed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragDropOverwriteMode(False)
        self.setDropIndicatorShown(False)  # the list's order is the store's, not the drop point
        self.setUniformItemSizes(True)
        self.setAlternatingRowColors(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumHeight(48)  # a small window still fits the tab; lists scroll
        # Long entries are elided ("…"): the part that matters (which unit) comes first.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)

    def set_drag_and_drop(self, enabled: bool) -> None:
        self.setDragEnabled(enabled)
        self.setAcceptDrops(enabled)
        self.viewport().setAcceptDrops(enabled)
        self.setDragDropMode(
            QAbstractItemView.DragDropMode.DragDrop
            if enabled
            else QAbstractItemView.DragDropMode.NoDragDrop
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter_pressed.emit()
            event.accept()
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def selected_rows(self) -> list[int]:
        return sorted({index.row() for index in self.selectionModel().selectedIndexes()})


class _FilterKeys(QObject):
    """Down in a filter box moves to its list, selecting the first row."""

    def __init__(self, view: MemberListView, parent: QObject) -> None:
        super().__init__(parent)
        self._view = view

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
        ):
            model = self._view.model()
            self._view.setFocus()
            if model is not None and model.rowCount() and not self._view.selected_rows():
                self._view.setCurrentIndex(model.index(0, 0))
            return True
        return False


class _TwoLineLabel(QLabel):
    """A wrapped label of fixed height that does not report height-for-width, so a scroll
    area holding it fills the visible height instead of asking for its preferred height."""

    def hasHeightForWidth(self) -> bool:
        return False


class AssignmentPanel(QGroupBox):
    """Available ⇄ assigned lists of one kind (users and teams, or numbers).

    Signals:
        assign(list): ``MemberItem``s to assign (none of them held by another unit).
        remove(list): ``MemberItem``s to take out of the unit.
        refused(list): held numbers someone tried to assign (``holder`` names the unit).
    """

    assign = Signal(list)
    remove = Signal(list)
    refused = Signal(list)

    def __init__(self, panel: Panel, title: str, noun: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.panel = panel
        self.setObjectName(f"{panel.value}Panel")
        self.available = MemberListModel(panel, Side.AVAILABLE, self)
        self.assigned = MemberListModel(panel, Side.ASSIGNED, self)
        self.available_view = self._view(self.available, f"{panel.value}Available")
        self.assigned_view = self._view(self.assigned, f"{panel.value}Assigned")
        self.available_filter = self._filter(
            self.available_view, tr("Filter available {noun}…").format(noun=noun)
        )
        self.assigned_filter = self._filter(
            self.assigned_view, tr("Filter assigned {noun}…").format(noun=noun)
        )
        self.available_label = QLabel(self)
        self.assigned_label = QLabel(self)
        self.available_label.setBuddy(self.available_view)
        self.assigned_label.setBuddy(self.assigned_view)

        self.assign_button = QPushButton(tr("Assign ›"), self)
        self.assign_button.setObjectName(f"{panel.value}AssignButton")
        self.assign_button.setToolTip(tr("Assign the selected items to the unit (Enter)"))
        self.remove_button = QPushButton(tr("‹ Remove"), self)
        self.remove_button.setObjectName(f"{panel.value}RemoveButton")
        self.remove_button.setToolTip(tr("Take the selected items out of the unit (Delete)"))
        self.buttons = QVBoxLayout()
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.assign_button)
        self.buttons.addWidget(self.remove_button)
        self.buttons.addStretch(1)

        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 8)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.available_label, 0, 0)
        grid.addWidget(self.assigned_label, 0, 2)
        grid.addWidget(self.available_filter, 1, 0)
        grid.addWidget(self.assigned_filter, 1, 2)
        grid.addWidget(self.available_view, 2, 0)
        grid.addLayout(self.buttons, 2, 1)
        grid.addWidget(self.assigned_view, 2, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(2, 1)

        self.assign_button.clicked.connect(self.assign_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.available_view.enter_pressed.connect(self.assign_selected)
        self.assigned_view.delete_pressed.connect(self.remove_selected)
        self.assigned.dropped.connect(self._assign_items)
        self.assigned.refused.connect(self.refused.emit)
        self.available.dropped.connect(self.remove.emit)
        for model in (self.available, self.assigned):
            model.modelReset.connect(self._update)
        for view in (self.available_view, self.assigned_view):
            view.selectionModel().selectionChanged.connect(self._update)
        self._editable = True
        self._reason = ""
        self._update()

    def _view(self, model: MemberListModel, name: str) -> MemberListView:
        view = MemberListView(self)
        view.setObjectName(name)
        view.setModel(model)
        return view

    def _filter(self, view: MemberListView, placeholder: str) -> QLineEdit:
        box = QLineEdit(self)
        box.setPlaceholderText(placeholder)
        box.setClearButtonEnabled(True)
        box.setAccessibleName(placeholder.rstrip("…"))
        model = view.model()
        assert isinstance(model, MemberListModel)
        box.textChanged.connect(model.set_filter)
        box.installEventFilter(_FilterKeys(view, box))
        return box

    def set_titles(self, available: str, assigned: str) -> None:
        self.available_label.setText(available)
        self.assigned_label.setText(assigned)

    def set_items(self, available: Sequence[MemberItem], assigned: Sequence[MemberItem]) -> None:
        self.available.set_items(available)
        self.assigned.set_items(assigned)

    def set_editable(self, editable: bool, reason: str = "") -> None:
        self._editable = editable
        self._reason = reason
        for model in (self.available, self.assigned):
            model.set_editable(editable)
        for view in (self.available_view, self.assigned_view):
            view.set_drag_and_drop(editable)
        self._update()

    def selected(self, side: Side) -> list[MemberItem]:
        view = self.available_view if side is Side.AVAILABLE else self.assigned_view
        model = self.available if side is Side.AVAILABLE else self.assigned
        return [model.item_at(row) for row in view.selected_rows()]

    def assign_selected(self) -> None:
        if self._editable:
            self._assign_items(self.selected(Side.AVAILABLE))

    def remove_selected(self) -> None:
        if self._editable:
            items = self.selected(Side.ASSIGNED)
            if items:
                self.remove.emit(items)

    def _assign_items(self, items: list[MemberItem]) -> None:
        held = [i for i in items if i.holder is not None]
        free = [i for i in items if i.holder is None]
        if free:
            self.assign.emit(free)
        if held:
            self.refused.emit(held)

    def _update(self) -> None:
        has_available = bool(self.available_view.selected_rows())
        has_assigned = bool(self.assigned_view.selected_rows())
        self.assign_button.setEnabled(self._editable and has_available)
        self.remove_button.setEnabled(self._editable and has_assigned)
        if not self._editable:
            for button in (self.assign_button, self.remove_button):
                button.setToolTip(self._reason)


class UnitEditor(QWidget):
    """Members of one unit: users and teams, and phone numbers (see the module docstring).

    Signals:
        assign_requested(list, list, list): user ids, team names and numbers to assign.
        unassign_requested(list, list): user ids and numbers to take out of the unit.
        move_requested(list): numbers to move here from the units holding them.
        refused(list): held numbers someone tried to assign (``MemberItem``s, ``holder`` set).
    """

    assign_requested = Signal(list, list, list)
    unassign_requested = Signal(list, list)
    move_requested = Signal(list)
    refused = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unitEditor")
        self.members: UnitMembers | None = None
        self.title = QLabel(self)
        self.title.setObjectName("unitEditorTitle")
        # A long message (a failed read) wraps instead of widening the panel past the window.
        self.title.setWordWrap(True)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.hint = _TwoLineLabel(
            tr(
                "Drag between the lists, or select and use the buttons (Enter assigns, Delete "
                "removes). Dropping a team assigns its members."
            ),
            self,
        )
        self.hint.setObjectName("caption")
        self.hint.setWordWrap(True)
        self.hint.setFixedHeight(self.hint.fontMetrics().lineSpacing() * 2 + 4)
        self.people = AssignmentPanel(
            Panel.PEOPLE, tr("Users and teams"), tr("users and teams"), self
        )
        self.numbers = AssignmentPanel(Panel.NUMBERS, tr("Phone numbers"), tr("numbers"), self)
        self.move_button = QPushButton(tr("Move here"), self)
        self.move_button.setObjectName("moveHereButton")
        self.move_button.setToolTip(
            tr("Move the selected numbers from the units holding them to this unit")
        )
        self.numbers.buttons.insertWidget(3, self.move_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.people, 1)
        layout.addWidget(self.numbers, 1)

        self.people.assign.connect(self._assign_people)
        self.people.remove.connect(
            lambda items: self.unassign_requested.emit([i.key for i in items], [])
        )
        self.numbers.assign.connect(
            lambda items: self.assign_requested.emit([], [], [i.key for i in items])
        )
        self.numbers.remove.connect(
            lambda items: self.unassign_requested.emit([], [i.key for i in items])
        )
        self.people.refused.connect(self.refused.emit)
        self.numbers.refused.connect(self.refused.emit)
        self.move_button.clicked.connect(self.move_selected)
        self.numbers.available_view.selectionModel().selectionChanged.connect(self._update_move)
        self.numbers.available.modelReset.connect(self._update_move)
        self._editable = True
        self._reason = ""
        self.show_unit(None)

    @property
    def unit_id(self) -> int | None:
        return self.members.unit.id if self.members else None

    def _assign_people(self, items: list[MemberItem]) -> None:
        users = [i.key for i in items if i.kind is Kind.USER]
        teams = [i.key for i in items if i.kind is Kind.TEAM]
        self.assign_requested.emit(users, teams, [])

    def move_selected(self) -> None:
        held = [i.key for i in self.numbers.selected(Side.AVAILABLE) if i.holder is not None]
        if held and self._editable:
            self.move_requested.emit(held)

    def _update_move(self) -> None:
        held = any(i.holder for i in self.numbers.selected(Side.AVAILABLE))
        self.move_button.setEnabled(self._editable and held)
        if not self._editable:
            self.move_button.setToolTip(self._reason)

    def set_editable(self, editable: bool, reason: str = "") -> None:
        self._editable = editable
        self._reason = reason
        self.people.set_editable(editable, reason)
        self.numbers.set_editable(editable, reason)
        if not editable:
            self.hint.setText(reason)
        self._update_move()

    def show_unit(self, members: UnitMembers | None, message: str = "") -> None:
        """Show ``members`` (None: no unit chosen; ``message`` says why)."""
        self.members = members
        enabled = members is not None
        self.people.setEnabled(enabled)
        self.numbers.setEnabled(enabled)
        if members is None:
            self.title.setText(message or tr("Choose a billing unit to see its members."))
            self.people.set_items([], [])
            self.numbers.set_items([], [])
            self.people.set_titles(tr("Available"), tr("Assigned"))
            self.numbers.set_titles(tr("Available"), tr("Assigned"))
            return
        unit = members.unit
        self.title.setText(tr("Members of {unit_name}").format(unit_name=unit.name))
        self.title.setAccessibleName(self.title.text())
        people_available, people_assigned = people_items(members)
        numbers_available, numbers_assigned = number_items(members)
        self.people.set_items(people_available, people_assigned)
        self.numbers.set_items(numbers_available, numbers_assigned)
        self.people.set_titles(
            tr("&Available users and teams"),
            tr("Assigned to {unit_name} ({count})").format(
                unit_name=unit.name, count=len(unit.user_ids)
            ),
        )
        self.numbers.set_titles(
            tr("Available &numbers"),
            tr("Assigned to {unit_name} ({count})").format(
                unit_name=unit.name, count=len(unit.numbers)
            ),
        )

    def select(self, panel: Panel, side: Side, keys: Iterable[str]) -> None:
        """Select the rows showing ``keys`` (for keyboard flows and tests)."""
        group = self.people if panel is Panel.PEOPLE else self.numbers
        view = group.available_view if side is Side.AVAILABLE else group.assigned_view
        model = group.available if side is Side.AVAILABLE else group.assigned
        selection = view.selectionModel()
        selection.clearSelection()
        for key in keys:
            row = model.row_of(key)
            if row >= 0:
                index = model.index(row, 0)
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
                selection.select(index, QItemSelectionModel.SelectionFlag.Select)


def people_items(members: UnitMembers) -> tuple[list[MemberItem], list[MemberItem]]:
    """(available, assigned) of the users-and-teams panel: teams with members still to assign
    first, then users not in the unit; the unit's users."""
    in_unit = set(members.unit.user_ids)
    names = {p.id: p.name for p in members.people}
    teams = []
    for team, ids in members.teams.items():
        missing = [i for i in ids if i not in in_unit]
        if not missing:
            continue
        listed = ", ".join(names.get(i, i) for i in ids[:12]) + (" …" if len(ids) > 12 else "")
        tooltip = tr("Assigns the team's members: {listed}").format(listed=listed)
        if len(missing) < len(ids):
            tooltip += tr("\n{count} already in the unit").format(count=len(ids) - len(missing))
        teams.append(
            MemberItem(
                Kind.TEAM,
                team,
                ntr(
                    "Team {team} ({count} member)", "Team {team} ({count} members)", len(ids)
                ).format(team=team, count=len(ids)),
                tooltip,
            )
        )

    def user_item(person: PersonEntry) -> MemberItem:
        lines = [person.email]
        if person.teams:
            lines.append(tr("Teams: ") + ", ".join(person.teams))
        lines.append(tr("Units: ") + (", ".join(person.unit_names) or tr("none")))
        return MemberItem(
            Kind.USER,
            person.id,
            f"{person.name} ({person.id})",
            "\n".join(lines),
            keywords=" ".join([person.email, *person.teams, *person.unit_names]),
        )

    available = [user_item(p) for p in members.people if p.id not in in_unit]
    assigned = [user_item(p) for p in members.people if p.id in in_unit]
    return teams + available, assigned


def number_items(members: UnitMembers) -> tuple[list[MemberItem], list[MemberItem]]:
    """(available, assigned) of the numbers panel; numbers other units hold are available
    greyed, with that unit's name."""
    unit_id = members.unit.id
    available: list[MemberItem] = []
    assigned: list[MemberItem] = []
    for entry in members.numbers:
        text = f"{entry.number}  {entry.label}".rstrip()
        if entry.holder_id == unit_id:
            assigned.append(MemberItem(Kind.NUMBER, entry.number, text, entry.label))
        elif entry.holder_name is not None:
            available.append(
                MemberItem(
                    Kind.NUMBER,
                    entry.number,
                    tr("{number}  (in {holder})  {label}")
                    .format(number=entry.number, holder=entry.holder_name, label=entry.label)
                    .rstrip(),
                    tr(
                        "Held by the unit '{holder_name}'. A number belongs to at most one unit: "
                        "use Move here to move it to this unit."
                    ).format(holder_name=entry.holder_name),
                    holder=entry.holder_name,
                )
            )
        else:
            available.append(
                MemberItem(Kind.NUMBER, entry.number, text, entry.label or tr("Not in any unit"))
            )
    return available, assigned


class MessageBar(QFrame):
    """A one-line message above the editor, with an optional action and a close button.

    Signals:
        action_triggered(): the action button was pressed (the bar closes).
    """

    action_triggered = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "QFrame#messageBar { border-radius: 4px; }"
            # light backgrounds in both themes: their text stays dark
            "QFrame#messageBar[kind] QLabel { color: #1f2937; }"
            'QFrame#messageBar[kind="error"] { background: #fef3c7; border: 1px solid #f59e0b; }'
            'QFrame#messageBar[kind="info"] { background: #dbeafe; border: 1px solid #60a5fa; }'
        )
        self.label = QLabel(self)
        self.label.setObjectName("messageText")
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton(self)
        self.action_button.setObjectName("messageAction")
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setToolTip(tr("Dismiss (Esc)"))
        self.close_button.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.close_button)
        self.action_button.clicked.connect(self._act)
        self.close_button.clicked.connect(self.dismiss)
        self._action: Callable[[], None] | None = None
        self.hide()

    @property
    def text(self) -> str:
        return "" if self.isHidden() else self.label.text()

    def show_message(
        self,
        text: str,
        *,
        error: bool = True,
        action: str | None = None,
        on_action: Callable[[], None] | None = None,
    ) -> None:
        self.setProperty("kind", "error" if error else "info")
        self.style().unpolish(self)
        self.style().polish(self)
        self.label.setText(text)
        self._action = on_action
        self.action_button.setVisible(action is not None)
        self.action_button.setText(action or "")
        self.show()

    def dismiss(self) -> None:
        self._action = None
        self.hide()

    def _act(self) -> None:
        action = self._action
        self.dismiss()
        if action is not None:
            action()


class UnitNameDialog(QDialog):
    """Asks for a unit's name, saying at once when it cannot be used (empty, too long, or
    taken — whatever its case). ``name`` is the cleaned name once accepted."""

    def __init__(
        self,
        title: str,
        others: Sequence[str],
        current: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("unitNameDialog")
        self._others = list(others)
        self.name = ""
        self.edit = QLineEdit(current, self)
        self.edit.setObjectName("unitNameEdit")
        self.edit.setMaxLength(200)
        self.edit.selectAll()
        label = QLabel(tr("&Name:"), self)
        label.setBuddy(self.edit)
        self.problem = QLabel(self)
        self.problem.setObjectName("unitNameProblem")
        self.problem.setStyleSheet(f"color: {theme.NEGATIVE.name()};")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.edit, 1)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.edit.textChanged.connect(self._check)
        self.setMinimumWidth(380)
        self._check(current)

    def _check(self, text: str) -> None:
        ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            self.name = clean_unit_name(text, self._others)
        except InvalidInput as exc:
            self.name = ""
            message = translate_message(str(exc))
            self.problem.setText(message[:1].upper() + message[1:] if text.strip() else "")
            ok_button.setEnabled(False)
            return
        self.problem.setText("")
        ok_button.setEnabled(True)

    def accept(self) -> None:
        if self.name:
            super().accept()
