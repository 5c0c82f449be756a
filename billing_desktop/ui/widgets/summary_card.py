"""A summary card: a title, one big figure, a note under it and a few labelled lines."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from billing_desktop.ui import theme
from billing_desktop.ui.i18n import tr
from billing_desktop.ui.models.table import NEGATIVE


def card_style() -> str:
    """The card's look in the current theme (ui.theme's colours)."""
    return f"""
QFrame#summaryCard {{
    background-color: palette(base);
    border: 1px solid {theme.CARD_BORDER.name()};
    border-radius: 6px;
}}
QFrame#summaryCard QLabel#cardTitle {{
    color: {theme.CHART_INK.name()};
    font-weight: 600;
}}
QFrame#summaryCard QLabel#cardNote,
QFrame#summaryCard QLabel#cardFieldName {{
    color: {theme.MUTED.name()};
}}
"""


class SummaryCard(QFrame):
    """A card of the Usage tab. ``set_value`` colours negative amounts red (PRODUCT §4.4)."""

    def __init__(self, title: str, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("summaryCard")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        theme.follow(self, card_style)
        self.title = QLabel(title, self)
        self.title.setObjectName("cardTitle")
        self.caption = QLabel(caption, self)
        self.caption.setObjectName("cardNote")
        self.value = QLabel("—", self)
        self.value.setObjectName("cardValue")
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.value.setFont(font)
        self.note = QLabel("", self)
        self.note.setObjectName("cardNote")
        self.note.setWordWrap(True)
        self.fields = QFormLayout()
        self.fields.setContentsMargins(0, 6, 0, 0)
        self.fields.setHorizontalSpacing(14)
        self.fields.setVerticalSpacing(4)
        self.fields.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._field_labels: dict[str, QLabel] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.note)
        layout.addLayout(self.fields)
        layout.addStretch(1)

    def add_field(self, key: str, label: str) -> QLabel:
        name = QLabel(label, self)
        name.setObjectName("cardFieldName")
        value = QLabel("—", self)
        value.setObjectName(f"field_{key}")
        value.setWordWrap(True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fields.addRow(name, value)
        self._field_labels[key] = value
        return value

    def field(self, key: str) -> QLabel:
        return self._field_labels[key]

    def set_value(self, text: str, negative: bool = False, tooltip: str = "") -> None:
        self.value.setText(text)
        self.value.setToolTip(tooltip)
        # Colour is never the only signal: the text has its minus sign, and this says why.
        self.value.setAccessibleName(f"{self.title.text()}, {self.caption.text()}")
        self.value.setAccessibleDescription(
            tr("Negative balance: {tooltip}").format(tooltip=tooltip) if negative and tooltip else
            tr("Negative balance") if negative else tooltip
        )  # fmt: skip
        palette = self.value.palette()
        colour = NEGATIVE if negative else self.palette().color(QPalette.ColorRole.WindowText)
        palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
        self.value.setPalette(palette)

    @property
    def value_is_red(self) -> bool:
        return self.value.palette().color(QPalette.ColorRole.WindowText) == NEGATIVE

    def clear(self) -> None:
        self.set_value("—")
        self.note.setText("")
        for label in self._field_labels.values():
            label.setText("—")
            label.setToolTip("")
