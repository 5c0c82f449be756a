"""Usage Data tab (PRODUCT §8.1): the call log, paged in from the store 500 rows at a time.

The log can hold a million calls: the first page and the count are read together, and the
model fetches further pages as the view scrolls (``canFetchMore``/``fetchMore``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from PySide6.QtWidgets import QWidget

from billing_desktop.domain.access import Actor, Area
from billing_desktop.services import overview
from billing_desktop.store.ports import CallRow, UnitOfWork, UnitOfWorkFactory
from billing_desktop.ui.models.paged import PAGE_SIZE, PagedTableModel
from billing_desktop.ui.models.table import RIGHT, Column, ColumnTableModel, text_column
from billing_desktop.ui.tabs.base import TabContext, TableTab, read


def first_page(uow: UnitOfWork, actor: Actor, limit: int) -> tuple[int, list[CallRow]]:
    """The call count and the newest ``limit`` calls, read in one unit of work."""
    return overview.call_count(uow, actor), overview.call_page(uow, actor, 0, limit)


def load_page(store: UnitOfWorkFactory, actor: Actor, offset: int, limit: int) -> list[CallRow]:
    return read(store, overview.call_page, actor, offset, limit)


def duration_text(seconds: int) -> str:
    """ "4:05" (minutes:seconds), or "1:02:03" from an hour up."""
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def _title(value: str) -> str:
    return value.replace("_", " ").capitalize()


class UsageDataTab(TableTab):
    """The call log, newest first, with the total count.

    Signals:
        loaded(): see :class:`TableTab` (the first page is shown).
    """

    area = Area.USAGE_DATA
    min_first_width = 0  # call ids are short; leave the width to the other columns

    def __init__(
        self, context: TabContext, parent: QWidget | None = None, page_size: int = PAGE_SIZE
    ) -> None:
        self.page_size = page_size
        super().__init__(context, parent)
        assert isinstance(self.model, PagedTableModel)
        self.paged: PagedTableModel = self.model
        self.paged.page_loaded.connect(self._update_caption)
        self.paged.load_failed.connect(self._page_failed)

    def columns(self) -> Sequence[Column[Any]]:
        return [
            text_column("Call", lambda c: c.id),
            text_column("Type", lambda c: _title(c.type)),
            text_column("Triggered by", lambda c: _title(c.triggered_by)),
            text_column("Trigger source", lambda c: c.trigger_source),
            text_column("Candidate", lambda c: c.candidate_id or ""),
            text_column("Campaign", lambda c: c.campaign),
            text_column("Number", lambda c: c.number or ""),
            text_column("Started", lambda c: c.started_at, "Start time in the account's time zone"),
            Column[CallRow](
                "Duration",
                lambda c: duration_text(c.duration_seconds),
                RIGHT,
                "Minutes:seconds",
                lambda c: c.duration_seconds,
            ),
        ]

    def make_model(self) -> ColumnTableModel[Any]:
        loader = partial(load_page, self.context.store, self.context.actor)
        return PagedTableModel(self.columns(), self.context.runner, loader, self.page_size, self)

    def start_load(self) -> None:
        self.caption.setText("Call log, newest first.")
        self.load(first_page, self.context.actor, self.page_size)

    def populate(self, result: Any) -> int:
        total, rows = result
        self.paged.reset(total, rows)
        self._update_caption()
        return len(rows)

    def clear_model(self) -> None:
        self.paged.reset(0, [])

    def _update_caption(self) -> None:
        total, shown = self.paged.total, self.paged.rowCount()
        zone = self.context.account.timezone if self.context.account else "UTC"
        more = f" ({shown:,} loaded; scroll for more)" if shown < total else ""
        plural = "call" if total == 1 else "calls"
        self.caption.setText(f"Call log: {total:,} {plural}, newest first{more}. Times in {zone}.")

    def _page_failed(self, message: str) -> None:
        self.caption.setText(f"Could not load more calls: {message}")

    def empty_text(self) -> str:
        return (
            "No calls recorded yet.\nCalls appear here once they are imported "
            "(File ▸ Import…, kind “calls”)."
        )
