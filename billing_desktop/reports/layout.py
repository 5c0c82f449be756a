"""What the PDF documents share: A4 pages in the bundled DejaVu Sans, "Page X of Y" and a
running header on every page, table styles, text that is always printed literally.

Two rules keep user text literal (a name like ``Smith & Sons <Ltd>`` prints as written):
text for a ``Paragraph`` goes through :func:`para`, which escapes it; table cells are plain
strings (reportlab draws them as they are, no markup), wrapped here by :func:`wrap` so long
names break onto more lines of a row whose height is known in advance (``rowHeights`` keeps
a 10,000-row table fast, PERFORMANCE B5).
"""

from __future__ import annotations

import bisect
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from billing_desktop.domain.money import currency_symbol, format_money, minor_digits
from billing_desktop.reports.fonts import FALLBACK, covered, register, runs
from billing_desktop.services.statements import MONTH_NAMES

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 20 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
FRAME_PADDING = 6  # reportlab's default padding inside a page frame

INK = colors.HexColor("#1d2329")
MUTED = colors.HexColor("#5b6670")
RULE = colors.HexColor("#c5ced6")
ACCENT = colors.HexColor("#1f4e79")
HEADER_FILL = colors.HexColor("#e8eef4")
ZEBRA = colors.HexColor("#f5f7f9")
NOTE_FILL = colors.HexColor("#fff6dc")
NOTE_EDGE = colors.HexColor("#d4a017")
PAID = colors.HexColor("#1e7b34")
OVERDUE = colors.HexColor("#b3261e")
STAMP = colors.HexColor("#a86a00")

CELL_SIZE = 8.0
CELL_LEADING = 10.0
CELL_PAD = 2.5
# A table cell shows at most this many lines (200 pt: a row fits any page, landscape too), a
# paragraph at most this many characters (a name in the 13 pt issuer style: about 370 pt).
MAX_CELL_LINES = 20
MAX_PARAGRAPH = 1000


class RenderCancelled(Exception):
    """The user cancelled a render; nothing was written."""


@dataclass
class RenderHooks:
    """Progress (fraction 0..1 and a message) and cancellation for long renders."""

    progress: Callable[[float, str], None] | None = None
    cancelled: Callable[[], bool] | None = None

    def check(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise RenderCancelled("cancelled")

    def report(self, fraction: float, message: str) -> None:
        self.check()
        if self.progress is not None:
            self.progress(max(0.0, min(1.0, fraction)), message)


@dataclass(frozen=True, slots=True)
class Rendered:
    data: bytes
    pages: int


# --- text ----------------------------------------------------------------------------------


def fonts() -> tuple[str, str]:
    return register()


@cache
def styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9, leading=12, textColor=INK)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10.5),
        "muted": ParagraphStyle("muted", parent=base, fontSize=8, leading=10.5, textColor=MUTED),
        "issuer": ParagraphStyle("issuer", parent=base, fontName=bold, fontSize=13, leading=16),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=bold,
            fontSize=20,
            leading=24,
            textColor=ACCENT,
            alignment=TA_RIGHT,
        ),
        "party": ParagraphStyle("party", parent=base, fontName=bold, fontSize=11, leading=14),
        "label": ParagraphStyle(
            "label", parent=base, fontSize=7.5, leading=10, textColor=MUTED, alignment=TA_LEFT
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=bold,
            fontSize=11,
            leading=14,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "note": ParagraphStyle("note", parent=base, fontSize=8, leading=10.5),
        "stamp": ParagraphStyle(
            "stamp",
            parent=base,
            fontName=bold,
            fontSize=9,
            leading=12,
            textColor=STAMP,
            alignment=TA_RIGHT,
        ),
    }


def para(text: str, style: str = "body", *, bold: bool = False) -> Paragraph:
    """A paragraph of literal text: markup characters in ``text`` are escaped; characters
    the main font lacks are set in the fallback font (or printed as U+FFFD); text beyond
    :data:`MAX_PARAGRAPH` characters is cut off with an ellipsis."""
    if len(text) > MAX_PARAGRAPH:  # so that it cannot be taller than a page
        text = text[: MAX_PARAGRAPH - 1] + "…"
    parts = []
    for font, part in runs(text, bold or styles()[style].fontName == fonts()[1]):
        escaped = escape(part).replace("\n", "<br/>")
        parts.append(f'<font name="{FALLBACK}">{escaped}</font>' if font == FALLBACK else escaped)
    body = "".join(parts)
    if bold:
        body = f"<b>{body}</b>"
    return Paragraph(body, styles()[style])


@cache
def _advances(bold: bool) -> tuple[dict[str, float], float]:
    """Each character's advance width (per 1 pt of font size), and the default one.

    TrueType text in a PDF is the plain sum of its glyphs' advances (reportlab applies no
    kerning), so a width can be summed from a per-character table — the same figure as
    ``stringWidth`` at a fraction of its cost, which matters for 60,000 table cells.
    """
    regular, heavy = fonts()
    face = getFont(heavy if bold else regular).face
    return {}, float(face.defaultWidth) / 1000.0


def text_width(text: str, bold: bool = False, size: float = CELL_SIZE) -> float:
    advances = _advances(bold)[0]
    total = 0.0
    for char in text:
        advance = advances.get(char)
        if advance is None:
            advance = _advance(char, bold)
        total += advance
    return total * size


def _advance(char: str, bold: bool) -> float:
    advances, default = _advances(bold)
    regular, heavy = fonts()
    font = heavy if bold else regular
    if not covered(char, bold):  # as it prints: in the fallback font, or as U+FFFD
        ((font, shown),) = runs(char, bold)
        char_code = ord(shown)
    else:
        char_code = ord(char)
    widths = getFont(font).face.charWidths
    advance = float(widths.get(char_code, default * 1000.0)) / 1000.0
    advances[char] = advance
    return advance


def wrap(text: str, width: float, *, bold: bool = False, size: float = CELL_SIZE) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points: at its own line breaks, at
    spaces where it can, inside a word where a word alone is too wide. Never loses a
    character other than the line breaks and tabs it turns into lines and spaces."""
    if "\n" in text or "\r" in text or "\t" in text:
        return [
            line
            for part in text.replace("\t", " ").splitlines() or [""]
            for line in wrap(part, width, bold=bold, size=size)
        ]
    if text_width(text, bold, size) <= width:
        return [text]
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, bold, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for char in word:  # a word wider than the column: break it where it must
            if current and text_width(current + char, bold, size) > width:
                lines.append(current)
                current = ""
            current += char
    if current or not lines:
        lines.append(current)
    return lines


def fit(text: str, width: float, *, bold: bool = False, size: float = CELL_SIZE) -> str:
    """``text`` shortened with an ellipsis to fit on one line of ``width`` points."""
    if text_width(text, bold, size) <= width:
        return text
    while text and text_width(text + "…", bold, size) > width:
        text = text[:-1]
    return text + "…"


def long_date(day: date) -> str:
    """ "1 Nov 2026" (English month names whatever the locale)."""
    return f"{day.day} {MONTH_NAMES[day.month - 1][:3]} {day.year}"


def money(amount: Decimal, currency: str) -> str:
    return format_money(amount, currency)


def price(amount: Decimal, currency: str) -> str:
    return format_money(amount, currency, keep_precision=True)


def quantity(value: Decimal) -> str:
    """Thousands separators, no exponent: "30,198", "6,835.78"."""
    return f"{value.normalize():,f}"


def currency_line(currency: str) -> str:
    digits = minor_digits(currency)
    decimals = "no decimals" if digits == 0 else f"{digits} decimal{'s' if digits != 1 else ''}"
    return f"Amounts in {currency} ({currency_symbol(currency)}), {decimals}"


# --- tables --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Col:
    title: str
    width: float
    right: bool = False


def table(
    columns: Sequence[Col],
    rows: Sequence[Sequence[str]],
    *,
    bold_rows: Sequence[int] = (),
    extra: Sequence[tuple[Any, ...]] = (),
    hooks: RenderHooks | None = None,
    zebra: bool = True,
) -> PagedTable:
    """A table of plain-text cells with its header row repeated at the top of every page.

    Cells wrap to their column (literal text, no markup); every row's height is computed
    here, so reportlab never has to measure them. ``bold_rows`` index ``rows``; ``extra``
    style commands use the coordinates of the whole table (header = row 0).
    """
    pad = 2 * CELL_PAD + 1
    header = [_cell(c.title, c.width - pad, True) for c in columns]
    data: list[list[str]] = [[h for h, _ in header]]
    heights = [max(n for _, n in header) * CELL_LEADING + 2 * CELL_PAD]
    bold = {r + 1 for r in bold_rows}
    regular, heavy = fonts()
    shrunk: list[tuple[Any, ...]] = []  # figures never wrap: a too-wide one gets smaller type
    mixed: dict[tuple[int, int], MixedText] = {}  # cells drawn run by run, in two fonts
    for index, row in enumerate(rows):
        if hooks is not None and index % 500 == 0:
            hooks.check()
        heavy_row = index + 1 in bold
        texts: list[str] = []
        lines = 1
        for column, (text, c) in enumerate(zip(row, columns, strict=True)):
            if c.right:
                wide = text_width(text, heavy_row)
                if wide > c.width - pad:
                    size = max(4.0, CELL_SIZE * (c.width - pad) / wide)
                    font = heavy if heavy_row else regular
                    cell = (column, index + 1)
                    shrunk.append(("FONT", cell, cell, font, size, CELL_LEADING))
                texts.append(text)
                continue
            wrapped, count = _cell(text, c.width - pad, heavy_row)
            if not covered(wrapped, heavy_row):  # CJK, or a character no font has
                mixed[(column, index + 1)] = MixedText(wrapped, heavy_row, CELL_SIZE, CELL_LEADING)
                wrapped = ""
            texts.append(wrapped)
            lines = max(lines, count)
        data.append(texts)
        heights.append(lines * CELL_LEADING + 2 * CELL_PAD)
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), regular, CELL_SIZE, CELL_LEADING),
        ("FONT", (0, 0), (-1, 0), heavy, CELL_SIZE, CELL_LEADING),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
    ]
    if zebra and len(data) > 2:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]))
    for position, col in enumerate(columns):
        if col.right:
            commands.append(("ALIGN", (position, 0), (position, -1), "RIGHT"))
    for bold_row in sorted(bold):
        commands.append(("FONT", (0, bold_row), (-1, bold_row), heavy, CELL_SIZE, CELL_LEADING))
    commands.extend(shrunk)
    commands.extend(extra)
    for (at_column, at_row), flowable in mixed.items():
        data[at_row][at_column] = flowable  # a flowable where the string would be
    return PagedTable(data, [c.width for c in columns], heights, commands)


class PagedTable(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """A long table laid out page by page in linear time.

    reportlab splits a table by re-measuring and copying everything left after each page,
    which is quadratic: a 10,000-row statement spent most of its time there. Row heights are
    known here, so each split finds the rows that fit with a binary search over running
    heights, and draws them as their own ``LongTable`` with the header row on top (the header
    repeats on every page; each part also keeps ``repeatRows=1`` in case it is split again).
    """

    def __init__(
        self,
        data: list[list[str]],
        widths: list[float],
        heights: list[float],
        commands: list[tuple[Any, ...]],
        start: int = 1,
        running: list[float] | None = None,
    ) -> None:
        super().__init__()
        self._data = data
        self._widths = widths
        self._heights = heights
        self._commands = commands
        self._start = start
        if running is None:  # running[i] = height of data rows 1..i-1 (row 0 is the header)
            running = [0.0, 0.0]
            for height in heights[1:]:
                running.append(running[-1] + height)
        self._running = running
        self.hAlign = "LEFT"

    @property
    def rows(self) -> int:
        """Data rows in this part (the header not counted)."""
        return len(self._data) - self._start

    def _rows_height(self, start: int, stop: int) -> float:
        return self._running[stop] - self._running[start]

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = sum(self._widths)
        self.height = self._heights[0] + self._rows_height(self._start, len(self._data))
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        room = available_height - self._heights[0]
        limit = self._running[self._start] + room + 1e-6
        stop = bisect.bisect_right(self._running, limit) - 1
        if stop <= self._start:
            return []  # not even one row fits under the header: start on the next page
        if stop >= len(self._data):  # all fit after all (rounding): reportlab's own table
            return [self.part(self._start, len(self._data))]
        rest = PagedTable(
            self._data, self._widths, self._heights, self._commands, stop, self._running
        )
        return [self.part(self._start, stop), rest]

    def part(self, start: int, stop: int) -> LongTable:
        """Data rows [start, stop) under the header, as a reportlab table."""
        total = len(self._data)
        rows = [self._data[0], *self._data[start:stop]]
        result = LongTable(
            rows,
            colWidths=self._widths,
            rowHeights=[self._heights[0], *self._heights[start:stop]],
            repeatRows=1,
            hAlign="LEFT",
        )
        commands = []
        for command in self._commands:
            commands.extend(_part_commands(command, total, start, stop))
        result.setStyle(TableStyle(commands))
        return result

    def draw(self) -> None:
        whole = self.part(self._start, len(self._data))
        whole.wrapOn(self.canv, self.width, self.height)
        whole.drawOn(self.canv, 0, 0)


def _part_commands(
    command: tuple[Any, ...], total: int, start: int, stop: int
) -> list[tuple[Any, ...]]:
    """``command`` (in whole-table rows; header = 0) for the part holding the header and data
    rows [start, stop), which are rows 1.. of the part."""
    name, (c0, r0), (c1, r1), *rest = command
    first = r0 if r0 >= 0 else total + r0
    last = r1 if r1 >= 0 else total + r1
    found: list[tuple[Any, ...]] = []
    if first == 0:
        found.append((name, (c0, 0), (c1, 0), *rest))
        if name == "ROWBACKGROUNDS":
            return found
    low, high = max(first, start, 1), min(last, stop - 1)
    if low > high:
        return found
    if name == "ROWBACKGROUNDS":
        cycle = list(rest[0])
        shift = (low - first) % len(cycle)
        rest = [cycle[shift:] + cycle[:shift], *rest[1:]]
    if first == 0 and name != "ROWBACKGROUNDS":
        found.clear()  # the header and the rows: one command over the whole part
        found.append((name, (c0, 0), (c1, high - start + 1), *rest))
        return found
    found.append((name, (c0, low - start + 1), (c1, high - start + 1), *rest))
    return found


class MixedText(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """The lines of a table cell that need more than one font (a CJK name in DejaVu Sans and
    Droid Sans Fallback), drawn run by run where a plain string cell would be drawn: the
    first baseline one font size below the top, then one ``leading`` apart."""

    def __init__(
        self, text: str, bold: bool, size: float, leading: float, *, right: bool = False
    ) -> None:
        super().__init__()
        self.text = text
        self._lines = [runs(line, bold) for line in text.split("\n")]
        self._size, self._leading, self._right = size, leading, right

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        self.height = len(self._lines) * self._leading
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFillColor(INK)
        y = self.height - self._size
        for line in self._lines:
            widths = [stringWidth(part, font, self._size) for font, part in line]
            x = self.width - sum(widths) if self._right else 0.0
            for (font, part), width in zip(line, widths, strict=True):
                canvas.setFont(font, self._size)
                canvas.drawString(x, y, part)
                x += width
            y -= self._leading


def draw_text(
    canvas: Canvas, x: float, y: float, text: str, *, bold: bool, size: float, right: bool = False
) -> None:
    """``text`` on ``canvas`` at ``x``, ``y`` (its right end there when ``right``), in the
    main font and, for what it lacks, the fallback (the page furniture: account names)."""
    parts = runs(text, bold)
    widths = [stringWidth(part, font, size) for font, part in parts]
    if right:
        x -= sum(widths)
    for (font, part), width in zip(parts, widths, strict=True):
        canvas.setFont(font, size)
        canvas.drawString(x, y, part)
        x += width


def _cell(text: str, width: float, bold: bool) -> tuple[str, int]:
    lines = clip(wrap(text, width, bold=bold), width, bold=bold)
    return "\n".join(lines), len(lines)


def clip(
    lines: list[str], width: float, *, bold: bool = False, size: float = CELL_SIZE
) -> list[str]:
    """At most :data:`MAX_CELL_LINES` of ``lines``, the last one ending in an ellipsis when
    some were left out: a row is never taller than a page (a 3,000-character product name
    would otherwise stop the whole document with reportlab's LayoutError)."""
    if len(lines) <= MAX_CELL_LINES:
        return lines
    last = lines[MAX_CELL_LINES - 1]
    while last and text_width(last + "…", bold, size) > width:
        last = last[:-1]
    return [*lines[: MAX_CELL_LINES - 1], last + "…"]


def key_values(
    pairs: Sequence[tuple[str, str]], widths: tuple[float, float], *, colours: dict[int, Any]
) -> Table:
    """Label / value lines (the document's number, dates, status), values right-aligned."""
    regular, heavy = fonts()
    rows = [
        [label, "\n".join(wrap(value, widths[1] - 2, bold=True, size=9))] for label, value in pairs
    ]
    heights = [max(12.0, 11.0 * value.count("\n") + 12.0) for _, value in rows]
    cells: list[list[Any]] = [
        [label, value if covered(value, True) else MixedText(value, True, 9, 11, right=True)]
        for label, value in rows
    ]
    result = Table(cells, colWidths=list(widths), rowHeights=heights, hAlign="RIGHT")
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (0, -1), regular, 8, 11),
        ("TEXTCOLOR", (0, 0), (0, -1), MUTED),
        ("FONT", (1, 0), (1, -1), heavy, 9, 11),
        ("TEXTCOLOR", (1, 0), (1, -1), INK),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]
    for row, colour in colours.items():
        commands.append(("TEXTCOLOR", (1, row), (1, row), colour))
    result.setStyle(TableStyle(commands))
    return result


def header_band(
    left: Sequence[Flowable], right: Sequence[Flowable], *, width: float = CONTENT_WIDTH
) -> Table:
    """The first page's top: the issuer on the left, the document's title and facts right."""
    band = Table(
        [[list(left), list(right)]],
        colWidths=[width * 0.52, width * 0.48],
        hAlign="LEFT",
    )
    band.setStyle(
        TableStyle(
            [
                # Cells of flowables still set a font: the bundled one (PDF/A embeds it).
                ("FONT", (0, 0), (-1, -1), fonts()[0], 9, 12),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT),
            ]
        )
    )
    return band


def note_box(lines: Sequence[str], *, warn: bool = False, width: float = CONTENT_WIDTH) -> Table:
    """A boxed note (a provisional statement, a summary line): literal text."""
    box = Table([[[para(line, "note") for line in lines]]], colWidths=[width])
    box.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), fonts()[0], 9, 12),
                ("BACKGROUND", (0, 0), (-1, -1), NOTE_FILL if warn else ZEBRA),
                ("BOX", (0, 0), (-1, -1), 0.8, NOTE_EDGE if warn else RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return box


def gap(points: float = 6) -> Spacer:
    return Spacer(1, points)


# --- pages ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Furniture:
    """What every page carries: a footer (left text, "Page X of Y") and, from page 2 on, a
    running header naming the document and the account."""

    footer: str
    running_title: str
    running_account: str


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _draw_furniture(canvas: Canvas, furniture: Furniture, page: int, total: int) -> None:
    regular, _ = fonts()
    page_width, page_height = canvas._pagesize  # A4, or landscape A4 (build's pagesize)
    content_width = page_width - 2 * MARGIN_X
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    y = MARGIN_BOTTOM - 8 * mm
    canvas.line(MARGIN_X, y + 10, page_width - MARGIN_X, y + 10)
    canvas.setFillColor(MUTED)
    label = f"Page {page} of {total}"
    canvas.setFont(regular, 7.5)
    canvas.drawRightString(page_width - MARGIN_X, y, label)
    room = content_width - text_width(label, size=7.5) - 12
    footer = fit(_one_line(furniture.footer), room, size=7.5)
    draw_text(canvas, MARGIN_X, y, footer, bold=False, size=7.5)
    if page > 1:
        top = page_height - MARGIN_TOP + 6 * mm
        canvas.setFillColor(ACCENT)
        title = fit(_one_line(furniture.running_title), content_width * 0.5, bold=True, size=8)
        draw_text(canvas, MARGIN_X, top, title, bold=True, size=8)
        canvas.setFillColor(MUTED)
        account = fit(_one_line(furniture.running_account), content_width * 0.45, size=8)
        draw_text(canvas, page_width - MARGIN_X, top, account, bold=False, size=8, right=True)
        canvas.line(MARGIN_X, top - 4, page_width - MARGIN_X, top - 4)
    canvas.restoreState()


def _canvas_maker(
    furniture: Furniture, hooks: RenderHooks, estimated_pages: int, counted: list[int]
) -> type[Canvas]:
    """A canvas that keeps its pages until the end, so each can say "Page X of Y" in one
    layout pass (the usual two-pass build would lay a 10,000-row table out twice)."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # The bundled font from the start: reportlab's default Helvetica would be an
            # unembedded font resource, which PDF/A refuses.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or fonts()[0]
            super().__init__(*args, **kwargs)
            self._kept: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._kept.append(dict(self.__dict__))
            done = len(self._kept)
            hooks.report(
                0.1 + 0.85 * min(1.0, done / max(estimated_pages, 1)), f"Laying out page {done}…"
            )
            self._startPage()

        def save(self) -> None:
            total = len(self._kept)
            counted.append(total)
            for state in self._kept:
                self.__dict__.update(state)
                _draw_furniture(self, furniture, self._pageNumber, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


def build(
    story: list[Flowable],
    furniture: Furniture,
    *,
    title: str,
    author: str,
    subject: str,
    hooks: RenderHooks | None = None,
    estimated_pages: int = 1,
    pagesize: tuple[float, float] = A4,
    invariant: bool = False,
) -> Rendered:
    """Lay ``story`` out on A4 pages (or ``landscape(A4)``: a wide table) and return the PDF
    (nothing is written anywhere)."""
    hooks = hooks or RenderHooks()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        # The frame pads its content by 6 pt: the content itself sits on the margins.
        leftMargin=MARGIN_X - FRAME_PADDING,
        rightMargin=MARGIN_X - FRAME_PADDING,
        topMargin=MARGIN_TOP - FRAME_PADDING,
        bottomMargin=MARGIN_BOTTOM - FRAME_PADDING,
        title=title,
        author=author,
        subject=subject,
        creator="Billing Desktop",
        # ``invariant``: no creation time or random file ID of reportlab's own, for documents
        # that pdfa.archival dates and identifies (the same document gives the same bytes).
        invariant=1 if invariant else 0,
    )
    counted: list[int] = []
    doc.build(story, canvasmaker=_canvas_maker(furniture, hooks, estimated_pages, counted))
    hooks.report(1.0, "Done")
    return Rendered(buffer.getvalue(), counted[-1] if counted else 0)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once: a reader never sees half a PDF, and a failure
    leaves whatever was there before."""
    folder = path.parent
    if not folder.is_dir():
        from billing_desktop.domain.errors import InvalidInput

        raise InvalidInput(f"{path}: no such folder {folder}")
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".pdf", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
