"""Rating rules (PRODUCT §4.3): free units, then credit, then charges — to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing_desktop.domain import model as m
from billing_desktop.domain.money import minor_digits, round_money
from billing_desktop.domain.rating import ProductUsage, list_price, rate_month

D = Decimal


def product(
    code: str = "VOICE",
    price: str = "0.02",
    free: str = "1000",
    cc: bool = True,
    tiers: tuple[m.Tier, ...] = (),
) -> m.Product:
    return m.Product(
        code,
        code.title(),
        m.Unit.MINUTE,
        D(price),
        D(free),
        cc,
        m.Metering.SUM,
        m.Source.CALLS,
        m.CommitAvailability.ACTIVE,
        tiers,
    )


def test_the_worked_example_of_product_section_4_3() -> None:
    pool = "commit:VOICE:2026-10-01"
    rating = rate_month(
        "USD",
        [ProductUsage(product(), D(12000), (pool, "credits"))],
        10,
        {pool: D("30.00"), "credits": D(0)},
        {pool: "VOICE"},
    )
    (line,) = rating.lines
    assert line.free_units_total == 10_000
    assert line.free_units_used == 10_000
    assert line.amount == D("40.00")
    assert line.credit_applied == D("30.00")
    assert line.charged == D("10.00")
    assert line.balance == D("-10.00")
    assert rating.balance() == D("-10.00")


def test_free_units_are_per_agent() -> None:
    rating = rate_month("USD", [ProductUsage(product(), D(9000))], 10, {})
    (line,) = rating.lines
    assert (line.free_units_total, line.free_units_used, line.amount) == (D(10000), D(9000), 0)
    assert line.balance == 0


def test_unused_own_commit_is_a_positive_balance() -> None:
    pool = "commit:VOICE:2026-10-01"
    rating = rate_month(
        "USD", [ProductUsage(product(), D(11000), (pool,))], 10, {pool: D("30.00")}, {pool: "VOICE"}
    )
    assert rating.lines[0].balance == D("10.00")
    assert rating.balance() == D("10.00")


def test_credit_is_drawn_in_the_order_given_and_shared_pools_run_out() -> None:
    a, b = product("A", free="0"), product("B", free="0")
    usages = [ProductUsage(a, D(1000), ("credits",)), ProductUsage(b, D(1000), ("credits",))]
    rating = rate_month("USD", usages, 1, {"credits": D("25.00")})
    assert [line.credit_applied for line in rating.lines] == [D("20.00"), D("5.00")]
    assert [line.charged for line in rating.lines] == [D("0.00"), D("15.00")]
    assert rating.pools_after["credits"] == 0
    assert rating.balance() == D("-15.00")


def test_contact_center_balance_counts_only_tagged_products() -> None:
    a, b = product("A", free="0", cc=True), product("B", free="0", cc=False)
    rating = rate_month("USD", [ProductUsage(a, D(100)), ProductUsage(b, D(200))], 1, {})
    assert rating.balance({"A"}) == D("-2.00")
    assert rating.balance() == D("-6.00")


def test_graduated_tiers() -> None:
    tiers = (m.Tier(D(10000), D("0.015")), m.Tier(D(50000), D("0.01")))
    assert list_price(D(5000), D("0.02"), tiers) == D("100.00")
    assert list_price(D(10000), D("0.02"), tiers) == D("200.00")
    assert list_price(D(60000), D("0.02"), tiers) == D("900.00")
    voice = product(free="1000", tiers=tiers)
    rating = rate_month("USD", [ProductUsage(voice, D(61000))], 1, {})
    assert rating.lines[0].amount == D("900.00")  # tiers apply to the billable quantity


@pytest.mark.parametrize(
    ("currency", "expected"), [("USD", "0.13"), ("JPY", "0"), ("KWD", "0.125")]
)
def test_each_line_is_rounded_half_up_once(currency: str, expected: str) -> None:
    rating = rate_month(currency, [ProductUsage(product(price="0.0125", free="0"), D(10))], 1, {})
    assert rating.lines[0].amount == D(expected)


prices = st.decimals(min_value=0, max_value=5, places=4, allow_nan=False)
quantities = st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False)
money = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False)


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(
        st.tuples(prices, quantities, st.integers(0, 2000), st.booleans()), min_size=1, max_size=6
    ),
    st.integers(0, 300),
    money,
    money,
    st.sampled_from(["USD", "EUR", "JPY", "KWD"]),
)
def test_free_credit_and_charge_always_add_up(
    lines: list[tuple[Decimal, Decimal, int, bool]],
    agents: int,
    commit: Decimal,
    credits: Decimal,
    currency: str,
) -> None:
    commit = round_money(commit, currency)
    credits = round_money(credits, currency)
    usages = []
    owners = {}
    pools = {"credits": credits}
    for index, (price, quantity, free, own) in enumerate(lines):
        code = f"P{index}"
        order: tuple[str, ...] = ("credits",)
        if own:
            pool = f"commit:{code}"
            pools[pool] = commit
            owners[pool] = code
            order = (pool, "credits")
        usages.append(ProductUsage(product(code, str(price), str(free)), quantity, order))
    rating = rate_month(currency, usages, agents, pools, owners)
    half = D(1).scaleb(-minor_digits(currency)) / 2
    for line in rating.lines:
        unit_price = line.product.unit_price
        # free + billable = quantity; their list values add up to quantity x price
        assert line.free_units_used + line.billable_quantity == line.quantity
        assert (
            line.free_units_used * unit_price + line.billable_quantity * unit_price
            == line.quantity * unit_price
        )
        assert 0 <= line.free_units_used <= line.free_units_total
        # the only rounding is the named one: half-up, once, on the line's amount
        assert abs(line.amount - line.billable_quantity * unit_price) <= half
        # credit + charge = amount exactly; nothing gained or lost
        assert line.credit_applied + line.charged == line.amount
        assert line.charged >= 0 and line.credit_applied >= 0
    for pool, before in rating.pools_before.items():
        drawn = sum((a for ln in rating.lines for p, a in ln.drawn if p == pool), D(0))
        assert rating.pools_after[pool] == before - drawn >= 0
    # the account balance is credit left minus what will be invoiced
    assert rating.balance() == sum(rating.pools_after.values()) - rating.charged
    assert rating.charged == sum((ln.charged for ln in rating.lines), D(0))
