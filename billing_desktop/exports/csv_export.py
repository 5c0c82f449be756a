"""CSV exports that open safely in spreadsheets (PRODUCT §10).

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run as a
formula by Excel, LibreOffice or Google Sheets; it gets a leading ``'``. A cell that is a plain
number (``-10.00``, ``+15550000001``, ``12000``) stays as it is, so amounts remain numbers.

The file is comma separated, but the person opening it may pick another separator (``;`` is the
default in much of Europe, or tab, ``|``, space, several at once): then a cell ``a;=1+1`` is
split and its second half runs. So a formula start is looked for wherever a field could begin
under *any* of those separators, not only at the start of the cell: after ``,`` ``;`` tab ``|``
or a line break, past spaces and double quotes (LibreOffice trims the one and strips the other
before it looks for ``=``), and after a space when the sign is followed by more than a space
("Acme - North" stays as it is). The ``'`` goes where that field would begin: ``a;'=1+1``. The
full-width ``＝ ＋ － ＠`` count as formula starts too. :data:`RUNNABLE` is that one rule, used
by every export (call log, transactions, billing units, sessions table, usage pricing).

Files are UTF-8 with a byte-order mark (so a spreadsheet reads accents and currency symbols
right), comma separated, with CRLF line ends (RFC 4180), written to a temporary file and moved
into place, so a failed export never leaves half a file behind.

Big exports (a million call-log rows, PERFORMANCE.md B4) take a fast path chunk by chunk: when
every cell of a chunk is text that needs no quoting, the chunk is written as its cells joined
by commas, which is what ``csv.writer`` would write, about five times sooner; cells that could
run get their ``'`` from one regular-expression substitution over the joined chunk. A few C
string searches over the joined chunk decide; any doubt (a comma, quote or line break in a
cell, a cell that is not text, a separator-like character inside a cell that could start a
field) sends the chunk through ``csv.writer`` and :func:`safe_cell` instead, so the bytes
written are the same either way. An export that builds its own lines even faster (the call
log) hands them to :func:`stream_csv_text`, or already encoded (the call log's Arrow path,
``exports.arrow_csv``: cells made by Arrow's compute functions) to :func:`stream_csv_bytes`,
and :func:`csv_text` is the reference all must match.
"""

from __future__ import annotations

import csv
import gc
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

# Characters a spreadsheet may be told to split fields on (or that end a line), besides space.
SPLITTERS = ",;\t|\r\n"
# The first characters of a cell that RUNNABLE may match at its start: ``text[:1] in
# RISKY_FIRST`` is false for a cell whose start cannot run (its inside may still; see INSIDE).
RISKY_FIRST = frozenset('=+-@\t\r "＝＋－＠')
# Characters of which a cell must hold one for RUNNABLE to match anywhere but at its start.
INSIDE_CHARS = ';\t| ",\r\n'
# ASCII digits only: a spreadsheet reads "+٣" as text, so it must not pass as a plain number.
_NUMBER = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
# A formula start: = or @ (or their full-width forms, or a full-width sign), or + or - unless
# a plain number follows up to the end of the field (the next splitter, or the cell's end).
_START = rf"(?:[=@＝＠＋－]|[+\-](?!{_NUMBER}(?:[{SPLITTERS}]|\Z)))"
# The same when fields are split on spaces too: a number ends at a space as well.
_START_SPACED = rf"(?:[=@＝＠＋－]|[+\-](?!{_NUMBER}(?:[ {SPLITTERS}]|\Z)))"
# Where safe_cell puts a ' : right before a formula start that begins a field, past any spaces
# and double quotes (LibreOffice trims the one and strips the other before it looks for "="):
# 1. at the start of a cell that begins with a tab or CR (PRODUCT §10);
# 2. at the start of the cell or after a splitter;
# 3. after a space that follows a word, when the sign is more than a lone one ("a =1" but not
#    "a - b", whose fields split on spaces are "a", "-" and "b"), or comes after a quote.
# Each alternative's one group is what comes before the ': the substitution is r"\1\2\3\4'".
_AFTER_WORD = rf"(?<=[^ {SPLITTERS}])"
_CELL_STARTS = r"(\A)(?=[\t\r])"
_FIELD_STARTS = rf"((?:\A|[{SPLITTERS}])[ \"]*)(?={_START})"
_SPACE_STARTS = (
    rf"({_AFTER_WORD} [ ]*)(?={_START_SPACED}(?![ ]|\Z))|({_AFTER_WORD} [ ]*\"[ \"]*)(?={_START})"
)
RUNNABLE = re.compile(rf"{_CELL_STARTS}|{_FIELD_STARTS}|{_SPACE_STARTS}")
_MARK = r"\1\2\3\4'"
# RUNNABLE but for its matches at the start of a cell or after a comma or line break: searched
# over a chunk of joined lines (cells without commas, quotes or line breaks, their starts
# already made safe) it finds every cell whose inside safe_cell would change (and, rarely, a
# cell that ends in a sign: the caller then takes the slow path, which is always right).
INSIDE = re.compile(rf"[;\t|][ \"]*(?={_START})|{_SPACE_STARTS}")
INSIDE_CHUNK_CHARS = ";\t| "
# In a chunk of joined lines (cells without commas, quotes or line breaks), the start of a cell
# that safe_cell changes at its start: group 1 is what comes before the '. (A CR there is the
# end of the line, after an empty last cell: no cell of a chunk starts with one.)
RUNNABLE_CELL = re.compile(rf"((?:\A|[,\n])(?=\t)|(?:\A|[,\n])[ ]*(?={_START}))")
ENCODING = "utf-8-sig"


def safe_cell(value: object) -> str:
    """``value`` as a cell that a spreadsheet shows as text or number, never runs, whichever
    separator it is opened with: a ``'`` wherever a field could begin with a formula."""
    text = "" if value is None else str(value)
    return RUNNABLE.sub(_MARK, text)


def needs_care(text: str) -> bool:
    """Whether :func:`safe_cell` would change ``text`` (False for most cells, quickly)."""
    if text[:1] in RISKY_FIRST or any(char in text for char in INSIDE_CHARS):
        return RUNNABLE.search(text) is not None
    return False


def inside_may_run(text: str) -> bool:
    """For a chunk of joined lines whose cell starts are already safe: whether a cell could
    still run from inside (True now and then for a cell that cannot: take the slow path)."""
    return any(char in text for char in INSIDE_CHUNK_CHARS) and INSIDE.search(text) is not None


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write ``header`` and ``rows`` to ``path`` (replacing it); returns the data rows written."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    count = 0
    try:
        with os.fdopen(handle, "w", encoding=ENCODING, newline="") as out:
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow([safe_cell(cell) for cell in header])
            for row in rows:
                writer.writerow([safe_cell(cell) for cell in row])
                count += 1
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


def _safe_row(row: Sequence[object]) -> list[object]:
    # The same rule as safe_cell, with the common case (text that cannot run) kept as is.
    return [cell if type(cell) is str and not needs_care(cell) else safe_cell(cell) for cell in row]


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """``rows`` as ``csv.writer`` writes them (CRLF after each), every cell through
    :func:`safe_cell`: the exact reference the fast paths must match."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(map(_safe_row, rows))
    return out.getvalue()


def csv_cell(value: object) -> str:
    """``value`` through :func:`safe_cell` as ``csv.writer`` writes it among other cells of a
    line (quoted when it holds a comma, quote or line break): joined with commas, such cells
    give :func:`csv_text`'s bytes for the line (the cell is cut from a two-cell line)."""
    return csv_text([(value, "")])[:-3]


def plain_lines(rows: Sequence[Sequence[object]]) -> str | None:
    """The CSV text of ``rows`` (CRLF after each, cells through :func:`safe_cell`) when every
    cell is a str that ``csv.writer`` would write without quotes; None when any cell is not."""
    if not rows:
        return ""
    try:
        text = "\r\n".join(map(",".join, rows))  # type: ignore[arg-type]
    except TypeError:  # a cell that is not a str (a number, None): csv.writer formats it
        return None
    lines = len(rows)
    cells = sum(map(len, rows))
    if (
        min(map(len, rows)) < 2  # csv.writer writes a lone empty cell as ""
        or text.count(",") != cells - lines  # a cell holds a comma
        or text.count("\n") != lines - 1  # ...or a line break
        or text.count("\r") != lines - 1
        or '"' in text  # ...or a quote
    ):
        return None
    text = RUNNABLE_CELL.sub(r"\1'", text)
    if inside_may_run(text):
        return None  # a cell that could run inside, after a ; | tab or space: csv.writer
    return text + "\r\n"


def stream_csv(
    path: Path,
    header: Sequence[str],
    chunks: Iterable[Sequence[Sequence[object]]],
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int | None:
    """Like :func:`write_csv` for very large exports: rows arrive in ``chunks`` (e.g. from a
    streaming query) and only one chunk is held at a time. ``progress(rows_written)`` is called
    after each chunk; if ``cancelled()`` turns true between chunks the temporary file is removed,
    ``path`` is left untouched and None is returned. Otherwise returns the data rows written."""

    def texts() -> Iterator[tuple[int, str]]:
        for chunk in chunks:
            text = plain_lines(chunk)
            yield len(chunk), csv_text(chunk) if text is None else text

    return stream_csv_text(path, header, texts(), progress, cancelled)


def stream_csv_text(
    path: Path,
    header: Sequence[str],
    chunks: Iterable[tuple[int, str]],
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int | None:
    """:func:`stream_csv` for chunks already written as CSV text: (rows, their lines with CRLF
    after each), exactly as :func:`csv_text` would write them. For an export that formats its
    own lines because a million rows through ``csv.writer`` take too long (the call log)."""
    encoded = ((rows, text.encode("utf-8")) for rows, text in chunks)
    return stream_csv_bytes(path, header, encoded, progress, cancelled)


def stream_csv_bytes(
    path: Path,
    header: Sequence[str],
    chunks: Iterable[tuple[int, bytes | memoryview]],
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> int | None:
    """:func:`stream_csv_text` for chunks already encoded (UTF-8): (rows, their lines with
    CRLF after each), as :func:`csv_text` would write them, e.g. straight from the buffer of
    an Arrow string array (``exports.arrow_csv``). Writes the byte-order mark and the header.

    Cyclic garbage collection pauses meanwhile: the store's row tuples live as long as their
    chunk, so every chunk would promote thousands of them and set off collections of the
    whole process (the GUI's objects too) for garbage that has no cycles."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    count, finished = 0, False
    pending = iter(chunks)
    collecting = gc.isenabled()
    gc.disable()
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(csv_text([header]).encode(ENCODING))  # utf-8-sig: the mark, then the header
            while True:
                if cancelled is not None and cancelled():
                    break  # before reading the next chunk from the store
                chunk = next(pending, None)
                if chunk is None:
                    finished = True
                    break
                rows, data = chunk
                out.write(data)
                count += rows
                if progress is not None:
                    progress(count)
        if finished:
            os.replace(temporary, path)
            return count
        Path(temporary).unlink(missing_ok=True)
        return None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    finally:
        if collecting:
            gc.enable()
