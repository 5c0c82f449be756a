"""Quota rules (PRODUCT §8.1): states at 80 % and beyond, the cost beyond a quota, packs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing_desktop.domain import model as m
from billing_desktop.domain.errors import InvalidInput
from billing_desktop.domain.money import minor_digits, round_money
from billing_desktop.domain.quotas import (
    MAX_QUOTA,
    AddOnPack,
    QuotaState,
    Statistic,
    beyond_quota,
    check_pack,
    check_quota,
    cost_beyond_quota,
    format_quantity,
    parse_statistic,
    quota_state,
    used_percent,
)

D = Decimal

usages = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False)
quotas = st.integers(min_value=0, max_value=10**7)
prices = st.decimals(min_value=0, max_value=100, places=4, allow_nan=False)
currencies = st.sampled_from(["USD", "EUR", "JPY", "KWD"])


@pytest.mark.parametrize(
    ("usage", "quota", "state"),
    [
        (D(0), None, QuotaState.UNSET),
        (D(10**9), None, QuotaState.UNSET),
        (D(0), 100, QuotaState.OK),
        (D(79), 100, QuotaState.OK),
        (D("79.99"), 100, QuotaState.OK),
        (D(80), 100, QuotaState.WARNING),
        (D(100), 100, QuotaState.WARNING),  # reached, not beyond
        (D("100.01"), 100, QuotaState.EXCEEDED),
        (D(101), 100, QuotaState.EXCEEDED),
        (D(0), 0, QuotaState.OK),
        (D("0.01"), 0, QuotaState.EXCEEDED),
        (D(799), 999, QuotaState.OK),  # 79.98 %
        (D("799.2"), 999, QuotaState.WARNING),  # exactly 80 %
    ],
)
def test_states_at_the_thresholds(usage: Decimal, quota: int | None, state: QuotaState) -> None:
    assert quota_state(usage, quota) == state


def test_percent_is_rounded_down_so_79_99_never_reads_80() -> None:
    assert used_percent(D("79.99"), 100) == 79
    assert used_percent(D(80), 100) == 80
    assert used_percent(D(101), 100) == 101
    assert used_percent(D(5), None) is None
    assert used_percent(D(5), 0) is None


def test_the_cost_beyond_the_quota_is_the_excess_at_list_price() -> None:
    assert cost_beyond_quota(D(1010), 1000, D("0.35"), "USD") == D("3.50")
    assert cost_beyond_quota(D("4430.22"), 4000, D("0.004"), "USD") == D("1.72")  # 1.72088
    assert cost_beyond_quota(D(1000), 1000, D("0.35"), "USD") == D("0.00")
    assert cost_beyond_quota(D(5), None, D("0.35"), "USD") == D("0.00")
    assert cost_beyond_quota(D(3), 0, D("0.005"), "USD") == D("0.02")  # 0.015 half-up
    assert beyond_quota(D(1010), 1000) == D(10)
    assert beyond_quota(D(10), 1000) == D(0)


def test_tiers_price_the_excess_units_where_they_fall() -> None:
    tiers = (m.Tier(D(1000), D("0.10")),)
    # 900 at 1.00 (quota) then 100 more at 1.00 and 200 at 0.10.
    assert cost_beyond_quota(D(1200), 900, D("1.00"), "USD", tiers) == D("120.00")
    # Beyond the tier boundary only.
    assert cost_beyond_quota(D(1200), 1100, D("1.00"), "USD", tiers) == D("10.00")


@given(usage=usages, quota=quotas, price=prices, currency=currencies)
def test_no_cost_at_or_below_the_quota_and_exact_minor_units_above(
    usage: Decimal, quota: int, price: Decimal, currency: str
) -> None:
    cost = cost_beyond_quota(usage, quota, price, currency)
    assert cost.as_tuple().exponent == -minor_digits(currency)  # exact minor units
    if usage <= quota:
        assert cost == 0
    else:
        assert cost == round_money((usage - quota) * price, currency)
        assert cost >= 0


@given(a=usages, b=usages, quota=st.one_of(st.none(), quotas))
def test_the_state_never_goes_down_as_usage_grows(
    a: Decimal, b: Decimal, quota: int | None
) -> None:
    low, high = sorted((a, b))
    assert quota_state(low, quota) <= quota_state(high, quota)


@given(a=usages, b=usages, quota=quotas, price=prices)
def test_the_cost_never_goes_down_as_usage_grows(
    a: Decimal, b: Decimal, quota: int, price: Decimal
) -> None:
    low, high = sorted((a, b))
    assert cost_beyond_quota(low, quota, price, "USD") <= cost_beyond_quota(
        high, quota, price, "USD"
    )


@given(usage=usages, quota=st.integers(min_value=1, max_value=10**7))
def test_warning_exactly_from_80_percent_up_to_the_quota(usage: Decimal, quota: int) -> None:
    state = quota_state(usage, quota)
    assert (state == QuotaState.WARNING) == (usage / quota >= D("0.8") and usage <= quota)
    assert (state == QuotaState.EXCEEDED) == (usage > quota)


def test_quota_values_are_checked_with_the_field_named() -> None:
    assert check_quota(0) == 0
    assert check_quota(MAX_QUOTA) == MAX_QUOTA
    with pytest.raises(InvalidInput, match=r"^Monthly quota: give 0 or more"):
        check_quota(-1)
    with pytest.raises(InvalidInput, match="at most 1,000,000,000"):
        check_quota(MAX_QUOTA + 1)
    with pytest.raises(InvalidInput, match="whole number"):
        check_quota(True)


def test_packs_are_checked_with_the_field_named() -> None:
    pack = check_pack(AddOnPack("  SMS   1,000 ", 1000, D("7.00")), "USD")
    assert pack == AddOnPack("SMS 1,000", 1000, D("7.00"))
    assert pack.price_per_unit == D("0.007")
    with pytest.raises(InvalidInput, match=r"^Pack name"):
        check_pack(AddOnPack(" ", 10, D(1)), "USD")
    with pytest.raises(InvalidInput, match=r"^Volume of 'x'"):
        check_pack(AddOnPack("x", 0, D(1)), "USD")
    with pytest.raises(InvalidInput, match=r"^Price of 'x'"):
        check_pack(AddOnPack("x", 1, D("-1")), "USD")
    with pytest.raises(InvalidInput, match=r"^Price of 'x'.*decimals"):
        check_pack(AddOnPack("x", 1, D("1.5")), "JPY")


def test_statistics_name_their_units_and_pricing_rule() -> None:
    assert parse_statistic("sms") is Statistic.SMS
    with pytest.raises(InvalidInput, match="not a statistic"):
        parse_statistic("calls")
    assert Statistic.INTERVIEWS.units(1) == "1 interview"
    assert Statistic.RECORDING_MINUTES.units(D("2500.50")) == "2,500.5 minutes"
    assert Statistic.RECORDING_MINUTES.rule == (m.Source.RECORDINGS, m.Metering.SUM)
    assert format_quantity(D("12000.000")) == "12,000"
