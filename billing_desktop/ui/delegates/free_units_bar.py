"""The free-units cell: a bar that shrinks as free units are used, and "used / total" beside it.

One delegate paints every row (no widget per row). It reads ``(used, total)`` from the model's
``BAR_ROLE`` and the text from the display role; a product without free units shows the text
only, muted.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from billing_desktop.ui import theme
from billing_desktop.ui.models.sortable import BAR_ROLE

Index = QModelIndex | QPersistentModelIndex

BAR_WIDTH = 90
BAR_HEIGHT = 8
GAP = 10
PADDING = 8
TRACK = theme.BAR_TRACK  # themed colours: light and dark (ui.theme)
LEFT_PLENTY = theme.BAR_PLENTY
LEFT_LOW = theme.BAR_LOW
LOW_SHARE = Decimal("0.2")


def remaining_share(used: Decimal, total: Decimal) -> Decimal:
    """The share of free units still unused, 0..1 (0 when there are none)."""
    if total <= 0:
        return Decimal(0)
    return max(Decimal(0), min(Decimal(1), (total - used) / total))


class FreeUnitsBarDelegate(QStyledItemDelegate):
    """Paints the free-units column: bar (what is left) then the "used / total" text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def _bar_value(self, index: Index) -> tuple[Decimal, Decimal] | None:
        value = index.data(BAR_ROLE)
        if not isinstance(value, tuple) or len(value) != 2:
            return None
        used, total = value
        if not isinstance(used, Decimal) or not isinstance(total, Decimal) or total <= 0:
            return None
        return used, total

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect: QRect = opt.rect.adjusted(PADDING, 0, -PADDING, 0)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            bar = self._bar_value(index)
            if bar is None:
                colour = opt.palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
                painter.setPen(opt.palette.color(text_role) if selected else colour)
                painter.setFont(opt.font)
                painter.drawText(
                    rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text
                )
                return
            used, total = bar
            text_width = opt.fontMetrics.horizontalAdvance(text)
            width = min(BAR_WIDTH, max(0, rect.width() - text_width - GAP))
            if width >= 24:
                top = rect.top() + (rect.height() - BAR_HEIGHT) / 2
                track = QRectF(rect.left(), top, width, BAR_HEIGHT)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(TRACK)
                painter.drawRoundedRect(track, BAR_HEIGHT / 2, BAR_HEIGHT / 2)
                share = remaining_share(used, total)
                if share > 0:
                    left = QRectF(track)
                    left.setWidth(max(BAR_HEIGHT, float(share) * width))
                    painter.setBrush(LEFT_LOW if share <= LOW_SHARE else LEFT_PLENTY)
                    painter.drawRoundedRect(left, BAR_HEIGHT / 2, BAR_HEIGHT / 2)
                rect = rect.adjusted(int(width) + GAP, 0, 0, 0)
            painter.setPen(opt.palette.color(text_role))
            painter.setFont(opt.font)
            painter.drawText(
                rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text
            )
        finally:
            painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        hint = super().sizeHint(option, index)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        width = option.fontMetrics.horizontalAdvance(text) + 2 * PADDING
        if self._bar_value(index) is not None:
            width += BAR_WIDTH + GAP
        return QSize(max(hint.width(), width), hint.height())
