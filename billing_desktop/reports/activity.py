"""The activity report as a PDF (issue 18 §4): landscape A4 in the statements' layout, the
filters and the chain's state on top, one row per audit row, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.platypus import Flowable

from billing_desktop.reports.layout import (
    Col,
    Furniture,
    RenderHooks,
    build,
    gap,
    note_box,
    para,
    table,
    write_atomically,
)
from billing_desktop.services.activity import HEADER, ActivityLine, ChainReport

TITLE = "Activity report"
_WIDE = landscape(A4)[0] - 2 * 18 * 72 / 25.4  # the content width of a landscape page
COLUMNS = (
    Col(HEADER[0], 96),
    Col(HEADER[1], 120),
    Col(HEADER[2], 50),
    Col(HEADER[3], 110),
    Col(HEADER[4], 110),
    Col(HEADER[5], _WIDE - 486),
)


def _zone(lines: Sequence[ActivityLine]) -> str:
    if not lines or lines[0].at.tzinfo is None:
        return ""
    zone = lines[0].at.tzinfo
    return f" · times in {getattr(zone, 'key', None) or zone.tzname(lines[0].at)}"


def activity_pdf(
    path: Path,
    lines: Sequence[ActivityLine],
    *,
    account: str,
    filters: str,
    chain: ChainReport | None,
    hooks: RenderHooks | None = None,
) -> int:
    """Write the report of ``lines`` to ``path`` (all at once); returns the pages."""
    story: list[Flowable] = [
        para(TITLE, "issuer"),
        para(f"{account} · {filters}{_zone(lines)}", "muted"),
        gap(6),
    ]
    if chain is not None:
        story.append(note_box([chain.summary()], warn=not chain.verified, width=_WIDE))
        story.append(gap(8))
    rows = [[f"{line.at:%Y-%m-%d %H:%M:%S}", *line.cells()[1:]] for line in lines]
    if rows:
        story.append(table(COLUMNS, rows, hooks=hooks))
    else:
        story.append(para("No activity matches these filters.", "body"))
    rendered = build(
        story,
        Furniture(footer=f"{account} · {TITLE}", running_title=TITLE, running_account=account),
        title=TITLE,
        author="Billing Desktop",
        subject=f"{TITLE} for {account}",
        hooks=hooks,
        estimated_pages=1 + len(rows) // 30,
        pagesize=landscape(A4),
    )
    write_atomically(path, rendered.data)
    return rendered.pages


def save_activity(
    path: Path,
    lines: Sequence[ActivityLine],
    *,
    account: str,
    filters: str,
    chain: ChainReport | None,
    hooks: RenderHooks | None = None,
) -> int:
    """Save the report as a PDF (``.pdf``), an Excel workbook (``.xlsx``) or formula-safe
    CSV (any other suffix), by the file's suffix; returns the rows saved."""
    if path.suffix.lower() == ".pdf":
        activity_pdf(path, lines, account=account, filters=filters, chain=chain, hooks=hooks)
        return len(lines)
    from billing_desktop.exports.tables import write_table

    return write_table(path, HEADER, [line.cells() for line in lines], title=TITLE)
