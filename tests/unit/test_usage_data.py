"""Call-log rules: started minutes, list-price cost, queries, and the streamed CSV writer's
formula neutralisation (property-tested)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing_desktop.domain.errors import BillingError
from billing_desktop.exports.csv_export import safe_cell, stream_csv
from billing_desktop.services.usage_data import CallQuery, call_cost, started_minutes

FORMULA = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize(("seconds", "minutes"), [(0, 0), (-5, 0), (1, 1), (60, 1), (61, 2)])
def test_calls_are_metered_per_started_minute(seconds: int, minutes: int) -> None:
    assert started_minutes(seconds) == minutes


def test_cost_is_minutes_at_list_price_rounded_half_up() -> None:
    assert call_cost(2, Decimal("0.0125"), "USD") == Decimal("0.03")
    assert call_cost(3, None, "USD") is None


def test_queries_are_checked() -> None:
    with pytest.raises(BillingError, match="sorted"):
        CallQuery(sort="price; drop table calls")
    with pytest.raises(BillingError, match="ends"):
        CallQuery(first=date(2026, 11, 2), last=date(2026, 11, 1))


def read_back(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["-10.00", "+15550000001", "=1+1", "@SUM(A1)", "\tx", "\rx", "-", "+"]),
    st.builds(lambda head, tail: head + tail, st.sampled_from(FORMULA), st.text(max_size=8)),
    st.integers(-1000, 1000),
    st.none(),
)


@given(st.lists(st.lists(cells, min_size=3, max_size=3), max_size=30), st.integers(1, 7))
def test_streamed_cells_never_run_as_formulas(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[object]], chunk: int
) -> None:
    out = tmp_path_factory.mktemp("csv") / "out.csv"
    chunks = [rows[i : i + chunk] for i in range(0, len(rows), chunk)]
    assert stream_csv(out, ["a", "b", "c"], chunks) == len(rows)
    expected = io.StringIO(newline="")
    csv.writer(expected, lineterminator="\r\n").writerows(
        [["a", "b", "c"]] + [[safe_cell(c) for c in row] for row in rows]
    )
    assert out.read_bytes() == b"\xef\xbb\xbf" + expected.getvalue().encode()
    for row in read_back(out)[1:]:
        for text in row:
            if text.startswith(FORMULA):
                assert text.lstrip("+-").replace(".", "", 1).isdigit()  # a plain number


@given(st.sampled_from(FORMULA), st.text(max_size=10))
def test_a_formula_cell_gets_a_leading_quote_unless_it_is_a_number(start: str, rest: str) -> None:
    text = start + rest
    number = start in "+-" and rest.replace(".", "", 1).isdigit() and rest.isascii()
    safe = safe_cell(text)
    if number:
        assert safe == text
    else:  # the leading ', and more inside where a field may begin (after ; | tab, spaces…)
        assert safe.startswith("'" + start) and safe.replace("'", "") == text.replace("'", "")


def test_progress_and_cancel(tmp_path: Path) -> None:
    seen: list[int] = []
    out = tmp_path / "x.csv"
    assert stream_csv(out, ["a"], [[["1"]], [["2"], ["3"]]], seen.append) == 3
    assert seen == [1, 3]
    asked = iter([False, True])
    assert stream_csv(out, ["a"], [[["9"]], [["9"]]], None, lambda: next(asked)) is None
    assert read_back(out) == [["a"], ["1"], ["2"], ["3"]]  # the earlier file is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]
