"""Formula-safe CSV cells and lines from Arrow arrays, with no Python object per cell
(PERFORMANCE.md B4: a million call-log rows).

:func:`csv_cells` gives, for a text column, what :func:`csv_export.csv_cell` gives for each of
its values (formula starts neutralised by ``safe_cell``, quoted as ``csv.writer`` quotes), and
:func:`csv_lines` joins such columns with commas, so that the bytes are those of
:func:`csv_export.csv_text` for the same rows. Most cells cannot change: a cell changes only
when it starts with one of ``RISKY_FIRST`` or holds one of ``INSIDE_CHARS`` (which include the
comma, quote and line breaks that make ``csv.writer`` quote it). One regular expression
(Arrow's RE2, in C) finds those; only their *distinct* values go through Python, once each
(remembered in a memo across batches), and are put back with Arrow's take and mask kernels.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from billing_desktop.exports.csv_export import INSIDE_CHARS, RISKY_FIRST, csv_cell

# A value's cell may differ from the value only when its first character is one of these ...
RISKY_STARTS = sorted(RISKY_FIRST)
# ... or it holds one of these (as UTF-8: all ASCII), which RE2 finds with INSIDE_CLASS.
INSIDE_BYTES = tuple(char.encode() for char in sorted(INSIDE_CHARS))
INSIDE_CLASS = "[" + "".join(re.escape(char) for char in sorted(INSIDE_CHARS)) + "]"
MEMO_LIMIT = 200_000  # cells remembered (a memo is cleared beyond it)


def _cell(text: str, memo: dict[str, str]) -> str:
    cell = memo.get(text)
    if cell is None:
        if len(memo) >= MEMO_LIMIT:
            memo.clear()
        cell = memo[text] = csv_cell(text)
    return cell


def _data(values: Any) -> bytes:
    """The bytes of a string array's values end to end."""
    return bytes(text_bytes(values))


def careful(values: Any) -> Any:
    """For each value of the string array ``values`` (no nulls): whether its cell may differ
    from it (``needs_care``'s own test, or a comma, quote or line break to quote). The test
    of the inside runs only when the column's bytes hold such a character at all."""
    first = pc.is_in(pc.utf8_slice_codeunits(values, 0, 1), value_set=_risky_starts())
    data = _data(values)
    if any(char in data for char in INSIDE_BYTES):
        return pc.or_(first, pc.match_substring_regex(values, INSIDE_CLASS))
    return first


def csv_cells(values: Any, memo: dict[str, str]) -> Any:
    """The string array ``values`` (no nulls) as CSV cells: ``csv_cell(value)`` for each. For
    a column of (mostly) distinct values such as ids: only the careful ones go through
    Python, once per distinct value; ``memo`` keeps their cells across calls."""
    mask = careful(values)
    if not pc.any(mask).as_py():
        return values
    picked = values.filter(mask)
    distinct = pc.unique(picked)
    cells = pa.array([_cell(text, memo) for text in distinct.to_pylist()], pa.string())
    changed = cells.take(pc.index_in(picked, value_set=distinct))
    return pc.replace_with_mask(values, mask, changed)


def csv_cells_few(values: Any, memo: dict[str, str]) -> Any:
    """:func:`csv_cells` for a column of few distinct values (a type, a campaign, a number):
    each distinct value of the batch is looked up once, and the cells are taken by index."""
    encoded = pc.dictionary_encode(values)
    texts = encoded.dictionary.to_pylist()
    cells = pa.array([_cell(text, memo) for text in texts], pa.string())
    return cells.take(encoded.indices)


@cache
def _risky_starts() -> Any:
    return pa.array(RISKY_STARTS, pa.string())


def csv_lines(cells: Sequence[Any]) -> Any:
    """The columns of CSV ``cells`` joined into lines (cells separated by commas; no line
    ends: put the CRLF at the end of the last column)."""
    return pc.binary_join_element_wise(*cells, ",")


def text_bytes(lines: Any) -> memoryview:
    """The UTF-8 bytes of a string array's values end to end (no copy)."""
    if len(lines) == 0:
        return memoryview(b"")
    if lines.null_count:
        raise ValueError("a line of the export is missing")
    _, offsets, data = lines.buffers()
    if pa.types.is_large_string(lines.type):
        ends = memoryview(offsets).cast("q")  # int64 offsets
    else:
        ends = memoryview(offsets).cast("i")
    start, end = ends[lines.offset], ends[lines.offset + len(lines)]
    return memoryview(data)[start:end]
