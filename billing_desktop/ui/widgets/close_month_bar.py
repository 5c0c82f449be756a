"""The Usage tab's line naming the ended months that are not closed, with Close month…
(issue 18 §1). Shown only to users who may close months (the right to edit Usage); others
never see it. The months come from ``services.month_close.months_to_close``, read off the GUI
thread whenever the tab loads (so it follows every close, here or elsewhere)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from billing_desktop.domain.access import Area
from billing_desktop.domain.periods import Month
from billing_desktop.services.month_close import months_to_close
from billing_desktop.ui.context import TabContext, read
from billing_desktop.ui.i18n import ntr, tr
from billing_desktop.ui.locale_format import format_month, format_month_only, month_name
from billing_desktop.ui.tasks import TaskHandle


def months_sentence(months: list[Month]) -> str:
    """ "October and November 2026 have ended and are not closed" (years said once when
    the months share one)."""
    if not months:
        return ""
    if len({m.year for m in months}) == 1:
        names = [format_month_only(m.first_day) for m in months]
        names[-1] = format_month(months[-1].first_day, capital=False)
    else:
        names = [month_name(m, capital=False) for m in months]  # the sentence's start: below
    joined = (
        names[0]
        if len(names) == 1
        else tr("{months} and {last}").format(months=", ".join(names[:-1]), last=names[-1])
    )
    sentence = ntr(
        "{months} has ended and is not closed",
        "{months} have ended and are not closed",
        len(months),
    ).format(months=joined)
    return sentence[:1].upper() + sentence[1:]


class CloseMonthBar(QFrame):
    """ "October and November 2026 have ended and are not closed. [Close October 2026…]"

    Signals:
        months_read(object): the months not closed (a list, oldest first) were shown.
        close_requested(object): Close month… was pressed; the month to close (the oldest).
    """

    months_read = Signal(object)
    close_requested = Signal(object)

    def __init__(self, context: TabContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("closeMonthBar")
        self.setStyleSheet(
            "QFrame#closeMonthBar { background: #fff7e6; border: 1px solid #f5c26b; "
            "border-radius: 4px; } QFrame#closeMonthBar QLabel { color: #7a4b00; }"
        )
        self.context = context
        self.allowed = context.actor.rights.can_edit(Area.USAGE)
        self.months: list[Month] = []
        self._handle: TaskHandle | None = None
        self.label = QLabel(self)
        self.label.setObjectName("closeMonthLabel")
        self.label.setWordWrap(True)
        self.button = QPushButton(tr("Close month…"), self)
        self.button.setObjectName("closeMonthButton")
        self.button.clicked.connect(self.request_close)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 6, 6)
        row.addWidget(self.label, 1)
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()

    def refresh(self) -> None:
        """Read the months not closed again (nothing for a user who may not close them)."""
        if not self.allowed or self.context.account is None:
            return
        if self._handle is not None:
            self._handle.cancel()
        self._handle = self.context.runner.run(
            read,
            self.context.store,
            months_to_close,
            self.context.actor,
            on_done=self._show,
            on_error=self._failed,
            description="months not closed",
        )

    def _show(self, months: list[Month]) -> None:
        self._handle = None
        self.months = list(months)
        if months:
            oldest = months[0]
            self.label.setText(
                tr("{months_sentence}. Months close in order, the oldest first.").format(
                    months_sentence=months_sentence(self.months)
                )
            )
            self.button.setText(
                tr("&Close {month_name}…").format(month_name=month_name(oldest, capital=False))
            )
            self.button.setToolTip(
                tr(
                    "Preview what closing {month_name} writes (ledger rows, the invoice, plan "
                    "changes), then close it"
                ).format(month_name=month_name(oldest, capital=False))
            )
        self.setVisible(bool(months))
        self.months_read.emit(self.months)

    def _failed(self, _message: str) -> None:
        self._handle = None
        self.hide()  # the tab shows the store's problem itself

    def request_close(self) -> None:
        if self.months:
            self.close_requested.emit(self.months[0])
